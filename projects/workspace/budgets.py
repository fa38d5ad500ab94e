"""Workspace: a proposal's budget and, once approved, its grant agreement (issue 7, items 4
and 7). Views stay thin: forms validate, services decide
(workflow.services.partnership_set_budget, partnership_accept_agreement), the figures come from
the models' properties (projects.budgets_selectors).

- /workspace/projects/<pk>/budget/: every partner's budget and the proposal's totals; a centre
  edits its own budget while the proposal is editable (the lead reads the others').
- POST …/budget/<partnership>/: save, add a line, or recalculate the totals (nothing saved);
  …/recalculate/ answers htmx with the totals alone.
- /workspace/projects/<pk>/agreement/: each partner's share of the grant and of the
  pre-financing, what it commits to, who accepted; a manager accepts for the centre.

Refusals: a project the person may not see → 404; a budget or agreement of another centre →
403; not possible in the project's state → 409 page; bad input → the page again (400) with the
errors next to the fields and in the summary, nothing saved.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from projects import budgets_selectors as selectors
from projects.workspace._common import badge, forbidden
from projects.workspace.budgets_forms import AgreementForm, BudgetForms
from workflow import permissions, services
from workflow.exceptions import NotPermitted, NotVisible, WrongState
from workflow.states import PartnershipState, ProjectState


def _header(project):
    return {"project": project, "badge": badge(project.state, project.get_state_display())}


def _conflict(request, project, message, *, back):
    return render(
        request,
        "projects/workspace/budgets/conflict.html",
        {**_header(project), "message": message, "back_url": back},
        status=409,
    )


def _partnership(project, partnership_pk):
    for partnership in project.partnerships.all():
        if partnership.pk == partnership_pk:
            return partnership
    raise Http404("No such partnership in this project.")


def _refused(request, exc, project, *, back):
    if isinstance(exc, NotVisible):
        raise Http404(str(exc))
    if isinstance(exc, NotPermitted):
        return forbidden(request, exc, project_id=project.pk)
    if isinstance(exc, WrongState):
        return _conflict(request, project, _not_editable(project), back=back)
    raise exc


def _not_editable(project):
    return _(
        "The proposal is “%(state)s”: its budget can no longer change. Budgets change only "
        "while the proposal is a draft, open for partners or sent back for changes."
    ) % {"state": project.get_state_display()}


# --- The budget page ----------------------------------------------------------------------------


def _is_reviewer(user, project):
    roles = permissions.roles_of(user)
    return roles.is_reviewer and permissions.is_assigned_reviewer(user, project)


def _render_budget(request, project, *, editing=None, status=200, unsaved=False):
    """The page; `editing` is the posted form of one partner (shown as typed), and with
    `unsaved` the totals are those it would give."""
    user = request.user
    partnerships = selectors.shown_partnerships(project)
    reviewer = None
    sections = []
    for partnership in partnerships:
        editable = selectors.may_edit_budget(user, project, partnership)
        sees = True
        if not editable:
            sees = selectors.sees_budget_lines(user, project, partnership, reviewer=False)
            if not sees:
                if reviewer is None:
                    reviewer = _is_reviewer(user, project)
                sees = reviewer
        forms = None
        if editable:
            forms = (
                editing
                if editing is not None and editing.partnership.pk == partnership.pk
                else BudgetForms.saved(partnership)
            )
        sections.append(
            {
                "partnership": partnership,
                "badge": badge(partnership.state, partnership.get_state_display()),
                "forms": forms,
                "lines": list(partnership.budget_lines.all()) if sees and not editable else None,
                "sees_lines": sees,
                "save_url": reverse("workspace:budget_save", args=[project.pk, partnership.pk]),
                "recalculate_url": reverse(
                    "workspace:budget_recalculate", args=[project.pk, partnership.pk]
                ),
            }
        )
    # Each centre's own budget first, then the lead's, then the others in their order.
    sections.sort(key=lambda s: (s["forms"] is None, not s["partnership"].is_lead))
    if editing is not None and unsaved:
        lines, own = editing.readable()
        selectors.with_unsaved_budget(
            project, editing.partnership, lines=lines, own_contribution=own
        )
    errors = editing.summary() if editing is not None else []
    context = {
        **_header(project),
        "sections": sections,
        "totals": selectors.budget_totals(project, partnerships),
        "unsaved": unsaved,
        "incomplete": unsaved and editing is not None and not editing.complete(),
        "editable": project.state in ProjectState.editable(),
        "errors": errors,
        "error_title": _("Check the budget: nothing was saved.") if errors else "",
    }
    return render(request, "projects/workspace/budgets/budget.html", context, status=status)


@require_http_methods(["GET", "HEAD"])
@login_required
def budget(request, pk):
    project = selectors.project_for_budget(request.user, pk)
    return _render_budget(request, project)


def _editable_budget(request, pk, partnership_pk):
    """(project, partnership, refusal): the refusal is the response when this person may not
    change this budget now (the service's order: 404, then 403, then 409)."""
    user = request.user
    project = selectors.project_for_budget(user, pk)
    partnership = _partnership(project, partnership_pk)
    back = reverse("workspace:budget", args=[project.pk])
    own = permissions.can_edit_budget(user, partnership) and permissions.roles_of(user).member_of(
        partnership.centre_id
    )
    if not own:
        return project, partnership, forbidden(request, None, project_id=project.pk)
    if project.state not in ProjectState.editable():
        return project, partnership, _conflict(request, project, _not_editable(project), back=back)
    if partnership.state not in selectors.SHOWN_STATES:
        message = _("%(centre)s no longer takes part in this proposal (%(state)s).") % {
            "centre": partnership.centre.name,
            "state": partnership.get_state_display(),
        }
        return project, partnership, _conflict(request, project, message, back=back)
    return project, partnership, None


@require_POST
@login_required
def budget_save(request, pk, partnership_pk):
    """Save one partner's budget; or give the form back with a line more ("add"), or with the
    totals it would give ("recalculate"): those two save nothing."""
    project, partnership, refusal = _editable_budget(request, pk, partnership_pk)
    if refusal is not None:
        return refusal
    action = request.POST.get("action", "save")
    if action == "add":
        editing = BudgetForms.with_line_added(partnership, request.POST)
        return _render_budget(request, project, editing=editing, unsaved=True)
    editing = BudgetForms(partnership, request.POST)
    if action == "recalculate":
        return _render_budget(request, project, editing=editing, unsaved=True)
    if not editing.is_valid():
        return _render_budget(request, project, editing=editing, status=400, unsaved=True)
    back = reverse("workspace:budget", args=[project.pk])
    try:
        services.partnership_set_budget(
            partnership_id=partnership.pk,
            actor=request.user,
            lines=editing.lines(),
            own_contribution=editing.own_contribution(),
        )
    except (NotVisible, NotPermitted, WrongState) as exc:
        return _refused(request, exc, project, back=back)
    except ValidationError as exc:  # the service's own check of the amounts
        editing.contribution.add_error(None, exc.messages[0])
        return _render_budget(request, project, editing=editing, status=400, unsaved=True)
    messages.success(
        request,
        _("The budget of %(centre)s is saved.") % {"centre": partnership.centre.name},
    )
    return redirect(f"{back}#budget-{partnership.pk}")


@require_POST
@login_required
def budget_recalculate(request, pk, partnership_pk):
    """The totals for the values being typed, nothing saved: the totals alone for htmx, the
    whole page otherwise."""
    project, partnership, refusal = _editable_budget(request, pk, partnership_pk)
    if refusal is not None:
        return refusal
    editing = BudgetForms(partnership, request.POST)
    if not request.htmx:
        return _render_budget(request, project, editing=editing, unsaved=True)
    lines, own = editing.readable()
    selectors.with_unsaved_budget(project, partnership, lines=lines, own_contribution=own)
    partnerships = selectors.shown_partnerships(project)
    return render(
        request,
        "projects/workspace/budgets/_totals.html",
        {
            "project": project,
            "totals": selectors.budget_totals(project, partnerships),
            "unsaved": True,
            "incomplete": not editing.complete(),
        },
    )


# --- The grant agreement ------------------------------------------------------------------------


def _render_agreement(request, project, *, status=200, posted=None, form=None):
    user = request.user
    roles = permissions.roles_of(user)
    agreement = selectors.grant_agreement(project)
    rows = []
    for share in agreement.shares:
        partnership = share.partnership
        can_accept = (
            agreement.open
            and permissions.can_manage_partnership(user, partnership)
            and partnership.state == PartnershipState.CONFIRMED
            and not partnership.agreement_accepted
        )
        rows.append(
            {
                "share": share,
                "partnership": partnership,
                "mine": roles.member_of(partnership.centre_id),
                "can_accept": can_accept,
                "form": form if form is not None and posted == partnership.pk else None,
                "accepted_by": (
                    partnership.agreement_accepted_by.get_full_name()
                    or partnership.agreement_accepted_by.get_username()
                )
                if partnership.agreement_accepted_by_id
                else "",
            }
        )
    errors = []
    if form is not None and form.errors:
        errors = [
            {
                "code": "invalid",
                "message": str(message),
                "anchor": f"agreement-{posted}-accept",
            }
            for message in form.errors.get("accept", [])
        ]
    context = {
        **_header(project),
        "agreement": agreement,
        "rows": rows,
        "mine": [row for row in rows if row["mine"]],
        "approved_once": project.awarded_amount is not None,
        "errors": errors,
        "error_title": _("Check what you entered for “Accept the grant agreement”:")
        if errors
        else "",
    }
    return render(request, "projects/workspace/budgets/agreement.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def agreement(request, pk):
    user = request.user
    project = selectors.project_for_budget(user, pk)
    if request.method != "POST":
        return _render_agreement(request, project)
    try:
        partnership_pk = int(request.POST.get("partnership", ""))
    except ValueError:
        raise Http404("No such partnership in this project.") from None
    partnership = _partnership(project, partnership_pk)
    back = reverse("workspace:grant_agreement", args=[project.pk])
    form = AgreementForm(request.POST)
    manages = permissions.can_manage_partnership(user, partnership)
    if manages and project.state == ProjectState.APPROVED and partnership.agreement_accepted:
        accepted_by = partnership.agreement_accepted_by
        message = _("%(centre)s accepted the grant agreement already (%(who)s).") % {
            "centre": partnership.centre.name,
            "who": accepted_by.get_full_name() or accepted_by.get_username(),
        }
        return _conflict(request, project, message, back=back)
    if manages and not form.is_valid():
        return _render_agreement(request, project, status=400, posted=partnership.pk, form=form)
    try:
        services.partnership_accept_agreement(partnership_id=partnership.pk, actor=user)
    except NotVisible as exc:
        raise Http404(str(exc)) from None
    except NotPermitted as exc:
        return forbidden(request, exc, project_id=project.pk)
    except WrongState:
        if project.state == ProjectState.APPROVED:
            message = _("%(centre)s is not a confirmed partner of this project.") % {
                "centre": partnership.centre.name
            }
        else:
            message = _(
                "The grant agreement is accepted while the project is approved and not started; "
                "the project is “%(state)s”."
            ) % {"state": project.get_state_display()}
        return _conflict(request, project, message, back=back)
    messages.success(
        request,
        _("%(centre)s accepted the grant agreement.") % {"centre": partnership.centre.name},
    )
    return redirect(back)


urlpatterns = [
    path("projects/<int:pk>/budget/", budget, name="budget"),
    path(
        "projects/<int:pk>/budget/<int:partnership_pk>/",
        budget_save,
        name="budget_save",
    ),
    path(
        "projects/<int:pk>/budget/<int:partnership_pk>/recalculate/",
        budget_recalculate,
        name="budget_recalculate",
    ),
    path("projects/<int:pk>/agreement/", agreement, name="grant_agreement"),
]
