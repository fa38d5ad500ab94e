"""Reads for a person's inbox (issue 7): the kinds of notification and how each is emailed,
unread notifications, and the deadlines shown on the dashboard and in the calendar feed.

Every list here is bounded (a limit, and a window in time): none grows with a person's history.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Case, DateTimeField, F, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from workflow import permissions
from workflow.models import EmailDelivery, Notification, NotificationPreference
from workflow.states import PartnershipState, ProjectState, ReviewState

# --- Kinds of notification ----------------------------------------------------------------------

# Every `Notification.event` a person may be sent, grouped as the preferences page shows them.
# The events are "<kind>_<transition>" (workflow.notifications.send_notifications), the weekly
# reminders "reminder_<name>" (workflow.scheduled) and the proposals' messages "message_posted"
# (workflow.services.threads). A test checks every event the code can send has its line here.
NOTIFICATION_KINDS = [
    (
        _("Proposals and projects"),
        [
            ("project_open_partner_search", _("A proposal starts looking for partners")),
            ("project_submit", _("A proposal is submitted")),
            ("project_start_review", _("A proposal’s review starts")),
            ("project_request_changes", _("Changes are requested to a proposal")),
            ("project_approve", _("A proposal is approved")),
            ("project_reject", _("A proposal is not selected")),
            ("project_withdraw", _("A proposal is withdrawn")),
            ("project_start", _("A project starts")),
            ("project_begin_reporting", _("A project’s reporting period begins")),
            ("project_submit_report", _("A final report is submitted")),
            ("project_return_report", _("A final report is returned for changes")),
            ("project_terminate", _("A grant agreement is terminated")),
            ("project_complete", _("A project is completed")),
        ],
    ),
    (
        _("Partners"),
        [
            ("partnership_invite", _("A centre is invited to join a proposal")),
            ("partnership_request", _("A centre asks to join a proposal")),
            ("partnership_accept", _("A centre becomes a partner")),
            ("partnership_decline", _("An invitation or a request to join is declined")),
            ("partnership_withdraw", _("A partner leaves a proposal")),
        ],
    ),
    (
        pgettext_lazy("notification kinds", "Reviews"),
        [
            ("review_assign", _("A proposal is assigned to you for review")),
            ("review_submit", _("A review is submitted")),
            ("review_decline", _("A reviewer declares a conflict of interest")),
        ],
    ),
    (
        pgettext_lazy("notification kinds", "Reports"),
        [
            ("report_submit", _("A report is submitted")),
            ("report_accept", _("A report is accepted")),
            ("report_return", _("A report is returned for changes")),
        ],
    ),
    (
        pgettext_lazy("notification kinds", "Payments"),
        [("payment_mark_paid", _("A payment of the grant is made"))],
    ),
    (
        pgettext_lazy("notification kinds", "Messages"),
        [("message_posted", _("A new message about a proposal"))],
    ),
    (
        _("Reminders"),
        [
            ("reminder_review_due", _("Reminder: a review is due")),
            ("reminder_report_due", _("Reminder: a final report is due")),
            ("reminder_agreement_pending", _("Reminder: a grant agreement waits for acceptance")),
        ],
    ),
]
NOTIFICATION_EVENTS = [event for _group, kinds in NOTIFICATION_KINDS for event, _label in kinds]


def email_delivery_for(*, user_id, event):
    """How `user_id` wants to be emailed about `event` (immediately when they never said)."""
    chosen = (
        NotificationPreference.objects.filter(user_id=user_id, event=event)
        .values_list("delivery", flat=True)
        .first()
    )
    return chosen or EmailDelivery.IMMEDIATELY


def notification_preferences_of(user):
    """{event: delivery} for every kind of notification, the defaults included."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("event", "delivery"))
    return {event: chosen.get(event, EmailDelivery.IMMEDIATELY) for event in NOTIFICATION_EVENTS}


# --- Notifications ------------------------------------------------------------------------------


def inbox_notifications(user, *, unread_only=False):
    """The user's notifications, newest first (index `notification_inbox`)."""
    notifications = Notification.objects.filter(recipient=user)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-id")


def latest_unread(user, *, limit):
    """The `limit` newest unread notifications, and whether there are more (one query)."""
    rows = list(
        inbox_notifications(user, unread_only=True).values("id", "subject", "created_at")[
            : limit + 1
        ]
    )
    return rows[:limit], len(rows) > limit


# --- Deadlines ----------------------------------------------------------------------------------

CALL = "call"  # a proposal's call closes
RESUBMISSION = "resubmission"  # a returned proposal must be submitted again
REVIEW = "review"  # a review is due
REPORT = "report"  # a project's final report is due

REVIEWABLE = [ProjectState.SUBMITTED, ProjectState.UNDER_REVIEW]
REPORTING = [ProjectState.IN_PROGRESS, ProjectState.REPORTING]


@dataclass(frozen=True)
class Deadline:
    kind: str
    uid: str  # stable across changes: what a calendar knows the event by
    object_id: int  # the project, or the review
    project_id: int
    title: str
    acronym: str
    day: date  # the local day it falls on
    at: datetime | None = None  # the instant, for deadlines with a time of day

    @property
    def sort_key(self):
        """Soonest first; on one day, those with a time of day before the all-day ones."""
        clock = timezone.localtime(self.at).time() if self.at else time.max
        return (self.day, clock, self.kind, self.object_id)


def proposal_deadlines(user, *, since, limit):
    """When the proposals of the user's centres (confirmed partner, the lead included) that are
    still editable must be submitted: the call's deadline, or the resubmission date the network
    set when it asked for changes. Those at or after `since` (aware), soonest first."""
    from projects.models import JointProject, Partnership

    roles = permissions.roles_of(user)
    if not roles.centres:
        return []
    deadline = Case(
        When(
            state=ProjectState.CHANGES_REQUESTED,
            resubmission_date__isnull=False,
            then=F("resubmission_date"),
        ),
        default=F("call__deadline"),
        output_field=DateTimeField(),
    )
    mine = Partnership.objects.filter(
        centre_id__in=list(roles.centres), state=PartnershipState.CONFIRMED
    ).values("project_id")
    rows = (
        JointProject.objects.filter(pk__in=mine, state__in=ProjectState.editable())
        .annotate(deadline=deadline)
        .filter(deadline__gte=since)
        .order_by("deadline", "id")
        .values("id", "title", "acronym", "state", "resubmission_date", "deadline")[:limit]
    )
    deadlines = []
    for row in rows:
        returned = row["state"] == ProjectState.CHANGES_REQUESTED and row["resubmission_date"]
        kind = RESUBMISSION if returned else CALL
        deadlines.append(
            Deadline(
                kind=kind,
                uid=f"{kind}-{row['id']}",
                object_id=row["id"],
                project_id=row["id"],
                title=row["title"],
                acronym=row["acronym"],
                day=timezone.localdate(row["deadline"]),
                at=row["deadline"],
            )
        )
    return deadlines


def review_deadlines(user, *, since_day, limit):
    """The due dates of the user's open reviews, on or after `since_day`, soonest first."""
    from workflow.models import Review

    if not permissions.roles_of(user).is_reviewer:
        return []
    rows = (
        Review.objects.filter(
            reviewer=user,
            state=ReviewState.ASSIGNED,
            due_date__gte=since_day,
            project__state__in=REVIEWABLE,
        )
        .order_by("due_date", "id")
        .values("id", "due_date", "project_id", "project__title", "project__acronym")[:limit]
    )
    return [
        Deadline(
            kind=REVIEW,
            uid=f"{REVIEW}-{row['id']}",
            object_id=row["id"],
            project_id=row["project_id"],
            title=row["project__title"],
            acronym=row["project__acronym"],
            day=row["due_date"],
        )
        for row in rows
    ]


def report_deadlines(user, *, since_day, limit):
    """When the final reports of the projects the user's centres lead are due (the project's end
    date + REPORT_DUE_DAYS, as the reminders count it), on or after `since_day`, soonest first."""
    from projects.models import JointProject
    from workflow.scheduled import REPORT_DUE_DAYS

    roles = permissions.roles_of(user)
    if not roles.centres:
        return []
    rows = (
        JointProject.objects.filter(
            lead_centre_id__in=list(roles.centres),
            state__in=REPORTING,
            end_date__gte=since_day - timedelta(days=REPORT_DUE_DAYS),
        )
        .order_by("end_date", "id")
        .values("id", "title", "acronym", "end_date")[:limit]
    )
    return [
        Deadline(
            kind=REPORT,
            uid=f"{REPORT}-{row['id']}",
            object_id=row["id"],
            project_id=row["id"],
            title=row["title"],
            acronym=row["acronym"],
            day=row["end_date"] + timedelta(days=REPORT_DUE_DAYS),
        )
        for row in rows
    ]


def deadlines_of(user, *, since, limit):
    """Every kind of deadline of the user from `since` (aware) on, soonest first, at most
    `limit` (each kind brings at most `limit`: a query each, whatever the history)."""
    since_day = timezone.localdate(since)
    found = [
        *proposal_deadlines(user, since=since, limit=limit),
        *review_deadlines(user, since_day=since_day, limit=limit),
        *report_deadlines(user, since_day=since_day, limit=limit),
    ]
    found.sort(key=lambda deadline: deadline.sort_key)
    return found[:limit]
