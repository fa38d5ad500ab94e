"""The coordinators' money services: a payment marked paid, the accepted costs of a report."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from projects.models import Payment, PaymentKind, Report, ReportCost
from tests.factories import JointProjectFactory, PaymentFactory, UserFactory
from tests.workflow.conftest import advance, build_ready, write_final_report
from workflow import services
from workflow.exceptions import ConditionsNotMet, NotPermitted, NotVisible, WrongState
from workflow.models import TransitionLog
from workflow.states import ProjectState, ReportState

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(cast):
    return advance(cast, build_ready(cast), ProjectState.IN_PROGRESS)


@pytest.fixture
def prefinancing(started):
    return started.payments.get(kind=PaymentKind.PREFINANCING)


@pytest.fixture
def report_submitted(cast):
    return advance(cast, build_ready(cast), ProjectState.REPORT_SUBMITTED)


def final_report(project):
    return project.reports.get(kind="final")


def costs_of(report):
    return {cost.partnership_id: cost for cost in report.costs.all()}


# --- payment_mark_paid ------------------------------------------------------------------------


def test_a_coordinator_marks_the_prefinancing_paid_and_the_history_shows_it(cast, prefinancing):
    paid_on = timezone.localdate() - timedelta(days=3)
    services.payment_mark_paid(payment_id=prefinancing.pk, actor=cast.coordinator, paid_on=paid_on)

    prefinancing.refresh_from_db()
    assert timezone.localtime(prefinancing.paid_at).date() == paid_on
    log = TransitionLog.objects.get(transition="mark_paid")
    assert log.content_type == ContentType.objects.get_for_model(Payment)
    assert log.object_id == prefinancing.pk
    assert log.project_id == prefinancing.project_id
    assert (log.from_state, log.to_state, log.actor) == ("due", "paid", cast.coordinator)
    assert log.payload == {
        "kind": "prefinancing",
        "amount": "12000.00",  # 60 % of the 20,000 awarded
        "paid_on": paid_on.isoformat(),
    }


def test_a_payment_marked_paid_today_keeps_the_moment(cast, prefinancing):
    before = timezone.now()
    services.payment_mark_paid(
        payment_id=prefinancing.pk, actor=cast.coordinator, paid_on=timezone.localdate()
    )
    prefinancing.refresh_from_db()
    assert before <= prefinancing.paid_at <= timezone.now()


def test_a_payment_is_marked_paid_once(cast, prefinancing):
    today = timezone.localdate()
    services.payment_mark_paid(payment_id=prefinancing.pk, actor=cast.coordinator, paid_on=today)
    with pytest.raises(WrongState) as refused:
        services.payment_mark_paid(
            payment_id=prefinancing.pk, actor=cast.coordinator, paid_on=today
        )
    assert refused.value.status == 409
    assert TransitionLog.objects.filter(transition="mark_paid").count() == 1


def test_a_payment_cannot_be_paid_in_the_future(cast, prefinancing):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ConditionsNotMet) as refused:
        services.payment_mark_paid(
            payment_id=prefinancing.pk, actor=cast.coordinator, paid_on=tomorrow
        )
    assert refused.value.codes == ["paid_on_future"]
    prefinancing.refresh_from_db()
    assert prefinancing.paid_at is None


@pytest.mark.parametrize("who", ["lead_manager", "partner_manager", "reviewer"])
def test_only_coordinators_mark_payments_paid(cast, prefinancing, who):
    with pytest.raises(NotPermitted):
        services.payment_mark_paid(
            payment_id=prefinancing.pk, actor=getattr(cast, who), paid_on=timezone.localdate()
        )
    prefinancing.refresh_from_db()
    assert prefinancing.paid_at is None
    assert not TransitionLog.objects.filter(transition="mark_paid").exists()


def test_a_payment_nobody_may_see_is_not_found(cast):
    # A payment on a proposal that is not public (a submitted one): an outsider learns nothing.
    payment = PaymentFactory(project=JointProjectFactory(state=ProjectState.SUBMITTED))
    with pytest.raises(NotVisible):
        services.payment_mark_paid(
            payment_id=payment.pk, actor=UserFactory(), paid_on=timezone.localdate()
        )
    with pytest.raises(NotVisible):
        services.payment_mark_paid(
            payment_id=payment.pk + 1000, actor=cast.coordinator, paid_on=timezone.localdate()
        )


def test_a_recovery_is_marked_received(cast):
    payment = PaymentFactory(
        project=JointProjectFactory(state=ProjectState.COMPLETED), kind=PaymentKind.RECOVERY
    )
    services.payment_mark_paid(
        payment_id=payment.pk, actor=cast.coordinator, paid_on=timezone.localdate()
    )
    payment.refresh_from_db()
    assert payment.is_paid


# --- report_costs_accept ------------------------------------------------------------------------


def test_a_coordinator_adjusts_the_accepted_costs_and_completing_uses_them(cast, report_submitted):
    report = final_report(report_submitted)
    costs = costs_of(report)
    first, second, third = sorted(costs)
    services.report_costs_accept(
        report_id=report.pk,
        actor=cast.coordinator,
        accepted={first: Decimal("4000"), second: Decimal("10000.00")},
    )
    costs = costs_of(report)
    assert costs[first].accepted_amount == Decimal("4000.00")
    assert costs[second].accepted_amount == Decimal("10000.00")
    assert costs[third].accepted_amount is None  # left out: not decided yet
    log = TransitionLog.objects.get(transition="accept_costs")
    assert (log.object_id, log.actor, log.from_state, log.to_state) == (
        report.pk,
        cast.coordinator,
        ReportState.SUBMITTED,
        ReportState.SUBMITTED,
    )
    # What settling would count now: 4,000 + 10,000 + 10,000 (the third as reported).
    assert log.payload == {
        "accepted_costs": "24000.00",
        "costs": {str(first): "4000.00", str(second): "10000.00"},
    }

    services.project_transition(
        project_id=report_submitted.pk, name="complete", actor=cast.coordinator
    )
    report_submitted.refresh_from_db()
    # The grant covers 20,000 of the planned 30,000 (2/3) of the 24,000 accepted: 16,000.
    assert report_submitted.final_grant == Decimal("16000.00")
    assert costs_of(report)[third].accepted_amount == Decimal("10000.00")
    balance = report_submitted.payments.get(kind=PaymentKind.BALANCE)
    assert balance.amount == Decimal("4000.00")  # 16,000 − 12,000 pre-financed


def test_accepted_costs_are_between_zero_and_what_was_reported(cast, report_submitted):
    report = final_report(report_submitted)
    first, second, _third = sorted(costs_of(report))
    with pytest.raises(ConditionsNotMet) as refused:
        services.report_costs_accept(
            report_id=report.pk,
            actor=cast.coordinator,
            accepted={first: Decimal("10000.01"), second: Decimal("-1")},
        )
    assert refused.value.status == 422
    assert refused.value.codes == ["accepted_above_reported", "accepted_negative"]
    assert "at most the reported costs (10,000.00 EUR)" in str(refused.value)
    assert all(cost.accepted_amount is None for cost in costs_of(report).values())
    assert not TransitionLog.objects.filter(transition="accept_costs").exists()


def test_accepting_the_reported_amount_exactly_is_allowed(cast, report_submitted):
    report = final_report(report_submitted)
    first = min(costs_of(report))
    services.report_costs_accept(
        report_id=report.pk, actor=cast.coordinator, accepted={first: Decimal("10000.00")}
    )
    assert costs_of(report)[first].accepted_amount == Decimal("10000.00")


def test_costs_of_a_partner_who_reported_none_are_malformed_input(cast, report_submitted):
    report = final_report(report_submitted)
    with pytest.raises(ValidationError):
        services.report_costs_accept(
            report_id=report.pk, actor=cast.coordinator, accepted={999999: Decimal("1")}
        )
    first = min(costs_of(report))
    with pytest.raises(ValidationError):
        services.report_costs_accept(
            report_id=report.pk, actor=cast.coordinator, accepted={first: "a lot"}
        )


def test_unchanged_costs_write_no_log(cast, report_submitted):
    report = final_report(report_submitted)
    first = min(costs_of(report))
    for _ in range(2):
        services.report_costs_accept(
            report_id=report.pk, actor=cast.coordinator, accepted={first: Decimal("9000")}
        )
    assert TransitionLog.objects.filter(transition="accept_costs").count() == 1


def test_accepted_costs_are_final_once_the_project_is_completed(cast):
    project = advance(cast, build_ready(cast), ProjectState.COMPLETED)
    report = final_report(project)
    with pytest.raises(WrongState) as refused:
        services.report_costs_accept(
            report_id=report.pk, actor=cast.coordinator, accepted={min(costs_of(report)): 1}
        )
    assert refused.value.status == 409


def test_a_report_the_lead_still_writes_has_no_accepted_costs(cast):
    project = advance(cast, build_ready(cast), ProjectState.REPORTING)
    report = write_final_report(cast, project)
    assert report.state == ReportState.DRAFT
    with pytest.raises(WrongState):
        services.report_costs_accept(
            report_id=report.pk, actor=cast.coordinator, accepted={min(costs_of(report)): 1}
        )


def test_an_accepted_interim_report_stays_adjustable_while_the_project_runs(cast, started):
    report = services.report_create(project_id=started.pk, actor=cast.lead_manager, kind="interim")
    lead = started.partnerships.get(role="lead")
    services.report_update(
        report_id=report.pk,
        actor=cast.lead_manager,
        narrative="First half.",
        costs=[{"partnership": lead.pk, "amount": Decimal("3000.00")}],
    )
    services.report_transition(report_id=report.pk, name="submit", actor=cast.lead_manager)
    services.report_transition(report_id=report.pk, name="accept", actor=cast.coordinator)
    services.report_costs_accept(
        report_id=report.pk, actor=cast.coordinator, accepted={lead.pk: Decimal("2500")}
    )
    assert ReportCost.objects.get(report=report).accepted_amount == Decimal("2500.00")


@pytest.mark.parametrize("who", ["lead_manager", "partner_manager"])
def test_only_coordinators_accept_costs(cast, report_submitted, who):
    report = final_report(report_submitted)
    with pytest.raises(NotPermitted):
        services.report_costs_accept(
            report_id=report.pk, actor=getattr(cast, who), accepted={min(costs_of(report)): 1}
        )


def test_a_report_that_does_not_exist_is_not_found(cast):
    with pytest.raises(NotVisible):
        services.report_costs_accept(
            report_id=Report.objects.count() + 1000, actor=cast.coordinator, accepted={}
        )
