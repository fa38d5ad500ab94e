"""A person's inbox (issue 7): reading notifications, choosing how each kind is emailed, and the
private address of their calendar of deadlines.

Each function acts for `actor` on what is theirs only: someone else's notification is
`NotVisible` (404), never a hint that it exists.
"""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from workflow.exceptions import NotVisible
from workflow.inbox_selectors import NOTIFICATION_EVENTS
from workflow.models import CalendarFeed, EmailDelivery, Notification, NotificationPreference

TOKEN_BYTES = 32  # 43 URL-safe characters: not guessable, short enough for a calendar app


def notification_mark_read(*, notification_id, actor, at=None):
    """Mark one of the actor's notifications read (once: reading it again keeps the first time).
    Returns the notification."""
    notification = Notification.objects.filter(pk=notification_id, recipient_id=actor.pk).first()
    if notification is None:
        raise NotVisible("No such notification.")
    if notification.read_at is None:
        at = at or timezone.now()
        # Conditional: of two tabs opening it at once, the first time is kept.
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=at)
        notification.refresh_from_db(fields=["read_at"])
    return notification


def notification_mark_all_read(*, actor, at=None):
    """Mark every unread notification of the actor read. Returns how many were unread."""
    return Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True).update(
        read_at=at or timezone.now()
    )


def notification_preferences_set(*, actor, deliveries):
    """Store how the actor wants to be emailed, {event: EmailDelivery}, for the kinds given (the
    others keep their choice). Everything or nothing: an unknown kind or choice changes none."""
    unknown = sorted(set(deliveries) - set(NOTIFICATION_EVENTS))
    if unknown:
        raise ValidationError({"event": f"Unknown kinds of notification: {', '.join(unknown)}."})
    wrong = sorted(event for event, value in deliveries.items() if value not in EmailDelivery)
    if wrong:
        raise ValidationError({"delivery": f"Unknown choice for: {', '.join(wrong)}."})
    with transaction.atomic():
        # No row means immediately: only the other choices are stored.
        NotificationPreference.objects.filter(user_id=actor.pk, event__in=deliveries).delete()
        NotificationPreference.objects.bulk_create(
            NotificationPreference(user_id=actor.pk, event=event, delivery=value)
            for event, value in sorted(deliveries.items())
            if value != EmailDelivery.IMMEDIATELY
        )


def calendar_feed_renew(*, actor):
    """A new private calendar address for the actor; the previous one (if any) stops working
    at once. Returns the feed."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction.atomic():
        feed, _created = CalendarFeed.objects.select_for_update().update_or_create(
            user_id=actor.pk, defaults={"token": token, "created_at": timezone.now()}
        )
    return feed
