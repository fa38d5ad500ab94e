"""What the partners' pages share: the consortium and its partnerships as the user may see
them, country names, the link to the partners page, a form's error summary."""

from django.http import Http404
from django.urls import reverse
from django.utils.translation import get_language
from django_countries import countries as all_countries

from projects.models import Partnership
from projects.partners_selectors import project_with_consortium
from workflow import permissions

# --- Reading the consortium --------------------------------------------------------------------

# Country names per language, kept for the process: django-countries translates its whole list
# the first time a request asks for a name.
_COUNTRY_NAMES = {}


def _country_names():
    language = get_language()
    names = _COUNTRY_NAMES.get(language)
    if names is None:
        names = _COUNTRY_NAMES[language] = {code: str(name) for code, name in all_countries}
    return names


def _load(user, pk):
    """The project with its consortium, or 404 when the user may not see it."""
    project = project_with_consortium(pk)
    if project is None or not permissions.can_view_project(user, project):
        raise Http404("No such project.")
    return project


def _partnership_in(project, pk):
    for partnership in project.partnerships.all():
        if partnership.pk == pk:
            return partnership
    raise Http404("No such partnership.")


def _partnership_row(pk):
    """(project id, state, centre id) of a partnership; whether the user may see it is the
    service's to decide."""
    row = Partnership.objects.filter(pk=pk).values_list("project_id", "state", "centre_id").first()
    if row is None:
        raise Http404("No such partnership.")
    return row


def _partnership_project_id(pk):
    return _partnership_row(pk)[0]


def partners_url(project_id):
    return reverse("workspace:project_partners", args=[project_id])


def _form_errors(form):
    """The error summary's entries for a bound form: each leads to its field."""
    return [
        {"code": "invalid", "message": message, "anchor": form[name].auto_id}
        for name, messages_ in form.errors.items()
        if name in form.fields
        for message in messages_
    ]
