"""A proposal's whole life through the services: states, side effects, log and notifications."""

from decimal import Decimal

import pytest
from django.core import mail

from projects.models import Payment, PaymentKind
from tests.workflow.conftest import advance, build_ready
from workflow.models import Notification, TransitionLog
from workflow.states import PartnershipState, ProjectState, ReportState

pytestmark = pytest.mark.django_db


def test_from_draft_to_completed(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        project = build_ready(cast)
        project = advance(cast, project, ProjectState.COMPLETED)

    assert project.awarded_amount == Decimal("20000.00")
    # rate = awarded / planned costs = 20000 / 30000; accepted costs 30000 → the whole grant.
    assert project.final_grant == Decimal("20000.00")
    payments = {p.kind: p.amount for p in project.payments.all()}
    assert payments == {
        PaymentKind.PREFINANCING: Decimal("12000.00"),
        PaymentKind.BALANCE: Decimal("8000.00"),
    }
    assert project.reports.get().state == ReportState.ACCEPTED

    transitions = list(
        TransitionLog.objects.filter(
            project=project, content_type__model="jointproject"
        ).values_list("transition", flat=True)
    )
    assert transitions == [
        "create",
        "submit",
        "start_review",
        "approve",
        "start",
        "begin_reporting",
        "submit_report",
        "complete",
    ]
    assert Notification.objects.filter(
        recipient=cast.partner_manager, event="project_approve"
    ).exists()
    assert any("Shared Stages" in message.subject for message in mail.outbox)


def test_submitting_declines_pending_invitations(cast):
    from workflow import services

    project = build_ready(cast)
    invited = services.partnership_invite(
        project_id=project.pk, centre_id=cast.other_centre.pk, actor=cast.lead_manager
    )
    services.project_transition(project_id=project.pk, name="submit", actor=cast.lead_manager)
    invited.refresh_from_db()
    assert invited.state == PartnershipState.DECLINED
    log = TransitionLog.objects.get(object_id=invited.pk, transition="decline")
    assert log.payload == {"automatic": True}


def test_completion_with_lower_costs_pays_less_and_records_a_recovery(cast):
    from tests.workflow.conftest import write_final_report
    from workflow import services

    project = advance(cast, build_ready(cast), ProjectState.REPORTING)
    write_final_report(cast, project, amount=Decimal("5000.00"))  # 15,000 of the 30,000 planned
    services.project_transition(
        project_id=project.pk, name="submit_report", actor=cast.lead_manager
    )
    project = services.project_transition(
        project_id=project.pk, name="complete", actor=cast.coordinator
    )
    assert project.final_grant == Decimal("10000.00")  # 2/3 of 15,000
    recovery = Payment.objects.get(project=project, kind=PaymentKind.RECOVERY)
    assert recovery.amount == Decimal("2000.00")  # 12,000 pre-financed − 10,000
