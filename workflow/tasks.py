"""Background work: notification emails, sent after the commit and retried when they fail."""

import logging
from datetime import timedelta

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from workflow.models import EmailDelivery, EmailStatus, Notification

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
FIRST_RETRY = timedelta(minutes=5)
# A pending email this old lost its task (worker or queue down): the scheduler sends it.
STALE_PENDING = timedelta(minutes=15)


@task()
def deliver_notification_email(notification_id):
    return deliver(notification_id)


def deliver(notification_id):
    """Send one notification's email; on failure, record it and plan the next attempt."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .select_related("recipient")
            .filter(pk=notification_id, email_status__in=[EmailStatus.PENDING, EmailStatus.FAILED])
            .first()
        )
        if notification is None:  # sent already, or another worker has it now
            return None
        if not notification.recipient.email:
            notification.email_status = EmailStatus.NONE
            notification.save(update_fields=["email_status"])
            return notification.email_status
        held = held_by_preference(notification)
        if held is not None:  # the recipient chose the daily digest, or no email at all
            notification.email_status = held
            notification.save(update_fields=["email_status"])
            return notification.email_status
        notification.email_attempts += 1
        try:
            EmailMessage(
                subject=notification.subject,
                body=notification.body,
                to=[notification.recipient.email],
            ).send()
        except Exception as error:  # any mailer failure: keep the notification, retry later
            give_up = notification.email_attempts >= MAX_ATTEMPTS
            notification.email_status = EmailStatus.GAVE_UP if give_up else EmailStatus.FAILED
            notification.email_error = f"{type(error).__name__}: {error}"[:2000]
            notification.email_next_attempt_at = (
                None
                if give_up
                else timezone.now() + FIRST_RETRY * 2 ** (notification.email_attempts - 1)
            )
            logger.warning(
                "notification email failed",
                extra={"notification": notification.pk, "attempt": notification.email_attempts},
            )
        else:
            notification.email_status = EmailStatus.SENT
            notification.email_sent_at = timezone.now()
            notification.email_error = ""
            notification.email_next_attempt_at = None
        notification.save(
            update_fields=[
                "email_status",
                "email_attempts",
                "email_error",
                "email_sent_at",
                "email_next_attempt_at",
            ]
        )
        return notification.email_status


def held_by_preference(notification):
    """The status of an email its recipient does not want now (their notification preferences,
    issue 7): DIGEST, left for `workflow.digests.send_daily_digests`, or SKIPPED. None: send it."""
    from workflow.inbox_selectors import email_delivery_for

    delivery = email_delivery_for(user_id=notification.recipient_id, event=notification.event)
    return {
        EmailDelivery.DAILY_DIGEST: EmailStatus.DIGEST,
        EmailDelivery.NOT_BY_EMAIL: EmailStatus.SKIPPED,
    }.get(delivery)


def retry_failed_emails(*, now=None):
    """Scheduled: send again every failed email whose next attempt is due, and every pending
    one whose task never ran."""
    now = now or timezone.now()
    due = Notification.objects.filter(
        Q(email_status=EmailStatus.FAILED, email_next_attempt_at__lte=now)
        # Real time, not a simulated day: a just-created email is not stale.
        | Q(email_status=EmailStatus.PENDING, created_at__lte=timezone.now() - STALE_PENDING)
    ).values_list("pk", flat=True)
    return [deliver(pk) for pk in list(due)]
