"""Who is told what; emails after the commit, in the recipient's language, retried on failure."""

from datetime import timedelta
from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import get_template
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from projects.models import JointProject
from tests.workflow.conftest import build_ready
from workflow import services
from workflow.models import EmailStatus, Notification, TransitionLog
from workflow.notifications import RECIPIENTS, SUBJECTS
from workflow.states import ProjectState
from workflow.tasks import retry_failed_emails

pytestmark = pytest.mark.django_db

FAILING = {"default": {"BACKEND": "tests.workflow.test_notifications.FailingBackend"}}


class FailingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise SMTPServerDisconnected("Connection unexpectedly closed")


def test_every_event_has_a_subject_and_a_template():
    for kind, name in [*RECIPIENTS, *(key for key in SUBJECTS if key[0] == "reminder")]:
        assert (kind, name) in SUBJECTS
        get_template(f"workflow/email/{kind}_{name}.txt")


def test_a_failing_mail_server_never_rolls_back_and_the_send_is_retried(
    cast, django_capture_on_commit_callbacks
):
    project = build_ready(cast)
    mail.outbox.clear()
    with override_settings(MAILERS=FAILING), django_capture_on_commit_callbacks(execute=True):
        services.project_transition(project_id=project.pk, name="submit", actor=cast.lead_manager)

    assert JointProject.objects.get(pk=project.pk).state == ProjectState.SUBMITTED
    assert TransitionLog.objects.filter(project=project, transition="submit").exists()
    failed = Notification.objects.filter(event="project_submit")
    assert failed.count() == 4  # lead staff, two partner managers, the coordinator (not the actor)
    assert all(n.email_status == EmailStatus.FAILED and n.email_attempts == 1 for n in failed)
    assert "SMTPServerDisconnected" in failed[0].email_error
    assert mail.outbox == []

    # Not yet due: nothing is sent.
    assert retry_failed_emails() == []
    # Later, with the mail server back: every failed email goes out, once.
    later = timezone.now() + timedelta(minutes=6)
    assert retry_failed_emails(now=later) == [EmailStatus.SENT] * 4
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [
            cast.lead_staff.email,
            cast.partner_manager.email,
            cast.partner2_manager.email,
            cast.coordinator.email,
        ]
    )
    assert retry_failed_emails(now=later) == []


def test_a_mail_server_that_stays_down_is_given_up_after_five_attempts(
    cast, django_capture_on_commit_callbacks
):
    project = build_ready(cast)
    with override_settings(MAILERS=FAILING):
        with django_capture_on_commit_callbacks(execute=True):
            services.project_transition(
                project_id=project.pk, name="submit", actor=cast.lead_manager
            )
        now = timezone.now()
        for _ in range(4):
            now += timedelta(days=1)
            retry_failed_emails(now=now)
    statuses = set(Notification.objects.values_list("email_status", "email_attempts"))
    assert statuses == {(EmailStatus.GAVE_UP, 5)}


def test_notifications_reach_the_right_people_in_their_language(
    cast, django_capture_on_commit_callbacks
):
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(cast.partner_manager)
    profile.preferred_language = "fr"
    profile.save()
    project = build_ready(cast)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.project_transition(project_id=project.pk, name="submit", actor=cast.lead_manager)
    told = set(
        Notification.objects.filter(event="project_submit").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"member", "partner", "partner2", "coordinator"}
    french = Notification.objects.get(event="project_submit", recipient=cast.partner_manager)
    english = Notification.objects.get(event="project_submit", recipient=cast.partner2_manager)
    assert french.language == "fr" and english.language == "en"
    assert english.subject == "Shared Stages (SHS) was submitted"
    assert "submitted the proposal" in english.body
    assert french.subject != english.subject and "Bonjour" in french.body


def test_the_notifications_api_lists_and_marks_read(cast, django_capture_on_commit_callbacks):
    project = build_ready(cast)
    with django_capture_on_commit_callbacks(execute=True):
        services.project_transition(project_id=project.pk, name="submit", actor=cast.lead_manager)
    client = APIClient()
    client.force_authenticate(cast.partner_manager)
    listing = client.get("/api/v1/notifications/?unread=true").json()
    events = [n["event"] for n in listing["results"]]
    assert "project_submit" in events
    first = listing["results"][0]
    assert client.post(f"/api/v1/notifications/{first['id']}/read/").json()["read_at"]
    assert client.get("/api/v1/notifications/?unread=true").json()["count"] == listing["count"] - 1
    assert client.post("/api/v1/notifications/read-all/").json()["marked"] == listing["count"] - 1
    # Someone else's notification is not found.
    other = APIClient()
    other.force_authenticate(cast.partner2_manager)
    assert other.post(f"/api/v1/notifications/{first['id']}/read/").status_code == 404


def test_links_lead_coordinators_to_the_admin_and_members_to_the_workspace(
    cast, django_capture_on_commit_callbacks
):
    project = build_ready(cast)
    with django_capture_on_commit_callbacks(execute=True):
        services.project_transition(project_id=project.pk, name="submit", actor=cast.lead_manager)
    links = dict(
        Notification.objects.filter(event="project_submit").values_list(
            "recipient__username", "url"
        )
    )
    assert links["coordinator"].endswith(f"/admin/network/projects/inspect/{project.pk}/")
    assert links["partner"].endswith(f"/workspace/projects/{project.pk}/")
    body = Notification.objects.get(event="project_submit", recipient=cast.partner_manager).body
    assert links["partner"] in body
