"""The daily digest (issue 7): one email a day listing the notifications a person chose to get
that way (`EmailDelivery.DAILY_DIGEST`), instead of one email each.

`workflow.tasks.deliver` leaves such a notification's email in `EmailStatus.DIGEST`. Run every
few minutes (`manage.py send_daily_digests`, next to `run_scheduled`), `send_daily_digests`
sends, once the day's digest hour (DAILY_DIGEST_HOUR, 7:00 local time by default) has come,
everything held from before that hour: a second run the same day finds nothing left to send, so
a person gets at most one digest a day without any record of the last one. A failed send is
retried with the same back-off as other emails and given up after as many attempts.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from workflow.models import EmailStatus, Notification
from workflow.notifications import language_of
from workflow.tasks import FIRST_RETRY, MAX_ATTEMPTS

logger = logging.getLogger(__name__)

DIGEST_HOUR = 7  # local time (settings.TIME_ZONE)
LISTED = 50  # notifications listed in one email; the rest are counted, with a link to the inbox


def digest_cutoff(now):
    """The latest digest hour at or before `now`: what was held before it goes out now."""
    local = timezone.localtime(now)
    hour = getattr(settings, "DAILY_DIGEST_HOUR", DIGEST_HOUR)
    cutoff = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if cutoff > local:
        cutoff -= timedelta(days=1)
    return cutoff


def _held(cutoff, now):
    return Notification.objects.filter(
        Q(email_next_attempt_at__isnull=True) | Q(email_next_attempt_at__lte=now),
        email_status=EmailStatus.DIGEST,
        created_at__lt=cutoff,
    )


def send_daily_digests(*, now=None):
    """Send each person their digest if it is due. Returns the status of each email."""
    now = now or timezone.now()
    cutoff = digest_cutoff(now)
    people = list(
        _held(cutoff, now)
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    statuses = [send_digest(user_id=user_id, cutoff=cutoff, now=now) for user_id in people]
    return [status for status in statuses if status is not None]


def _absolute(path):
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{path}"


def render_digest(recipient, notifications):
    """Subject and body of one person's digest, in their language."""
    with translation.override(language_of(recipient)):
        count = len(notifications)
        subject = ngettext(
            "Your Ensemble digest: %(count)s notification",
            "Your Ensemble digest: %(count)s notifications",
            count,
        ) % {"count": count}
        body = render_to_string(
            "workflow/email/daily_digest.txt",
            {
                "recipient": recipient,
                "count": count,
                "items": notifications[:LISTED],
                "more": max(count - LISTED, 0),
                "inbox_url": _absolute(reverse("workspace:inbox")),
                "preferences_url": _absolute(reverse("workspace:notification_preferences")),
            },
        )
    return subject, body.strip() + "\n"


def send_digest(*, user_id, cutoff, now):
    """One person's digest: everything held for it from before `cutoff`, in one email. None when
    nothing is left to send (another run sent it)."""
    with transaction.atomic():
        notifications = list(
            _held(cutoff, now)
            .select_for_update(skip_locked=True)
            .filter(recipient_id=user_id)
            .order_by("created_at", "id")
        )
        if not notifications:
            return None
        held = Notification.objects.filter(pk__in=[n.pk for n in notifications])
        recipient = (
            get_user_model()
            .objects.select_related("wagtail_userprofile")
            .filter(pk=user_id, is_active=True)
            .first()
        )
        if recipient is None or not recipient.email:
            held.update(email_status=EmailStatus.NONE)
            return EmailStatus.NONE
        attempts = max(n.email_attempts for n in notifications) + 1
        subject, body = render_digest(recipient, notifications)
        try:
            EmailMessage(subject=subject, body=body, to=[recipient.email]).send()
        except Exception as error:  # any mailer failure: keep them held, retry later
            give_up = attempts >= MAX_ATTEMPTS
            status = EmailStatus.GAVE_UP if give_up else EmailStatus.FAILED
            held.update(
                email_status=EmailStatus.GAVE_UP if give_up else EmailStatus.DIGEST,
                email_attempts=attempts,
                email_error=f"{type(error).__name__}: {error}"[:2000],
                email_next_attempt_at=None if give_up else now + FIRST_RETRY * 2 ** (attempts - 1),
            )
            logger.warning("daily digest failed", extra={"user": user_id, "attempt": attempts})
            return status
        held.update(
            email_status=EmailStatus.SENT,
            email_attempts=attempts,
            email_error="",
            email_sent_at=timezone.now(),
            email_next_attempt_at=None,
        )
        return EmailStatus.SENT
