"""Scheduled work: automatic reporting after the end date, weekly reminders, email retries."""

import logging
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django.utils.formats import date_format

from tests.factories import reviewer as make_reviewer
from tests.workflow.conftest import advance, build_ready, review, write_final_report
from workflow import scheduled, services
from workflow.exceptions import WrongState
from workflow.models import EmailStatus, Notification, Review, TransitionLog
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db


def emails_to(user):
    return [message for message in mail.outbox if message.to == [user.email]]


def monday(day):
    return day - timedelta(days=day.weekday())


# --- begin_reporting_after_end_date -----------------------------------------------------------


def test_projects_past_their_end_date_begin_reporting(cast, django_capture_on_commit_callbacks):
    project = advance(cast, build_ready(cast), ProjectState.IN_PROGRESS)
    end = project.end_date

    assert scheduled.begin_reporting_after_end_date(today=end) == []  # the last day still runs
    project.refresh_from_db()
    assert project.state == ProjectState.IN_PROGRESS

    with django_capture_on_commit_callbacks(execute=True):
        moved = scheduled.begin_reporting_after_end_date(today=end + timedelta(days=1))

    assert moved == [project.pk]
    project.refresh_from_db()
    assert project.state == ProjectState.REPORTING
    log = TransitionLog.objects.get(project=project, transition="begin_reporting")
    assert (log.from_state, log.to_state, log.actor) == ("in_progress", "reporting", None)
    told = set(
        Notification.objects.filter(event="project_begin_reporting").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"lead", "member"}  # the lead's members, nobody else
    assert {m.to[0] for m in mail.outbox} == {"lead@example.org", "member@example.org"}


def test_begin_reporting_twice_changes_nothing_more(cast, django_capture_on_commit_callbacks):
    project = advance(cast, build_ready(cast), ProjectState.IN_PROGRESS)
    today = project.end_date + timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        scheduled.begin_reporting_after_end_date(today=today)
    logs, notifications, emails = (
        TransitionLog.objects.count(),
        Notification.objects.count(),
        len(mail.outbox),
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert scheduled.begin_reporting_after_end_date(today=today) == []

    assert TransitionLog.objects.count() == logs
    assert Notification.objects.count() == notifications
    assert len(mail.outbox) == emails


def test_a_refused_project_does_not_stop_the_others(cast, monkeypatch, caplog):
    first = advance(cast, build_ready(cast), ProjectState.IN_PROGRESS)
    second = advance(cast, build_ready(cast), ProjectState.IN_PROGRESS)
    real = scheduled.project_transition

    def concurrent_run_wins_first(*, project_id, **kwargs):
        if project_id == first.pk:  # someone else moves it between the query and the transition
            real(project_id=project_id, name="begin_reporting", actor=cast.coordinator)
        return real(project_id=project_id, **kwargs)

    monkeypatch.setattr(scheduled, "project_transition", concurrent_run_wins_first)
    with caplog.at_level(logging.WARNING, logger="workflow.scheduled"):
        moved = scheduled.begin_reporting_after_end_date(today=first.end_date + timedelta(days=1))

    assert moved == [second.pk]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == second.state == ProjectState.REPORTING
    # One begin_reporting each: the coordinator's for the first, the system's for the second.
    logs = TransitionLog.objects.filter(transition="begin_reporting")
    assert {(log.project_id, log.actor_id) for log in logs} == {
        (first.pk, cast.coordinator.pk),
        (second.pk, None),
    }
    [record] = [r for r in caplog.records if r.name == "workflow.scheduled"]
    assert record.project == first.pk
    assert record.code == WrongState.code


# --- remind_reviews_due -----------------------------------------------------------------------


def test_reviewers_are_reminded_of_reviews_due_within_three_days(
    cast, django_capture_on_commit_callbacks
):
    today = monday(timezone.localdate())
    project = advance(cast, build_ready(cast), ProjectState.UNDER_REVIEW)
    due = services.review_assign(
        project_id=project.pk,
        reviewer=cast.reviewer,
        actor=cast.coordinator,
        due_date=today + timedelta(days=3),
    )
    services.review_assign(
        project_id=project.pk,
        reviewer=cast.reviewer2,
        actor=cast.coordinator,
        due_date=today + timedelta(days=4),  # not yet
    )
    done = make_reviewer(username="reviewer3")
    submitted = review(cast, project, done)  # already submitted: never reminded, even if late
    Review.objects.filter(pk=submitted.pk).update(due_date=today - timedelta(days=5))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        [notification] = scheduled.remind_reviews_due(today=today)

    assert notification.recipient == cast.reviewer
    assert notification.event == "reminder_review_due"
    assert notification.project == project
    assert notification.dedupe_key == f"review-due:{due.pk}:{today:%G}-W{today:%V}"
    [email] = mail.outbox
    assert email.to == [cast.reviewer.email]
    assert email.subject == "Reminder: your review of Shared Stages (SHS) is due"
    assert date_format(due.due_date) in email.body
    assert f"/workspace/projects/{project.pk}/" in email.body
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SENT


def test_review_reminders_are_sent_once_a_week(cast, django_capture_on_commit_callbacks):
    today = monday(timezone.localdate())
    project = advance(cast, build_ready(cast), ProjectState.UNDER_REVIEW)
    services.review_assign(
        project_id=project.pk, reviewer=cast.reviewer, actor=cast.coordinator, due_date=today
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert len(scheduled.remind_reviews_due(today=today)) == 1
        assert scheduled.remind_reviews_due(today=today) == []
        assert scheduled.remind_reviews_due(today=today + timedelta(days=6)) == []  # Sunday
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(event="reminder_review_due").count() == 1

    with django_capture_on_commit_callbacks(execute=True):  # overdue the next week: again
        assert len(scheduled.remind_reviews_due(today=today + timedelta(days=7))) == 1
    assert len(emails_to(cast.reviewer)) == 2


def test_no_review_reminder_once_the_proposal_is_decided(cast):
    today = timezone.localdate()
    project = advance(cast, build_ready(cast), ProjectState.UNDER_REVIEW)
    services.review_assign(
        project_id=project.pk, reviewer=cast.reviewer, actor=cast.coordinator, due_date=today
    )
    services.project_transition(project_id=project.pk, name="withdraw", actor=cast.lead_manager)

    assert scheduled.remind_reviews_due(today=today) == []
    assert not Notification.objects.filter(event="reminder_review_due").exists()


# --- remind_reports_due -----------------------------------------------------------------------


def test_the_lead_managers_are_reminded_of_the_final_report(
    cast, django_capture_on_commit_callbacks
):
    project = advance(cast, build_ready(cast), ProjectState.REPORTING)
    deadline = project.end_date + timedelta(days=scheduled.REPORT_DUE_DAYS)
    mail.outbox.clear()

    assert scheduled.remind_reports_due(today=deadline - timedelta(days=15)) == []

    with django_capture_on_commit_callbacks(execute=True):
        sent = scheduled.remind_reports_due(today=deadline - timedelta(days=14))

    # The lead's manager only: not its staff, not the partners, not the coordinator.
    assert [n.recipient for n in sent] == [cast.lead_manager]
    assert sent[0].event == "reminder_report_due"
    [email] = mail.outbox
    assert email.to == [cast.lead_manager.email]
    assert email.subject == "Reminder: the final report of Shared Stages (SHS) is due"
    assert date_format(deadline) in email.body

    with django_capture_on_commit_callbacks(execute=True):  # same week: nothing more
        assert scheduled.remind_reports_due(today=deadline - timedelta(days=14)) == []
    assert len(mail.outbox) == 1


def test_late_reports_are_reminded_weekly_until_submitted(cast):
    project = advance(cast, build_ready(cast), ProjectState.REPORTING)
    late = monday(project.end_date + timedelta(days=scheduled.REPORT_DUE_DAYS + 7))

    assert len(scheduled.remind_reports_due(today=late)) == 1
    assert scheduled.remind_reports_due(today=late + timedelta(days=2)) == []
    assert len(scheduled.remind_reports_due(today=late + timedelta(days=7))) == 1

    write_final_report(cast, project)
    services.project_transition(
        project_id=project.pk, name="submit_report", actor=cast.lead_manager
    )
    assert scheduled.remind_reports_due(today=late + timedelta(days=14)) == []
    assert Notification.objects.filter(event="reminder_report_due").count() == 2


# --- remind_agreements_pending ----------------------------------------------------------------


def test_centres_that_have_not_accepted_the_agreement_are_reminded(
    cast, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    project = advance(cast, build_ready(cast), ProjectState.APPROVED)
    accepted = project.partnerships.get(centre=cast.partner_centre)
    services.partnership_accept_agreement(partnership_id=accepted.pk, actor=cast.partner_manager)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        sent = scheduled.remind_agreements_pending(today=today)

    # The lead's and the second partner's managers; not the partner who accepted, not staff.
    assert {n.recipient for n in sent} == {cast.lead_manager, cast.partner2_manager}
    assert {n.event for n in sent} == {"reminder_agreement_pending"}
    [to_lead] = emails_to(cast.lead_manager)
    [to_partner2] = emails_to(cast.partner2_manager)
    assert len(mail.outbox) == 2
    assert to_lead.subject == "Reminder: accept the grant agreement of Shared Stages (SHS)"
    assert "a manager of Maison de la culture de Lyon still has to accept" in to_lead.body
    assert "a manager of Kulturni centar Zagreb still has to accept" in to_partner2.body

    with django_capture_on_commit_callbacks(execute=True):
        assert scheduled.remind_agreements_pending(today=today) == []
    assert len(mail.outbox) == 2


def test_no_agreement_reminder_once_the_project_started(cast):
    project = advance(cast, build_ready(cast), ProjectState.IN_PROGRESS)
    assert project.state == ProjectState.IN_PROGRESS
    assert scheduled.remind_agreements_pending(today=timezone.localdate()) == []


# --- run_all and the command ------------------------------------------------------------------


def test_run_all_retries_failed_emails(cast):
    now = timezone.now()
    failed = Notification.objects.create(
        recipient=cast.lead_manager,
        event="project_start",
        subject="Shared Stages has started",
        body="Hello",
        email_status=EmailStatus.FAILED,
        email_attempts=1,
        email_next_attempt_at=now - timedelta(minutes=1),
    )

    assert scheduled.run_all(now=now) == {
        "begin_reporting": 0,
        "review_due": 0,
        "report_due": 0,
        "agreement_pending": 0,
        "emails_retried": 1,
    }
    failed.refresh_from_db()
    assert failed.email_status == EmailStatus.SENT
    assert [m.to for m in mail.outbox] == [[cast.lead_manager.email]]


def test_the_command_runs_everything_for_a_given_day(cast, django_capture_on_commit_callbacks):
    project = advance(cast, build_ready(cast), ProjectState.IN_PROGRESS)
    # 47 days after the end: reporting begins, and the report is due within 14 days.
    day = (project.end_date + timedelta(days=47)).isoformat()
    mail.outbox.clear()

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_scheduled", "--date", day, stdout=out)

    assert out.getvalue().strip() == (
        "begin_reporting=1 review_due=0 report_due=1 agreement_pending=0 emails_retried=0"
    )
    project.refresh_from_db()
    assert project.state == ProjectState.REPORTING
    assert TransitionLog.objects.get(project=project, transition="begin_reporting").actor is None
    subjects = sorted(m.subject for m in emails_to(cast.lead_manager))
    assert subjects == [
        "Reminder: the final report of Shared Stages (SHS) is due",
        "Time to report on Shared Stages (SHS)",
    ]

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_scheduled", "--date", day, stdout=out)
    assert out.getvalue().strip() == (
        "begin_reporting=0 review_due=0 report_due=0 agreement_pending=0 emails_retried=0"
    )
    assert len(emails_to(cast.lead_manager)) == 2


def test_a_pending_email_whose_task_was_lost_is_sent_by_the_scheduler(cast):
    from workflow.models import EmailStatus, Notification
    from workflow.tasks import retry_failed_emails

    notification = Notification.objects.create(
        recipient=cast.lead_manager, event="project_submit", subject="Lost", body="Lost task"
    )
    assert retry_failed_emails() == []  # fresh: its task may still run
    Notification.objects.filter(pk=notification.pk).update(
        created_at=timezone.now() - timedelta(minutes=16)
    )
    assert retry_failed_emails() == [EmailStatus.SENT]
    assert [m.subject for m in mail.outbox] == ["Lost"]
