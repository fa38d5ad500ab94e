"""The partners page (/workspace/projects/<pk>/partners/): the consortium, the pending
invitations and requests, the mandates, the search; the refusals of the services shown on it;
and the confirmation before a partner leaves."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from projects import uploads
from projects.workspace._common import badge, forbidden, partnership_actions
from projects.workspace.partners._shared import (
    _country_names,
    _load,
    _partnership_in,
    _partnership_row,
    partners_url,
)
from projects.workspace.partners.search import _search
from projects.workspace.partners_forms import MandateForm
from workflow import permissions
from workflow.exceptions import (
    ConditionsNotMet,
    NotPermitted,
    NotVisible,
    UnknownTransition,
    WrongState,
)
from workflow.states import PartnershipState, ProjectState

# --- The partners page ---------------------------------------------------------------------------

# The consortium's order: the lead, the confirmed partners, then those who left or declined.
_STATE_ORDER = {
    PartnershipState.CONFIRMED: 0,
    PartnershipState.WITHDRAWN: 1,
    PartnershipState.DECLINED: 2,
}


def _rows(project, user, mandate_forms):
    roles = permissions.roles_of(user)
    names = _country_names()
    read_files = uploads.can_read_private_files(user, project)
    editable = project.state in ProjectState.editable()
    rows = []
    for partnership in project.partnerships.all():
        actions = partnership_actions(partnership, user)
        manages = roles.manager_of(partnership.centre_id)
        may_sign = (
            manages
            and editable
            and not partnership.mandate_signed
            and partnership.state in (*PartnershipState.pending(), PartnershipState.CONFIRMED)
        )
        rows.append(
            {
                "partnership": partnership,
                "country": names.get(partnership.centre.country.code, partnership.centre.country),
                "badge": badge(partnership.state, partnership.get_state_display()),
                "answers": [a for a in actions if a["name"] in ("accept", "decline")],
                "withdraw": next(
                    (
                        {
                            **action,
                            "url": reverse("workspace:partnership_withdraw", args=[partnership.pk]),
                        }
                        for action in actions
                        if action["name"] == "withdraw"
                    ),
                    None,
                ),
                "mine": roles.member_of(partnership.centre_id),
                "manages": manages,
                "mandate_form": (
                    mandate_forms.get(partnership.pk) or MandateForm(partnership_id=partnership.pk)
                )
                if may_sign
                else None,
                "mandate_file_url": reverse("workspace:mandate_file", args=[partnership.pk])
                if read_files and partnership.mandate_file
                else "",
                "signer": (
                    partnership.mandate_signed_by.get_full_name()
                    or partnership.mandate_signed_by.get_username()
                )
                if partnership.mandate_signed_by_id
                else "",
            }
        )
    return rows


def _render_partners(
    request,
    project,
    *,
    status=200,
    errors=None,
    error_title="",
    search_data=None,
    mandate_forms=None,
):
    user = request.user
    roles = permissions.roles_of(user)
    rows = _rows(project, user, mandate_forms or {})
    search = _search(request, project, request.GET if search_data is None else search_data)
    if search is not None and request.htmx and search_data is None:
        # htmx asks for the results only (the search form's hx-get); they replace the old ones.
        response = render(
            request,
            "projects/workspace/partners/_search_response.html",
            {"search": search, "project": project, "partners_url": partners_url(project.pk)},
        )
        patch_vary_headers(response, ("HX-Request",))
        return response
    pending = [row for row in rows if row["partnership"].state in PartnershipState.pending()]
    consortium = sorted(
        (row for row in rows if row["partnership"].state not in PartnershipState.pending()),
        key=lambda row: (
            not row["partnership"].is_lead,
            _STATE_ORDER.get(row["partnership"].state, 3),
            row["partnership"].centre.name,
        ),
    )
    taken = {row["partnership"].centre_id for row in rows}
    context = {
        "project": project,
        "badge": badge(project.state, project.get_state_display()),
        "editable": project.state in ProjectState.editable(),
        "consortium": consortium,
        "invitations": [r for r in pending if r["partnership"].state == PartnershipState.INVITED],
        "requests": [r for r in pending if r["partnership"].state == PartnershipState.REQUESTED],
        "mine": [
            row
            for row in rows
            if row["mine"]
            and row["partnership"].state
            in (*PartnershipState.pending(), PartnershipState.CONFIRMED)
        ],
        "search": search,
        "may_join": project.state == ProjectState.OPEN_FOR_PARTNERS
        and any(
            role == "manager" and centre not in taken for centre, role in roles.centres.items()
        ),
        "partners_url": partners_url(project.pk),
        "errors": errors or [],
        "error_title": error_title,
    }
    response = render(request, "projects/workspace/partners/page.html", context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_GET
@login_required
def project_partners(request, pk):
    return _render_partners(request, _load(request.user, pk))


# --- Refusals on the partners page ------------------------------------------------------------


def _refused_on_partners(request, exc, *, project_id, action_label, anchor, search_data=None):
    """The refusals of the services, shown on the partners page."""
    if isinstance(exc, (NotVisible, UnknownTransition)):
        raise Http404(str(exc))
    if isinstance(exc, NotPermitted):
        return forbidden(request, exc, project_id=project_id)
    if isinstance(exc, WrongState):
        messages.error(request, _("This was no longer possible: %(reason)s") % {"reason": str(exc)})
        return redirect(partners_url(project_id))
    if isinstance(exc, ConditionsNotMet):
        return _render_partners(
            request,
            _load(request.user, project_id),
            status=422,
            errors=[
                {"code": failure.code, "message": str(failure.message), "anchor": anchor}
                for failure in exc.failures
            ],
            error_title=_("“%(action)s” was not possible:") % {"action": action_label},
            search_data=search_data,
        )
    raise exc


@require_GET
@login_required
def partnership_withdraw(request, pk):
    """Confirm before a partner leaves (or the lead removes it): the button posts the
    `withdraw` transition."""
    user = request.user
    project_id, _state, _centre = _partnership_row(pk)
    project = _load(user, project_id)
    partnership = _partnership_in(project, pk)
    action = next(
        (a for a in partnership_actions(partnership, user) if a["name"] == "withdraw"), None
    )
    if action is None:
        if not permissions.partnership_may(user, partnership, "withdraw"):
            return forbidden(request, None, project_id=project_id)
        if partnership.is_lead:
            reason = _("The lead centre cannot leave its own project.")
        elif project.state not in ProjectState.editable():
            reason = _("The proposal is %(state)s: its partners can no longer change.") % {
                "state": project.get_state_display()
            }
        else:
            reason = _("%(centre)s is not a confirmed partner.") % {
                "centre": partnership.centre.name
            }
        messages.error(request, reason)
        return redirect(partners_url(project_id))
    leaving = permissions.roles_of(user).manager_of(partnership.centre_id)
    return render(
        request,
        "projects/workspace/partners/withdraw.html",
        {
            "project": project,
            "partnership": partnership,
            "action": action,
            "leaving": leaving,
            "partners_url": partners_url(project_id),
        },
    )
