"""The transition log, in-app notifications and proposal reviews."""

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from workflow.fields import LifecycleModel
from workflow.states import ReviewState


class AppendOnlyError(RuntimeError):
    pass


class TransitionLog(models.Model):
    """Every state change of every object. Append-only: rows are never changed or deleted."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    # The project the change belongs to (itself, or its partnership, review or report), so a
    # project's timeline is one indexed query.
    project = models.ForeignKey(
        "projects.JointProject", on_delete=models.CASCADE, related_name="history", null=True
    )
    transition = models.CharField(_("transition"), max_length=40)
    from_state = models.CharField(_("from"), max_length=30)
    to_state = models.CharField(_("to"), max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the system acted (scheduled work)."),
    )
    at = models.DateTimeField(_("at"), db_index=True)
    comment = models.TextField(_("comment"), blank=True)
    payload = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("transition log entry")
        verbose_name_plural = _("transition log")
        indexes = [
            models.Index(fields=["content_type", "object_id", "at"], name="log_subject_at"),
            models.Index(fields=["project", "at"], name="log_project_at"),
        ]

    def __str__(self):
        return f"{self.transition}: {self.from_state} → {self.to_state}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("The transition log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The transition log is append-only.")


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will be retried")
    GAVE_UP = "gave_up", _("Failed, given up")
    NONE = "none", _("No email")
    # The recipient's notification preferences (issue 7): held for the daily digest, or not
    # emailed at all (the notification stays in the app's inbox).
    DIGEST = "digest", _("Waiting for the daily digest")
    SKIPPED = "skipped", _("Not emailed (the person’s choice)")


class Notification(models.Model):
    """What a person is told, in the app and by email, in their own language."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.CharField(_("event"), max_length=60)
    project = models.ForeignKey(
        "projects.JointProject", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    log = models.ForeignKey(
        TransitionLog, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    language = models.CharField(max_length=10, default="en")
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("message"))
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Idempotency key of scheduled reminders ("review-due:42:2027-01-10"): sent once.
    dedupe_key = models.CharField(max_length=120, blank=True)
    email_status = models.CharField(max_length=10, choices=EmailStatus, default=EmailStatus.PENDING)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.TextField(blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    email_next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "read_at", "created_at"], name="notification_inbox"),
            models.Index(
                fields=["email_status", "email_next_attempt_at"], name="notification_outbox"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="notification_reminder_once",
            )
        ]

    def __str__(self):
        return self.subject


class Review(LifecycleModel):
    """An expert's review of one proposal: a score per award criterion."""

    project = models.ForeignKey(
        "projects.JointProject", on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    state = FSMField(
        _("state"), max_length=20, choices=ReviewState, default=ReviewState.ASSIGNED, protected=True
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    due_date = models.DateField(_("due"), null=True, blank=True)
    comment = models.TextField(_("overall comment"), blank=True)
    conflict_declared = models.BooleanField(_("conflict of interest declared"), default=False)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["project_id", "assigned_at", "id"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "reviewer"],
                name="review_once_per_reviewer",
                violation_error_message=_("This reviewer is already assigned to this proposal."),
            )
        ]

    def __str__(self):
        return f"{self.reviewer} on {self.project}"

    @property
    def weighted_score(self):
        """Σ score × weight over the criteria (the review's total)."""
        return sum((s.score * s.criterion.weight for s in self.scores.all()), 0)

    # --- Lifecycle (PRODUCT.md §3.3)
    @transition(field=state, source=ReviewState.ASSIGNED, target=ReviewState.SUBMITTED)
    def submit(self, *, at):
        self.submitted_at = at

    @transition(field=state, source=ReviewState.ASSIGNED, target=ReviewState.DECLINED)
    def decline(self):
        self.conflict_declared = True


class ReviewScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        "projects.AwardCriterion", on_delete=models.PROTECT, related_name="scores"
    )
    score = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(0)])
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["review_id", "criterion_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "criterion"], name="score_once_per_criterion"
            ),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.score}"


# No score sorts after every score (scores are ≥ 0): the ranking's "nulls last" as a plain
# expression, which an index can hold on every database.
UNSCORED = Decimal(-1)


def ranking_key():
    return Coalesce(
        "mean_score",
        models.Value(UNSCORED),
        output_field=models.DecimalField(max_digits=8, decimal_places=2),
    )


class ProposalScore(models.Model):
    """One ranked proposal's place in its call's ranking: what the ranking sorts and sums,
    materialised so that a page of the ranking is one index scan whatever the size of the call
    (PRODUCT.md §7). Exactly the proposals in RANKED_STATES have a row.

    Written only by `workflow.services.ranking_refresh`, in the transaction of every change that
    moves these figures: a review submitted, a budget or partnership changed, a project
    transition, a call's criteria or thresholds edited (signals below).
    """

    project = models.OneToOneField(
        "projects.JointProject",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="proposal_score",
    )
    # The project's call (which never changes), so a ranking reads this table alone.
    call = models.ForeignKey(
        "projects.Call", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # Mean over submitted reviews of Σ criterion mean × weight, rounded half-up (None: no review).
    mean_score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    above_threshold = models.BooleanField(default=False)
    reviews = models.PositiveIntegerField(default=0)
    # Σ over confirmed partnerships of max(budget lines − own contribution, 0).
    requested_grant = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("proposal score")
        verbose_name_plural = _("proposal scores")
        indexes = [
            # The ranking's order within a call: best first, smaller request, older proposal.
            models.Index(
                models.F("call"),
                models.OrderBy(ranking_key(), descending=True),
                models.F("requested_grant"),
                models.F("project"),
                name="ranking_order",
            ),
        ]

    def __str__(self):
        return f"{self.project_id}: {self.mean_score}"

    @classmethod
    def ranking_order(cls):
        """The ORDER BY of a ranking, the same expressions as the index `ranking_order`."""
        return [
            models.OrderBy(ranking_key(), descending=True),
            models.F("requested_grant").asc(),
            models.F("project_id").asc(),
        ]


# A call's criteria (weights, thresholds) and overall threshold decide every mean score and
# above-threshold flag of its ranking. Whatever edits them (the admin's call form, a shell, the
# demo), the proposals' scores are recomputed in the same transaction.
@receiver(post_save, sender="projects.Call", dispatch_uid="ranking_after_call_saved")
def _ranking_after_call_saved(sender, instance, created, raw=False, **kwargs):
    if not created and not raw:
        from workflow.services.ranking import ranking_refresh_scores

        ranking_refresh_scores(call_id=instance.pk)


@receiver(post_save, sender="projects.AwardCriterion", dispatch_uid="ranking_after_criterion")
@receiver(post_delete, sender="projects.AwardCriterion", dispatch_uid="ranking_after_no_criterion")
def _ranking_after_criterion_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        from workflow.services.ranking import ranking_refresh_scores

        ranking_refresh_scores(call_id=instance.call_id)


# --- Messages (issue 7): a thread per proposal between its centres and the secretariat ---------

MESSAGE_MAX_LENGTH = 5000


class Message(models.Model):
    """One message in a submitted proposal's thread, between the members of its confirmed
    centres and the network's coordinators. Never edited: a thread is a record of what was said.
    A coordinators-only message is a note the secretariat keeps for itself; the centres never
    see it (nor learn that it exists). Written only by `workflow.services.threads.message_post`.
    """

    project = models.ForeignKey(
        "projects.JointProject", on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The side the author wrote for, fixed when posted (roles change; the thread does not):
    # the network secretariat, or one of the project's centres.
    from_secretariat = models.BooleanField(_("from the network secretariat"), default=False)
    author_centre = models.ForeignKey(
        "projects.Centre",
        verbose_name=_("centre"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    body = models.TextField(_("message"), max_length=MESSAGE_MAX_LENGTH)
    coordinators_only = models.BooleanField(_("coordinators only"), default=False)
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            # A thread is read oldest first, one page at a time.
            models.Index(fields=["project", "created_at", "id"], name="message_thread"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(coordinators_only=False) | models.Q(from_secretariat=True),
                name="message_private_only_from_secretariat",
                violation_error_message=_("Only coordinators write coordinators-only messages."),
            ),
        ]

    def __str__(self):
        return f"{self.project_id}: {self.body[:60]}"


# --- Notification preferences and the calendar feed (issue 7) -----------------------------------


class EmailDelivery(models.TextChoices):
    IMMEDIATELY = "immediately", _("Immediately")
    DAILY_DIGEST = "daily_digest", _("In a daily digest")
    NOT_BY_EMAIL = "none", _("Not by email")


class NotificationPreference(models.Model):
    """How a person wants to be emailed about one kind of notification (`Notification.event`).
    No row: immediately. Whatever the choice, the notification is in the app's inbox. Written
    only by `workflow.services.inbox.notification_preferences_set`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    event = models.CharField(_("kind of notification"), max_length=60)
    delivery = models.CharField(
        _("by email"), max_length=20, choices=EmailDelivery, default=EmailDelivery.IMMEDIATELY
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "event"], name="notification_preference_once")
        ]

    def __str__(self):
        return f"{self.user_id} {self.event}: {self.delivery}"


class CalendarFeed(models.Model):
    """A person's private calendar address (an iCalendar feed of their deadlines). The token is
    the only credential: a new link replaces it, and the old address answers 404 from then on.
    Written only by `workflow.services.inbox.calendar_feed_renew`."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return f"calendar of {self.user_id}"
