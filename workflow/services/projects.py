"""The project transition service: every proposal/project state change goes through here."""

import functools
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from workflow import permissions
from workflow.conditions import TransitionInput
from workflow.exceptions import ConditionsNotMet, NotPermitted, NotVisible, WrongState
from workflow.notifications import notify
from workflow.signals import project_changed
from workflow.states import PartnershipState, ProjectState, ReportState

from . import _core
from .ranking import ranking_refresh_project

RESUBMISSION_DAYS = 21
PAYMENT_DUE_DAYS = 30
CENT = Decimal("0.01")

# Transitions whose conditions sum over every project of the call (the awarded total against
# the call's budget): two of them on different projects must not both pass on the same total,
# so they lock the call row first. The lock order is always call, then project.
CALL_WIDE_TRANSITIONS = frozenset({"approve"})


def lock_call_of(project_id):
    """Lock the call row of a project (before the project: one lock order, no deadlock).
    Raises JointProject.DoesNotExist when there is no such project."""
    from projects.models import Call, JointProject

    call_id = JointProject.objects.filter(pk=project_id).values_list("call_id", flat=True).first()
    if call_id is None:
        raise JointProject.DoesNotExist
    list(Call.objects.select_for_update().filter(pk=call_id).values_list("pk", flat=True))


def lock_project(project_id, *, lock_call=False):
    """Lock the project row: every change to a project or its parts takes this lock first
    (after the call row when `lock_call`, for checks that sum over the call)."""
    from projects.models import JointProject

    if lock_call:
        lock_call_of(project_id)
    project = (
        JointProject.objects.select_for_update(of=("self",))
        .select_related("call", "tier", "lead_centre")
        .get(pk=project_id)
    )
    prefetch_related_objects([project], "partnerships__centre", "partnerships__budget_lines")
    return project


def lock_part(model, pk, *, related=()):
    """Lock a part of a project (partnership, review, report): its project first, then its own
    row, always in that order so two services never deadlock. Returns (project, part), or
    (None, None) when there is no such part."""
    project_id = model.objects.filter(pk=pk).values_list("project_id", flat=True).first()
    if project_id is None:
        return None, None
    project = lock_project(project_id)
    parts = model.objects.select_for_update(of=("self",))
    if related:
        parts = parts.select_related(*related)
    part = parts.get(pk=pk)
    part.project = project
    return project, part


def project_available_transitions(*, project, user):
    return _core.available_transitions(
        project, allowed=lambda name: permissions.can_run_project_transition(user, project, name)
    )


def project_transition(
    *,
    project_id,
    name,
    actor,
    comment="",
    awarded_amount=None,
    override_reason="",
    resubmission_date=None,
):
    """Run transition `name` of a project for `actor` (None: the system, for scheduled work)."""
    from projects.models import JointProject

    data = TransitionInput(
        comment=comment or "",
        awarded_amount=awarded_amount,
        override_reason=override_reason or "",
        resubmission_date=resubmission_date,
    )
    with transaction.atomic():
        try:
            project = lock_project(project_id, lock_call=name in CALL_WIDE_TRANSITIONS)
        except JointProject.DoesNotExist:
            raise _core.NotVisible("No such project.") from None
        method = _core.check(
            kind="project",
            obj=project,
            name=name,
            visible=actor is None or permissions.can_view_project(actor, project),
            permitted=permissions.can_run_project_transition(actor, project, name),
            data=data,
        )
        kwargs, payload = _prepare(project, name, data)
        source = project.state
        log = _core.run(
            obj=project,
            method=method,
            name=name,
            project=project,
            actor=actor,
            data=data,
            kwargs=kwargs,
            payload=payload,
        )
        _SIDE_EFFECTS.get(name, _nothing)(project, actor=actor, data=data, log=log)
        _record_revision(project, name=name, source=source, actor=actor)
        # Entering the ranking (submit) writes the proposal's row; later changes keep it current.
        ranking_refresh_project(project)
        notify(kind="project", name=name, obj=project, project=project, actor=actor, log=log)
        # The public page follows (cms.sync), once the change is committed.
        transaction.on_commit(
            functools.partial(
                project_changed.send, sender=type(project), project_id=project.pk, transition=name
            ),
            robust=True,
        )
    return project


def project_transition_many(*, project_ids, name, actor, comment=""):
    """Run one transition on many projects (a coordinator's bulk action), each in its own
    transaction through `project_transition`: one refusal (a concurrent change, a failed
    condition) leaves the others done. Returns (done ids, {id: the refusal})."""
    done, refused = [], {}
    for project_id in project_ids:
        try:
            project_transition(project_id=project_id, name=name, actor=actor, comment=comment)
        except (WrongState, ConditionsNotMet, NotPermitted, NotVisible) as refusal:
            refused[project_id] = refusal
        else:
            done.append(project_id)
    return done, refused


def _record_revision(project, *, name, source, actor):
    """Submitting and returning are the moments revisions are compared from (issue 7)."""
    from projects.models import RevisionReason
    from projects.revisions import revision_record

    if name == "submit":
        reason = (
            RevisionReason.RESUBMITTED
            if source == ProjectState.CHANGES_REQUESTED
            else RevisionReason.SUBMITTED
        )
    elif name == "request_changes":
        reason = RevisionReason.RETURNED
    else:
        return
    revision_record(project=project, actor=actor, reason=reason)


def _prepare(project, name, data):
    """The transition's arguments and the log's payload."""
    if name == "request_changes":
        date = data.resubmission_date or timezone.now() + timedelta(days=RESUBMISSION_DAYS)
        return {"resubmission_date": date}, {"resubmission_date": date.isoformat()}
    if name == "approve":
        payload = {"awarded_amount": str(data.awarded_amount)}
        if data.override_reason:
            payload["override_reason"] = data.override_reason
        return {"awarded_amount": data.awarded_amount}, payload
    if name in ("complete", "terminate"):
        final_grant, accepted_costs = _final_grant(
            project, including_final_report=name == "complete"
        )
        return {"final_grant": final_grant}, {
            "final_grant": str(final_grant),
            "accepted_costs": str(accepted_costs),
        }
    return {}, {}


def grant_rate(project):
    """The share of the eligible costs the grant covers: awarded ÷ planned costs, capped."""
    total = project.total_cost
    if not total or not project.awarded_amount:
        return Decimal(0)
    return min(project.awarded_amount / total, project.rules.max_cofinancing_rate)


def _final_grant(project, *, including_final_report):
    """min(awarded, rate × accepted actual costs), from accepted reports (and the final one)."""
    from projects.models import ReportCost, ReportKind

    costs = ReportCost.objects.filter(report__project=project)
    accepted = costs.filter(report__state=ReportState.ACCEPTED)
    total = sum((c.accepted_amount or Decimal(0) for c in accepted), Decimal(0))
    if including_final_report:
        pending_final = costs.filter(
            report__kind=ReportKind.FINAL, report__state=ReportState.SUBMITTED
        )
        total += sum(
            (
                c.accepted_amount if c.accepted_amount is not None else c.amount
                for c in pending_final
            ),
            Decimal(0),
        )
    final = min(project.awarded_amount or Decimal(0), grant_rate(project) * total)
    return final.quantize(CENT, rounding=ROUND_DOWN), total


# --- Side effects, in the same transaction -----------------------------------------------------


def _nothing(project, **kwargs):
    pass


def _decline_pending_partnerships(project, *, actor, data, log):
    """Submitting closes the partner search: pending invitations and requests are declined."""
    from . import partnerships

    for partnership in project.partnerships.all():
        if partnership.state in PartnershipState.pending():
            partnerships.decline_automatically(partnership, project=project, actor=actor)


def _schedule_prefinancing(project, *, actor, data, log):
    from projects.models import Payment, PaymentKind

    amount = (project.awarded_amount * project.call.prefinancing_rate).quantize(
        CENT, rounding=ROUND_DOWN
    )
    Payment.objects.create(
        project=project,
        kind=PaymentKind.PREFINANCING,
        amount=amount,
        due_date=timezone.localdate() + timedelta(days=PAYMENT_DUE_DAYS),
    )


def _settle(project, *, actor, data, log):
    """Balance = final grant − pre-financing; a recovery when that is negative."""
    from projects.models import Payment, PaymentKind

    prefinanced = sum(
        (p.amount for p in project.payments.filter(kind=PaymentKind.PREFINANCING)), Decimal(0)
    )
    difference = project.final_grant - prefinanced
    if difference:
        Payment.objects.create(
            project=project,
            kind=PaymentKind.BALANCE if difference > 0 else PaymentKind.RECOVERY,
            amount=abs(difference),
            due_date=timezone.localdate() + timedelta(days=PAYMENT_DUE_DAYS),
        )


def _final_report(project):
    from projects.models import ReportKind

    return project.reports.select_for_update().filter(kind=ReportKind.FINAL).first()


def _submit_final_report(project, *, actor, data, log):
    from . import reports

    reports.run_report_transition(
        _final_report(project), "submit", project=project, actor=actor, data=data
    )


def _return_final_report(project, *, actor, data, log):
    from . import reports

    reports.run_report_transition(
        _final_report(project), "return", project=project, actor=actor, data=data
    )


def _complete(project, *, actor, data, log):
    from . import reports

    report = _final_report(project)
    if report is not None and report.state == ReportState.SUBMITTED:
        reports.run_report_transition(report, "accept", project=project, actor=actor, data=data)
    _settle(project, actor=actor, data=data, log=log)


_SIDE_EFFECTS = {
    "submit": _decline_pending_partnerships,
    "start": _schedule_prefinancing,
    "submit_report": _submit_final_report,
    "return_report": _return_final_report,
    "complete": _complete,
    "terminate": _settle,
}


def project_is_editable_or_409(project):
    if project.state not in ProjectState.editable():
        raise _core.WrongState(
            f"The proposal can no longer be edited (it is {project.state}).", state=project.state
        )
