"""Who is told what, for every transition: in the app and by email, in their own language.

`notify()` is called inside the transition's transaction and only schedules the work for after
the commit: a transition that rolls back tells no one, and a failing mail server never rolls a
transition back (emails go through a background task and are retried).
"""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from workflow.permissions import COORDINATORS
from workflow.states import PartnershipState

LEAD_MEMBERS = "lead members"
LEAD_MANAGERS = "lead managers"
PARTNER_MANAGERS = "partner managers"  # managers of the confirmed partner centres
CENTRE_MANAGERS = "centre managers"  # managers of the partnership's own centre
CENTRE_MEMBERS = "centre members"  # everyone at the partnership's own centre
COORDINATOR = "coordinators"
ASSIGNED_REVIEWERS = "assigned reviewers"
THE_REVIEWER = "the reviewer"

# (kind, transition) → who is told (the person who acted is never told of their own act).
RECIPIENTS = {
    ("project", "open_partner_search"): [LEAD_MEMBERS],
    ("project", "submit"): [LEAD_MEMBERS, PARTNER_MANAGERS, COORDINATOR],
    ("project", "start_review"): [LEAD_MEMBERS],
    ("project", "request_changes"): [LEAD_MEMBERS, PARTNER_MANAGERS],
    ("project", "approve"): [LEAD_MEMBERS, PARTNER_MANAGERS],
    ("project", "reject"): [LEAD_MEMBERS, PARTNER_MANAGERS],
    ("project", "withdraw"): [LEAD_MEMBERS, PARTNER_MANAGERS, COORDINATOR, ASSIGNED_REVIEWERS],
    ("project", "start"): [LEAD_MEMBERS, PARTNER_MANAGERS],
    ("project", "begin_reporting"): [LEAD_MEMBERS],
    ("project", "submit_report"): [COORDINATOR, PARTNER_MANAGERS],
    ("project", "return_report"): [LEAD_MEMBERS],
    ("project", "terminate"): [LEAD_MEMBERS, PARTNER_MANAGERS],
    ("project", "complete"): [LEAD_MEMBERS, PARTNER_MANAGERS],
    ("partnership", "invite"): [CENTRE_MANAGERS],
    ("partnership", "request"): [LEAD_MANAGERS],
    ("partnership", "accept"): [LEAD_MEMBERS, CENTRE_MEMBERS],
    ("partnership", "decline"): [LEAD_MEMBERS, CENTRE_MEMBERS],
    ("partnership", "withdraw"): [LEAD_MEMBERS, CENTRE_MEMBERS],
    ("review", "assign"): [THE_REVIEWER],
    ("review", "submit"): [COORDINATOR],
    ("review", "decline"): [COORDINATOR],
    ("report", "submit"): [COORDINATOR],
    ("report", "accept"): [LEAD_MEMBERS],
    ("report", "return"): [LEAD_MEMBERS],
    ("payment", "mark_paid"): [LEAD_MEMBERS],
}

SUBJECTS = {
    ("project", "open_partner_search"): _("%(project)s is looking for partners"),
    ("project", "submit"): _("%(project)s was submitted"),
    ("project", "start_review"): _("%(project)s is under review"),
    ("project", "request_changes"): _("Changes requested to %(project)s"),
    ("project", "approve"): _("%(project)s is approved"),
    ("project", "reject"): _("%(project)s was not selected"),
    ("project", "withdraw"): _("%(project)s was withdrawn"),
    ("project", "start"): _("%(project)s has started"),
    ("project", "begin_reporting"): _("Time to report on %(project)s"),
    ("project", "submit_report"): _("The final report of %(project)s was submitted"),
    ("project", "return_report"): _("The final report of %(project)s needs changes"),
    ("project", "terminate"): _("The grant agreement of %(project)s was terminated"),
    ("project", "complete"): _("%(project)s is completed"),
    ("partnership", "invite"): _("%(centre)s is invited to join %(project)s"),
    ("partnership", "request"): _("%(centre)s asks to join %(project)s"),
    ("partnership", "accept"): _("%(centre)s is a partner of %(project)s"),
    ("partnership", "decline"): _("%(centre)s will not take part in %(project)s"),
    ("partnership", "withdraw"): _("%(centre)s left %(project)s"),
    ("review", "assign"): _("Please review %(project)s"),
    ("review", "submit"): _("A review of %(project)s was submitted"),
    ("review", "decline"): _("A reviewer declined %(project)s (conflict of interest)"),
    ("report", "submit"): _("A report on %(project)s was submitted"),
    ("report", "accept"): _("The report on %(project)s was accepted"),
    ("report", "return"): _("The report on %(project)s needs changes"),
    ("payment", "mark_paid"): _("A payment for %(project)s was made"),
    ("reminder", "review_due"): _("Reminder: your review of %(project)s is due"),
    ("reminder", "report_due"): _("Reminder: the final report of %(project)s is due"),
    ("reminder", "agreement_pending"): _("Reminder: accept the grant agreement of %(project)s"),
}


_muted = ContextVar("notifications_muted", default=False)


@contextmanager
def muted():
    """Transitions inside tell no one (demo data, data migrations)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def notify(*, kind, name, obj, project, actor, log):
    """Schedule the notifications of a transition for after the commit."""
    if (kind, name) not in RECIPIENTS or _muted.get():
        return
    transaction.on_commit(
        partial(
            send_notifications,
            event=(kind, name),
            obj=obj,
            project_id=project.pk,
            actor_id=getattr(actor, "pk", None),
            log_id=log.pk if log else None,
        ),
        robust=True,
    )


def recipients(roles, *, obj, project):
    User = get_user_model()
    query = User.objects.none()
    centre = getattr(obj, "centre_id", None)
    for role in roles:
        if role == LEAD_MEMBERS:
            query |= User.objects.filter(memberships__centre_id=project.lead_centre_id)
        elif role == LEAD_MANAGERS:
            query |= User.objects.filter(
                memberships__centre_id=project.lead_centre_id, memberships__role="manager"
            )
        elif role == PARTNER_MANAGERS:
            query |= User.objects.filter(
                memberships__role="manager",
                memberships__centre__partnerships__project=project,
                memberships__centre__partnerships__state=PartnershipState.CONFIRMED,
                memberships__centre__partnerships__role="partner",
            )
        elif role == CENTRE_MANAGERS and centre:
            query |= User.objects.filter(memberships__centre_id=centre, memberships__role="manager")
        elif role == CENTRE_MEMBERS and centre:
            query |= User.objects.filter(memberships__centre_id=centre)
        elif role == COORDINATOR:
            query |= User.objects.filter(groups__name=COORDINATORS)
        elif role == ASSIGNED_REVIEWERS:
            query |= User.objects.filter(reviews__project=project)
        elif role == THE_REVIEWER:
            query |= User.objects.filter(pk=obj.reviewer_id)
    return User.objects.filter(pk__in=query.values("pk"), is_active=True).select_related(
        "wagtail_userprofile"
    )


def language_of(user):
    profile = getattr(user, "wagtail_userprofile", None)
    language = getattr(profile, "preferred_language", "") or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def project_link(project, recipient=None):
    """Where the recipient works on the project: the admin for coordinators, else the workspace."""
    from django.urls import reverse

    from workflow.permissions import is_coordinator

    if recipient is not None and is_coordinator(recipient):
        path = reverse("jointproject:inspect", args=[project.pk])
    else:
        path = reverse("workspace:project", args=[project.pk])
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{path}"


def render(event, *, recipient, project, obj, actor, log, extra=None):
    """Subject and body of one notification, in the recipient's language."""
    from workflow.selectors import history_visible_to

    kind, name = event
    # The same rule as every timeline: a recipient who may not see the log row (a review, for
    # anyone but coordinators and its reviewer) learns neither who acted nor their comment.
    if log is not None and not history_visible_to(recipient).filter(pk=log.pk).exists():
        actor, log = None, None
    context = {
        "recipient": recipient,
        "project": project,
        "obj": obj,
        "centre": getattr(getattr(obj, "centre", None), "name", ""),
        "actor": (actor.get_full_name() or actor.username) if actor else "Ensemble",
        "comment": log.comment if log else "",
        "payload": log.payload if log else {},
        "link": project_link(project, recipient),
        **(extra or {}),
    }
    with translation.override(language_of(recipient)):
        subject = str(SUBJECTS[event] % {"project": project, "centre": context["centre"]})
        body = render_to_string(f"workflow/email/{kind}_{name}.txt", context)
    return subject, body.strip() + "\n"


def send_notifications(*, event, obj, project_id, actor_id, log_id):
    from projects.models import JointProject
    from workflow.models import Notification, TransitionLog

    project = JointProject.objects.select_related("lead_centre").get(pk=project_id)
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    log = TransitionLog.objects.filter(pk=log_id).first() if log_id else None
    people = [
        user
        for user in recipients(RECIPIENTS[event], obj=obj, project=project)
        if user.pk != actor_id
    ]
    notifications = []
    for person in people:
        subject, body = render(
            event, recipient=person, project=project, obj=obj, actor=actor, log=log
        )
        notifications.append(
            Notification(
                recipient=person,
                event=f"{event[0]}_{event[1]}",
                project=project,
                log=log,
                language=language_of(person),
                subject=subject[:300],
                body=body,
                url=project_link(project, person),
            )
        )
    return store_and_deliver(notifications)


def store_and_deliver(notifications):
    """Save in-app notifications at once and queue each one's email (the notification outbox:
    `workflow.tasks.deliver` honours the recipient's email preference and retries)."""
    from workflow.models import Notification
    from workflow.tasks import deliver_notification_email

    Notification.objects.bulk_create(notifications)
    for notification in notifications:
        deliver_notification_email.enqueue(notification.pk)
    return notifications
