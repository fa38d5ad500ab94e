"""What the editor's pages share: loading the proposal and mapping the refusals to pages, the
links to the partners' and budget pages, money and country names, the forms' error summary."""

import functools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms import CheckboxSelectMultiple, RadioSelect
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language

from projects.models import JointProject
from projects.selectors import with_partners
from projects.workspace._common import badge, forbidden
from workflow import conditions, permissions
from workflow.exceptions import NotPermitted, NotVisible


def _partners_url(project):
    """The partners' page (projects/workspace/partners/): invite, answer, sign mandates."""
    return reverse("workspace:project_partners", args=[project.pk])


def _budget_url(project):
    """The budget page (projects/workspace/budgets.py): each partner's lines and contribution."""
    return reverse("workspace:budget", args=[project.pk])


# --- Loading and refusing -----------------------------------------------------------------------


class Locked(Exception):
    """The proposal can no longer be edited (409)."""


def _load(user, pk, *, edit):
    """The proposal with what the task list shows (partners, centres, budget lines, themes) in
    a fixed number of queries; 404 when the user may not see it. `edit`: NotPermitted unless
    the user is a member of its lead centre (who sees the proposal may read its task list)."""
    project = with_partners(JointProject.objects.filter(pk=pk)).prefetch_related("themes").first()
    if project is None or not permissions.can_view_project(user, project):
        raise Http404("No such project.")
    if edit and not permissions.can_edit_project(user, project):
        raise NotPermitted("Only the lead centre edits the proposal.")
    return project


def _locked(request, project):
    return render(
        request,
        "projects/workspace/editor/locked.html",
        {"project": project, "badge": badge(project.state, project.get_state_display())},
        status=409,
    )


def editor_view(*, edit):
    """Load the proposal for its editor and map the refusals to pages. `edit`: only for the
    members of the lead centre (the section forms); whoever sees the proposal may read its task
    list and answers, and the submit service decides who submits."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, pk, *args, **kwargs):
            try:
                project = _load(request.user, pk, edit=edit)
                return view(request, project, *args, **kwargs)
            except NotVisible:
                raise Http404("No such project.") from None
            except NotPermitted as exc:
                return forbidden(request, exc, project_id=pk)
            except Locked:
                return _locked(request, JointProject.objects.get(pk=pk))

        return login_required(wrapped)

    return decorator


# --- Money and country names ---------------------------------------------------------------


def _money(value):
    return conditions.money(value)


# Country names per language, kept for the process: django-countries translates its whole list
# the first time a request asks for a country's name.
_COUNTRY_NAMES = {}


def _country_name(country):
    key = (get_language(), country.code)
    name = _COUNTRY_NAMES.get(key)
    if name is None:
        name = _COUNTRY_NAMES[key] = str(country.name)
    return name


# --- The forms' error summary -------------------------------------------------------------


def _error_list(form):
    """The error summary's entries, each leading to its field (the first option of a group)."""
    errors = []
    for name, messages_ in form.errors.items():
        if name == NON_FIELD_ERRORS:
            errors.extend({"code": "invalid", "message": m, "anchor": ""} for m in messages_)
            continue
        field = form[name]
        grouped = isinstance(field.field.widget, (RadioSelect, CheckboxSelectMultiple))
        anchor = f"{field.auto_id}_0" if grouped else field.auto_id
        errors.extend({"code": "invalid", "message": m, "anchor": anchor} for m in messages_)
    return errors


def _describe_fields(form):
    """Each field's help and error named by its input (aria-describedby, aria-invalid); a group
    of radios or checkboxes is described by its fieldset in the template."""
    for name, field in form.fields.items():
        bound = form[name]
        ids = [f"{bound.auto_id}-help"] if field.help_text else []
        if form.is_bound and bound.errors:
            ids.append(f"{bound.auto_id}-error")
            field.widget.attrs["aria-invalid"] = "true"
        if ids and not isinstance(field.widget, (RadioSelect, CheckboxSelectMultiple)):
            field.widget.attrs["aria-describedby"] = " ".join(ids)
    form.use_required_attribute = False
    return form


def _add_service_errors(form, error):
    """A ValidationError from the model (through the service) next to its field."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def render_section_form(request, project, template, *, title, form, back_to_check, status, **extra):
    """One section of the editor with its form (bound: its errors listed first), for the
    fixed sections and the call's own questions alike."""
    return render(
        request,
        template,
        {
            "project": project,
            "badge": badge(project.state, project.get_state_display()),
            "section_title": title,
            "form": _describe_fields(form),
            "errors": _error_list(form) if form.is_bound else [],
            "back_to_check": back_to_check,
            "tasks_url": reverse("workspace:editor", args=[project.pk]),
            **extra,
        },
        status=status,
    )
