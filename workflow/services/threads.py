"""A proposal's message thread (issue 7): its centres and the network secretariat, from
submission on.

Who takes part: the coordinators, and the members of the project's confirmed centres (the lead
included). Reviewers, other centres and centres that never joined do not: the thread is 404 to
them, wherever the project itself is visible. A coordinators-only message is a note the
secretariat keeps for itself: the centres never see it and are never told of it.

When: messages are posted from the proposal's submission until the project ends (rejected,
withdrawn, terminated or completed: the thread is kept, read-only). Before submission there is
no thread: posting is refused as a wrong state (409).

Who is told (in the app and by email, after the commit, in their own language): a centre's
message tells the coordinators; a coordinator's message tells every member of the confirmed
centres, or, when coordinators-only, the other coordinators. The author is never told.
"""

from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from workflow.exceptions import NotPermitted, NotVisible, WrongState
from workflow.models import MESSAGE_MAX_LENGTH, Message
from workflow.notifications import COORDINATOR, language_of, recipients, store_and_deliver
from workflow.permissions import can_view_project, roles_of
from workflow.states import PartnershipState, ProjectState

# From submission until the project ends, messages may be posted.
THREAD_OPEN_STATES = (
    ProjectState.SUBMITTED,
    ProjectState.UNDER_REVIEW,
    ProjectState.CHANGES_REQUESTED,
    ProjectState.APPROVED,
    ProjectState.IN_PROGRESS,
    ProjectState.REPORTING,
    ProjectState.REPORT_SUBMITTED,
)
# Before submission there is no thread yet; after the end it is kept, read-only.
THREAD_NOT_STARTED_STATES = (ProjectState.DRAFT, ProjectState.OPEN_FOR_PARTNERS)

EVENT = "message_posted"
SUBJECT = _("New message about %(project)s")
SUBJECT_COORDINATORS_ONLY = _("Coordinators-only note about %(project)s")

SECRETARIAT = "secretariat"
CENTRE = "centre"


# --- Who takes part -----------------------------------------------------------------------------


def thread_side(user, project):
    """SECRETARIAT for a coordinator, CENTRE for a member of one of the project's confirmed
    centres, None for anyone else. Reads `project.partnerships.all()` (prefetch it) and the
    user's roles (cached on the user): no query of its own."""
    roles = roles_of(user)
    if roles.is_coordinator:
        return SECRETARIAT
    if roles.centres and any(
        p.state == PartnershipState.CONFIRMED and p.centre_id in roles.centres
        for p in project.partnerships.all()
    ):
        return CENTRE
    return None


def thread_visible(user, project):
    """May `user` read the thread of `project`? (Whether it has started or not.)"""
    return can_view_project(user, project) and thread_side(user, project) is not None


def thread_started(project):
    return project.state not in THREAD_NOT_STARTED_STATES


def thread_open(project):
    return project.state in THREAD_OPEN_STATES


def author_centre(user, project):
    """The centre a member writes for: the lead when they work there, else the first of the
    project's confirmed centres they work for."""
    roles = roles_of(user)
    mine = [
        p
        for p in project.partnerships.all()
        if p.state == PartnershipState.CONFIRMED and p.centre_id in roles.centres
    ]
    mine.sort(key=lambda p: (p.centre_id != project.lead_centre_id, p.pk))
    return mine[0].centre_id if mine else None


def messages_visible_to(user, project):
    """The messages of the thread `user` may read, oldest first (coordinators-only ones for
    coordinators alone). The caller checks `thread_visible` first."""
    messages = Message.objects.filter(project=project)
    if not roles_of(user).is_coordinator:
        messages = messages.filter(coordinators_only=False)
    return messages.order_by("created_at", "id")


# --- Posting -------------------------------------------------------------------------------------


def clean_body(body):
    """The message as it is kept: stripped, not empty, at most MESSAGE_MAX_LENGTH characters."""
    text = (body or "").strip()
    if not text:
        raise ValidationError({"body": gettext("Write your message.")}, code="required")
    if len(text) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {
                "body": gettext(
                    "The message is too long: %(length)s characters, at most %(limit)s."
                )
                % {"length": len(text), "limit": MESSAGE_MAX_LENGTH}
            },
            code="max_length",
        )
    return text


def message_post(*, project_id, author, body, coordinators_only=False):
    """Post a message in a proposal's thread for `author`.

    Checks in the order of every service: 404 (no such project, or not taking part), 403 (a
    coordinators-only message from someone who is not a coordinator), 409 (no thread yet, or the
    project has ended), then the body (ValidationError). The project row is locked, so a message
    never lands after a concurrent transition that closed the thread. Notifications are sent
    after the commit.
    """
    from projects.models import JointProject

    from .projects import lock_project

    with transaction.atomic():
        try:
            project = lock_project(project_id)
        except JointProject.DoesNotExist:
            raise NotVisible("No such project.") from None
        side = thread_side(author, project) if can_view_project(author, project) else None
        if side is None:
            raise NotVisible("No such thread.")
        if coordinators_only and side != SECRETARIAT:
            raise NotPermitted("Only coordinators may post coordinators-only messages.")
        if not thread_open(project):
            raise WrongState(
                "The thread opens when the proposal is submitted."
                if not thread_started(project)
                else f"The thread is closed: the project is {project.state}.",
                state=project.state,
            )
        message = Message.objects.create(
            project=project,
            author=author,
            from_secretariat=side == SECRETARIAT,
            author_centre_id=author_centre(author, project) if side == CENTRE else None,
            body=clean_body(body),
            coordinators_only=bool(coordinators_only),
        )
        transaction.on_commit(
            partial(send_message_notifications, message_id=message.pk), robust=True
        )
    return message


# --- Notifications -------------------------------------------------------------------------------


def thread_link(project):
    path = reverse("workspace:project_messages", args=[project.pk])
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{path}"


def message_recipients(message):
    """Who is told of a message: the other side (coordinators only: the other coordinators)."""
    project = message.project
    if message.from_secretariat:
        if message.coordinators_only:
            people = recipients([COORDINATOR], obj=project, project=project)
        else:
            User = get_user_model()
            members = User.objects.filter(
                memberships__centre__partnerships__project=project,
                memberships__centre__partnerships__state=PartnershipState.CONFIRMED,
            )
            people = User.objects.filter(
                pk__in=members.values("pk"), is_active=True
            ).select_related("wagtail_userprofile")
    else:
        people = recipients([COORDINATOR], obj=project, project=project)
    return [person for person in people.order_by("pk") if person.pk != message.author_id]


def author_label(message):
    """How the author is named: "Name, Centre" or "Name, network secretariat"."""
    author = message.author
    name = author.get_full_name() or author.get_username()
    if message.from_secretariat:
        return gettext("%(name)s, network secretariat") % {"name": name}
    if message.author_centre is not None:
        return f"{name}, {message.author_centre.name}"
    return name


def send_message_notifications(*, message_id):
    """One in-app notification per recipient, each emailed through the notification outbox."""
    from workflow.models import Notification

    message = (
        Message.objects.select_related("project", "author", "author_centre")
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        return []
    project = message.project
    link = thread_link(project)
    notifications = []
    for person in message_recipients(message):
        language = language_of(person)
        with translation.override(language):
            subject = str(
                (SUBJECT_COORDINATORS_ONLY if message.coordinators_only else SUBJECT)
                % {"project": project}
            )
            body = render_to_string(
                f"workflow/email/{EVENT}.txt",
                {
                    "recipient": person,
                    "project": project,
                    "author": author_label(message),
                    "message": message,
                    "link": link,
                },
            )
        notifications.append(
            Notification(
                recipient=person,
                event=EVENT,
                project=project,
                language=language,
                subject=subject[:300],
                body=body.strip() + "\n",
                url=link,
            )
        )
    return store_and_deliver(notifications)
