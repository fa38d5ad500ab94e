"""The coordinators' money decisions outside the lifecycles: a payment made (or a recovery
received), and the actual costs accepted per partner before the project is settled.

Both take the project lock first, then their own row (`lock_part`), like every change to a part
of a project, and write the transition log so the project's history shows them.
"""

from datetime import datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflow import permissions
from workflow.conditions import Failure, money
from workflow.exceptions import ConditionsNotMet, NotPermitted, NotVisible, WrongState
from workflow.notifications import notify
from workflow.states import ProjectState, ReportState

from . import _core
from .projects import CENT, lock_part

# A report's accepted costs stay open while the coordinator may still weigh them: a report the
# lead can no longer change (submitted, or an interim one already accepted), on a project not
# yet settled. Draft and returned reports are the lead's: their costs may still be replaced.
COSTS_OPEN_PROJECT_STATES = frozenset(
    {ProjectState.IN_PROGRESS, ProjectState.REPORTING, ProjectState.REPORT_SUBMITTED}
)
COSTS_OPEN_REPORT_STATES = frozenset({ReportState.SUBMITTED, ReportState.ACCEPTED})


def costs_adjustable(report, project):
    """Whether a coordinator may still change the accepted costs of `report`."""
    return report.state in COSTS_OPEN_REPORT_STATES and project.state in COSTS_OPEN_PROJECT_STATES


def _paid_at(paid_on):
    # A payment recorded today keeps the moment; an earlier day is noon of that day, clear of
    # midnight so the date reads the same in any European time zone.
    if paid_on == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.combine(paid_on, time(12)))


def payment_mark_paid(*, payment_id, actor, paid_on):
    """Record that a payment was made (a recovery: received) on `paid_on` (a date)."""
    from projects.models import Payment

    with transaction.atomic():
        project, payment = lock_part(Payment, payment_id)
        if project is None or not permissions.can_view_project(actor, project):
            raise NotVisible("No such payment.")
        if not permissions.is_coordinator(actor):
            raise NotPermitted("Only coordinators record payments.")
        if payment.is_paid:
            raise WrongState("The payment is already marked paid.", state="paid")
        if paid_on > timezone.localdate():
            raise ConditionsNotMet(
                [Failure("paid_on_future", _("The payment date cannot be in the future."))]
            )
        payment.paid_at = _paid_at(paid_on)
        payment.save(update_fields=["paid_at"])
        log = _core.write_log(
            obj=payment,
            project=project,
            name="mark_paid",
            from_state="due",
            to_state="paid",
            actor=actor,
            payload={
                "kind": payment.kind,
                "amount": str(payment.amount),
                "paid_on": paid_on.isoformat(),
            },
        )
        # Nobody is told until ("payment", "mark_paid") has recipients in notifications.py.
        notify(kind="payment", name="mark_paid", obj=payment, project=project, actor=actor, log=log)
    return payment


def _amount(value):
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise ValidationError({"accepted": f"Not an amount: {value!r}."}) from None
    if not amount.is_finite():
        raise ValidationError({"accepted": f"Not an amount: {value!r}."})
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def report_costs_accept(*, report_id, actor, accepted):
    """Set the accepted actual costs of a report: accepted = {partnership id: Decimal}, each
    between 0 and what that partner reported. Partners left out keep their accepted costs."""
    from projects.models import Report

    with transaction.atomic():
        project, report = lock_part(Report, report_id)
        if project is None or not permissions.can_view_project(actor, project):
            raise NotVisible("No such report.")
        if not permissions.is_coordinator(actor):
            raise NotPermitted("Only coordinators accept costs.")
        if not costs_adjustable(report, project):
            state = report.state if report.state not in COSTS_OPEN_REPORT_STATES else project.state
            raise WrongState(
                f"The accepted costs can no longer change (the report is {report.state}, "
                f"the project {project.state}).",
                state=state,
            )
        costs = {cost.partnership_id: cost for cost in report.costs.select_for_update()}
        unknown = sorted(pk for pk in accepted if pk not in costs)
        if unknown:
            raise ValidationError({"accepted": f"No reported costs of partnerships {unknown}."})
        centres = {p.pk: p.centre.name for p in project.partnerships.all()}
        amounts = {pk: _amount(value) for pk, value in accepted.items()}
        failed = []
        for pk, amount in amounts.items():
            reported = costs[pk].amount
            if amount < 0:
                failed.append(
                    Failure(
                        "accepted_negative",
                        _("%(centre)s: the accepted costs cannot be negative.")
                        % {"centre": centres.get(pk, pk)},
                    )
                )
            elif amount > reported:
                failed.append(
                    Failure(
                        "accepted_above_reported",
                        _("%(centre)s: at most the reported costs (%(reported)s) are accepted.")
                        % {"centre": centres.get(pk, pk), "reported": money(reported)},
                    )
                )
        if failed:
            raise ConditionsNotMet(failed)
        changed = {}
        for pk, amount in amounts.items():
            cost = costs[pk]
            if cost.accepted_amount != amount:
                cost.accepted_amount = amount
                cost.save(update_fields=["accepted_amount"])
                changed[str(pk)] = str(amount)
        if changed:
            # What settling would count now: a partner not weighed yet counts as reported.
            total = sum(
                (
                    c.accepted_amount if c.accepted_amount is not None else c.amount
                    for c in costs.values()
                ),
                Decimal(0),
            )
            _core.write_log(
                obj=report,
                project=project,
                name="accept_costs",
                from_state=report.state,
                to_state=report.state,
                actor=actor,
                payload={"accepted_costs": str(total), "costs": changed},
            )
    return report
