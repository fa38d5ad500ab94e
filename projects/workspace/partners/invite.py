"""Inviting a centre found by the search on the partners page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects.workspace._common import safe_next
from projects.workspace.partners._shared import _load, partners_url
from projects.workspace.partners.page import _refused_on_partners, _render_partners
from projects.workspace.partners_forms import InviteForm
from workflow import permissions, services
from workflow.exceptions import ConditionsNotMet, NotPermitted, NotVisible, WrongState


def _search_data_of(url):
    """The search a form was sent from (its `next`), to show the results again."""
    _path, _sep, query = url.partition("?")
    return QueryDict(query)


@require_POST
@login_required
def project_invite(request, pk):
    user = request.user
    project = _load(user, pk)  # 404 before anything is read from the form
    back = safe_next(request, partners_url(project.pk))
    search_data = _search_data_of(back)
    label = _("Invite")
    form = InviteForm(request.POST)
    if form.is_valid():
        centre_id = form.cleaned_data["centre"]
    elif permissions.can_invite(user, project):
        return _render_partners(
            request,
            project,
            status=400,
            errors=[
                {"code": "invalid", "message": message, "anchor": "find-partners"}
                for message in form.errors.get("centre", [])
            ],
            error_title=_("Check what you entered for “%(action)s”:") % {"action": label},
            search_data=search_data,
        )
    else:
        centre_id = 0  # the service refuses this person first (403), whatever they sent
    try:
        partnership = services.partnership_invite(
            project_id=project.pk, centre_id=centre_id, actor=user
        )
    except ValidationError:  # no such centre
        return _render_partners(
            request,
            project,
            status=400,
            errors=[
                {
                    "code": "invalid",
                    "message": _("Choose a centre from the search results."),
                    "anchor": "find-partners",
                }
            ],
            error_title=_("Check what you entered for “%(action)s”:") % {"action": label},
            search_data=search_data,
        )
    except (NotVisible, NotPermitted, WrongState, ConditionsNotMet) as exc:
        return _refused_on_partners(
            request,
            exc,
            project_id=project.pk,
            action_label=label,
            anchor="find-partners",
            search_data=search_data,
        )
    messages.success(
        request,
        _("%(centre)s is invited. Its managers accept or decline the invitation.")
        % {"centre": partnership.centre.name},
    )
    return redirect(back)
