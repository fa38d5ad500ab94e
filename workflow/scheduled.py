"""Scheduled work, run every few minutes by cron (`manage.py run_scheduled`).

Every function is idempotent: a project moves to reporting once (the transition service refuses
a second time), and a reminder is sent at most once a week per person and object (the
`notification_reminder_once` constraint on `Notification.dedupe_key`). Two overlapping runs are
safe for the same reasons.
"""

import logging
from datetime import timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from workflow.exceptions import WorkflowError
from workflow.notifications import (
    CENTRE_MANAGERS,
    LEAD_MANAGERS,
    THE_REVIEWER,
    language_of,
    project_link,
    recipients,
    render,
)
from workflow.services import project_transition
from workflow.states import PartnershipState, ProjectState, ReportState, ReviewState

logger = logging.getLogger(__name__)

REPORT_DUE_DAYS = 60  # the final report is due this many days after the project's end date
REVIEW_REMINDER_DAYS = 3  # remind a reviewer this many days before the review's due date
REPORT_REMINDER_DAYS = 14  # remind the lead this many days before the report's due date
REVIEWABLE = [ProjectState.SUBMITTED, ProjectState.UNDER_REVIEW]


def begin_reporting_after_end_date(*, today):
    """Projects in progress whose end date is past move to reporting. Returns their ids."""
    from projects.models import JointProject

    due = JointProject.objects.filter(state=ProjectState.IN_PROGRESS, end_date__lt=today)
    moved = []
    for project_id in list(due.order_by("pk").values_list("pk", flat=True)):
        try:
            project_transition(project_id=project_id, name="begin_reporting", actor=None)
        except WorkflowError as error:  # e.g. WrongState: someone (or a parallel run) was first
            logger.warning(
                "scheduled begin_reporting refused",
                extra={"project": project_id, "code": error.code, "error": str(error)},
            )
        else:
            moved.append(project_id)
    return moved


def remind_reviews_due(*, today):
    """A reminder to every reviewer whose assigned review is due within 3 days or overdue."""
    from workflow.models import Review

    reviews = (
        Review.objects.filter(
            state=ReviewState.ASSIGNED,
            due_date__isnull=False,
            due_date__lte=today + timedelta(days=REVIEW_REMINDER_DAYS),
            project__state__in=REVIEWABLE,
        )
        .select_related("project__lead_centre")
        .order_by("pk")
    )
    sent = []
    for review in reviews:
        sent += _remind(
            "review_due",
            key=f"review-due:{review.pk}",
            today=today,
            people=recipients([THE_REVIEWER], obj=review, project=review.project),
            project=review.project,
            obj=review,
            extra={"due_date": review.due_date},
        )
    return sent


def report_due_date(project):
    return project.end_date + timedelta(days=REPORT_DUE_DAYS)


def remind_reports_due(*, today):
    """A reminder to the lead's managers when the final report is due within 14 days or late."""
    from projects.models import JointProject, Report, ReportKind

    submitted = Report.objects.filter(
        kind=ReportKind.FINAL, state__in=[ReportState.SUBMITTED, ReportState.ACCEPTED]
    )
    projects = (
        JointProject.objects.filter(
            state=ProjectState.REPORTING,
            end_date__isnull=False,
            end_date__lte=today + timedelta(days=REPORT_REMINDER_DAYS - REPORT_DUE_DAYS),
        )
        .exclude(pk__in=submitted.values("project_id"))
        .select_related("lead_centre")
        .order_by("pk")
    )
    sent = []
    for project in projects:
        sent += _remind(
            "report_due",
            key=f"report-due:{project.pk}",
            today=today,
            people=recipients([LEAD_MANAGERS], obj=project, project=project),
            project=project,
            obj=project,
            extra={"due_date": report_due_date(project)},
        )
    return sent


def remind_agreements_pending(*, today):
    """A reminder to the managers of every confirmed centre (the lead's too) of an approved
    project whose grant agreement they have not accepted yet."""
    from projects.models import Partnership

    partnerships = (
        Partnership.objects.filter(
            project__state=ProjectState.APPROVED,
            state=PartnershipState.CONFIRMED,
            agreement_accepted_at__isnull=True,
        )
        .select_related("project__lead_centre", "centre")
        .order_by("pk")
    )
    sent = []
    for partnership in partnerships:
        sent += _remind(
            "agreement_pending",
            key=f"agreement-pending:{partnership.pk}",
            today=today,
            people=recipients([CENTRE_MANAGERS], obj=partnership, project=partnership.project),
            project=partnership.project,
            obj=partnership,
            extra={"centre": partnership.centre.name},
        )
    return sent


def _remind(name, *, key, today, people, project, obj, extra):
    """Create one reminder per person unless this week's exists; email it after the commit."""
    from workflow.models import Notification
    from workflow.tasks import deliver_notification_email

    year, week, _day = today.isocalendar()
    dedupe_key = f"{key}:{year}-W{week:02d}"
    event = ("reminder", name)
    created = []
    for person in people:
        if Notification.objects.filter(recipient=person, dedupe_key=dedupe_key).exists():
            continue
        subject, body = render(
            event, recipient=person, project=project, obj=obj, actor=None, log=None, extra=extra
        )
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=person,
                    event=f"{event[0]}_{event[1]}",
                    project=project,
                    language=language_of(person),
                    subject=subject[:300],
                    body=body,
                    url=project_link(project, person),
                    dedupe_key=dedupe_key,
                )
        except IntegrityError:  # a parallel run created it first
            continue
        transaction.on_commit(
            partial(deliver_notification_email.enqueue, notification.pk), robust=True
        )
        created.append(notification)
    return created


def run_all(*, now):
    """Everything, in order. Returns {job: how many things it did}."""
    from workflow.tasks import retry_failed_emails

    today = timezone.localdate(now)
    return {
        "begin_reporting": len(begin_reporting_after_end_date(today=today)),
        "review_due": len(remind_reviews_due(today=today)),
        "report_due": len(remind_reports_due(today=today)),
        "agreement_pending": len(remind_agreements_pending(today=today)),
        "emails_retried": len(retry_failed_emails(now=now)),
    }
