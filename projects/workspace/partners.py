"""A centre's answers on a project: accept or decline an invitation or a request to join,
leave, sign the mandate, accept the grant agreement. Refusals are rendered as on the project
page (see projects.workspace.proposals)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects.models import Partnership
from projects.workspace._common import (
    InvalidInput,
    load_project,
    partnership_label,
    safe_next,
)
from projects.workspace.proposals import invalid, refused
from workflow import services
from workflow.exceptions import (
    ConditionsNotMet,
    NotPermitted,
    NotVisible,
    UnknownTransition,
    WrongState,
)


def _partnership_row(pk):
    """(project id, state, centre id) of a partnership; whether the user may see it is the
    service's to decide."""
    row = Partnership.objects.filter(pk=pk).values_list("project_id", "state", "centre_id").first()
    if row is None:
        raise Http404("No such partnership.")
    return row


def _partnership_project_id(pk):
    return _partnership_row(pk)[0]


@require_POST
@login_required
def partnership_transition(request, pk, name):
    project_id, state, centre_id = _partnership_row(pk)
    label = partnership_label(name, state=state, centre_id=centre_id, user=request.user)
    posted = {"action": f"partnership:{name}:{pk}"}
    try:
        services.partnership_transition(partnership_id=pk, name=name, actor=request.user)
    except (NotVisible, UnknownTransition, NotPermitted, WrongState, ConditionsNotMet) as exc:
        return refused(request, exc, project_id=project_id, posted=posted, action_label=label)
    messages.success(request, _("Done: %(action)s.") % {"action": label})
    return redirect(safe_next(request, reverse("workspace:project", args=[project_id])))


def _ticked(request, name):
    return request.POST.get(name, "").lower() in ("on", "yes", "true", "1")


@require_POST
@login_required
def partnership_mandate(request, pk):
    project_id = _partnership_project_id(pk)
    label = _("Sign the mandate")
    posted = {"action": f"mandate:{pk}"}
    if not _ticked(request, "declaration"):
        load_project(request.user, project_id)  # 404 first, for a project the user cannot see
        exc = InvalidInput(
            _("Tick the declaration to sign the mandate for your centre."), field="declaration"
        )
        return invalid(request, exc, project_id=project_id, posted=posted, action_label=label)
    try:
        services.partnership_sign_mandate(partnership_id=pk, actor=request.user, declaration=True)
    except (NotVisible, NotPermitted, WrongState, ConditionsNotMet) as exc:
        return refused(request, exc, project_id=project_id, posted=posted, action_label=label)
    messages.success(request, _("The mandate is signed."))
    return redirect(safe_next(request, reverse("workspace:project", args=[project_id])))


@require_POST
@login_required
def partnership_agreement(request, pk):
    project_id = _partnership_project_id(pk)
    label = _("Accept the grant agreement")
    posted = {"action": f"agreement:{pk}"}
    if not _ticked(request, "accept"):
        load_project(request.user, project_id)
        exc = InvalidInput(
            _("Tick the box to accept the grant agreement for your centre."), field="accept"
        )
        return invalid(request, exc, project_id=project_id, posted=posted, action_label=label)
    try:
        services.partnership_accept_agreement(partnership_id=pk, actor=request.user)
    except (NotVisible, NotPermitted, WrongState, ConditionsNotMet) as exc:
        return refused(request, exc, project_id=project_id, posted=posted, action_label=label)
    messages.success(request, _("The grant agreement is accepted."))
    return redirect(safe_next(request, reverse("workspace:project", args=[project_id])))


urlpatterns = []  # the routes of issue 7 item 3 (the older ones are in projects/urls.py)
