"""The inbox (issue 7, items 1 and 10): the dashboard's panels (to sign, reports due, deadlines,
notifications), the notifications inbox, email preferences honoured by the email path (and the
daily digest), and the private iCalendar feed of a person's deadlines."""

import re
from datetime import date, datetime, timedelta
from io import StringIO
from smtplib import SMTPServerDisconnected
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import JointProject
from tests.factories import JointProjectFactory, PartnershipFactory
from tests.factories.auth import verified_login
from tests.workflow.conftest import build_draft
from workflow import ical, services
from workflow.digests import digest_cutoff, send_daily_digests
from workflow.inbox_selectors import NOTIFICATION_EVENTS, email_delivery_for
from workflow.models import (
    CalendarFeed,
    EmailDelivery,
    EmailStatus,
    Notification,
    NotificationPreference,
    Review,
)
from workflow.notifications import RECIPIENTS, SUBJECTS
from workflow.scheduled import REPORT_DUE_DAYS
from workflow.services.inbox import (
    calendar_feed_renew,
    notification_mark_all_read,
    notification_mark_read,
    notification_preferences_set,
)
from workflow.states import PartnershipState, ProjectState
from workflow.tasks import retry_failed_emails

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")
FAILING = {"default": {"BACKEND": "tests.projects.workspace.test_inbox.FailingBackend"}}


class FailingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise SMTPServerDisconnected("Connection unexpectedly closed")


def login(client, user):
    verified_login(client, user)
    return client


def text(response):
    body = response.content.decode()
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()


def panel(response, title_id):
    """The text of one dashboard panel (the <section> labelled by `title_id`)."""
    body = response.content.decode()
    match = re.search(
        rf'<section class="ws-panel" aria-labelledby="{title_id}">(.*?)</section>', body, re.S
    )
    assert match, f"no panel {title_id}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def notify(user, subject="Something happened", *, minutes_ago=0, read=False, url="", **fields):
    notification = Notification.objects.create(
        recipient=user,
        event=fields.pop("event", "project_submit"),
        subject=subject,
        body=fields.pop("body", f"Hello,\n\n{subject}.\n"),
        url=url,
        read_at=timezone.now() if read else None,
        **fields,
    )
    if minutes_ago:
        Notification.objects.filter(pk=notification.pk).update(
            created_at=timezone.now() - timedelta(minutes=minutes_ago)
        )
    return notification


def count_queries(client, url):
    client.get(url)  # warm the per-process caches (content types, site)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# --- Inbox ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/workspace/notifications/",
        "/workspace/notifications/preferences/",
        "/workspace/calendar/",
        "/workspace/notifications/1/open/",
    ],
)
def test_every_page_requires_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    "url",
    [
        "/workspace/notifications/read/",
        "/workspace/notifications/1/read/",
        "/workspace/calendar/new-link/",
    ],
)
def test_every_action_requires_login_and_post(client, cast, url):
    assert "/accounts/login/" in client.post(url)["Location"]
    login(client, cast.lead_manager)
    assert client.get(url).status_code == 405


def test_the_inbox_lists_my_notifications_newest_first_unread_marked(client, cast):
    notify(cast.lead_manager, "Oldest, read", minutes_ago=30, read=True)
    notify(cast.lead_manager, "Middle, unread", minutes_ago=20)
    notify(cast.lead_manager, "Newest, unread", minutes_ago=10)
    notify(cast.partner_manager, "Not for the lead")
    login(client, cast.lead_manager)

    response = client.get(reverse("workspace:inbox"))

    assert response.status_code == 200
    page = text(response)
    assert "2 unread notifications" in page
    assert "Not for the lead" not in page
    assert page.index("Newest, unread") < page.index("Middle, unread") < page.index("Oldest")
    body = response.content.decode()
    assert body.count('class="inbox-item inbox-unread"') == 2
    assert body.count('class="inbox-item"') == 1  # the read one
    assert page.count("Unread Newest") + page.count("Unread Middle") == 2  # written, not colour
    assert body.count('action="/workspace/notifications/') == 3  # 2 × mark as read + mark all


def test_the_inbox_is_paginated_and_filters_unread(client, cast):
    for i in range(25):
        notify(cast.lead_manager, f"Notice number {i:02d}", minutes_ago=100 - i, read=i < 3)
    login(client, cast.lead_manager)

    first = text(client.get(reverse("workspace:inbox")))
    assert "Notice number 24" in first and "Notice number 05" in first
    assert "Notice number 04" not in first
    assert "Page 1 of 2" in first
    second = text(client.get(reverse("workspace:inbox") + "?page=2"))
    assert "Notice number 04" in second and "Notice number 00" in second
    assert "Notice number 05" not in second

    unread = text(client.get(reverse("workspace:inbox") + "?show=unread&page=2"))
    assert "Notice number 03" in unread  # 22 unread: 20 on the first page, 2 on the second
    assert "Notice number 02" not in unread  # read: not shown


def test_mark_one_read(client, cast):
    notification = notify(cast.lead_manager)
    login(client, cast.lead_manager)

    response = client.post(reverse("workspace:notification_read", args=[notification.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:inbox")
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_read_goes_back_to_the_workspace_page_only(client, cast):
    notification = notify(cast.lead_manager)
    other = notify(cast.lead_manager)
    login(client, cast.lead_manager)
    url = reverse("workspace:notification_read", args=[notification.pk])
    assert client.post(url, {"next": "/workspace/?page=2"})["Location"] == "/workspace/?page=2"
    url = reverse("workspace:notification_read", args=[other.pk])
    response = client.post(url, {"next": "https://evil.example/"})
    assert response["Location"] == reverse("workspace:inbox")


def test_someone_elses_notification_is_404_and_stays_unread(client, cast):
    theirs = notify(cast.partner_manager, "The partner's")
    login(client, cast.lead_manager)

    assert client.post(reverse("workspace:notification_read", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("workspace:notification_open", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("workspace:notification_read", args=[999999])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_marks_only_mine(client, cast):
    mine = [notify(cast.lead_manager, f"Mine {i}") for i in range(3)]
    theirs = notify(cast.partner_manager)
    login(client, cast.lead_manager)

    response = client.post(reverse("workspace:notifications_read_all"), follow=True)

    assert "3 notifications marked as read." in text(response)
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    again = client.post(reverse("workspace:notifications_read_all"), follow=True)
    assert "Every notification was already read." in text(again)


def test_marking_read_keeps_the_first_time(cast):
    notification = notify(cast.lead_manager)
    first = timezone.now() - timedelta(hours=1)
    notification_mark_read(notification_id=notification.pk, actor=cast.lead_manager, at=first)
    notification_mark_read(notification_id=notification.pk, actor=cast.lead_manager)
    notification.refresh_from_db()
    assert notification.read_at == first
    assert notification_mark_all_read(actor=cast.lead_manager) == 0


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://localhost:8000/workspace/projects/7/", "/workspace/projects/7/"),  # base URL
        (
            "http://testserver/workspace/projects/7/?tab=1#partners",
            "/workspace/projects/7/?tab=1#partners",
        ),
        ("/admin/grants/7/", "/admin/grants/7/"),
        ("https://evil.example/workspace/", None),
        ("//evil.example/workspace/", None),
        ("/\\evil.example/", None),
        ("javascript:alert(1)", None),
        ("ftp://testserver/file", None),
        ("", None),
    ],
)
def test_opening_marks_read_and_follows_local_links_only(client, cast, settings, url, expected):
    settings.WAGTAILADMIN_BASE_URL = "http://localhost:8000"
    notification = notify(cast.lead_manager, url=url)
    login(client, cast.lead_manager)

    response = client.get(reverse("workspace:notification_open", args=[notification.pk]))

    assert response.status_code == 302
    assert response["Location"] == (expected or reverse("workspace:inbox"))
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_the_inbox_runs_a_fixed_number_of_queries(client, cast):
    login(client, cast.lead_manager)
    for i in range(2):
        notify(cast.lead_manager, f"Small {i}", read=i % 2 == 0)
    small = count_queries(client, reverse("workspace:inbox"))
    small_unread = count_queries(client, reverse("workspace:inbox") + "?show=unread")
    for i in range(10):
        notify(cast.lead_manager, f"Large {i}", read=i % 2 == 0)
    large = count_queries(client, reverse("workspace:inbox"))
    large_unread = count_queries(client, reverse("workspace:inbox") + "?show=unread")
    print(f"inbox: {small} queries with 2 notifications, {large} with 12")
    assert small == large
    assert small_unread == large_unread
    assert large <= 8


# --- Preferences ----------------------------------------------------------------------------------


def test_every_event_the_code_sends_has_a_preference():
    from workflow.services.threads import EVENT as MESSAGE_EVENT

    sent = {f"{kind}_{name}" for kind, name in [*RECIPIENTS, *SUBJECTS]} | {MESSAGE_EVENT}
    assert sent == set(NOTIFICATION_EVENTS)
    assert len(NOTIFICATION_EVENTS) == len(set(NOTIFICATION_EVENTS))


def test_preferences_show_every_kind_immediately_by_default(client, cast):
    login(client, cast.lead_manager)
    response = client.get(reverse("workspace:notification_preferences"))
    assert response.status_code == 200
    body = response.content.decode()
    for event in NOTIFICATION_EVENTS:
        assert re.search(rf'name="{event}" value="immediately" id="id_{event}_0" checked', body)
    page = text(response)
    assert "A proposal is submitted" in page
    assert "Reminder: a final report is due" in page


def test_preferences_are_saved_and_shown(client, cast):
    login(client, cast.lead_manager)
    choices = dict.fromkeys(NOTIFICATION_EVENTS, "immediately")
    choices |= {"project_submit": "daily_digest", "partnership_accept": "none"}

    response = client.post(reverse("workspace:notification_preferences"), choices)

    assert response.status_code == 302
    stored = set(
        NotificationPreference.objects.filter(user=cast.lead_manager).values_list(
            "event", "delivery"
        )
    )
    assert stored == {("project_submit", "daily_digest"), ("partnership_accept", "none")}
    page = client.get(response["Location"])
    assert "Your notification preferences are saved." in text(page)
    body = page.content.decode()
    assert 'name="project_submit" value="daily_digest" id="id_project_submit_1" checked' in body
    assert 'name="partnership_accept" value="none" id="id_partnership_accept_2" checked' in body

    # Back to immediately: the row goes, the default applies.
    choices["project_submit"] = "immediately"
    client.post(reverse("workspace:notification_preferences"), choices)
    assert email_delivery_for(user_id=cast.lead_manager.pk, event="project_submit") == (
        EmailDelivery.IMMEDIATELY
    )
    assert NotificationPreference.objects.filter(user=cast.lead_manager).count() == 1


def test_bad_preferences_save_nothing_and_say_what_is_wrong(client, cast):
    login(client, cast.lead_manager)
    choices = dict.fromkeys(NOTIFICATION_EVENTS, "none")
    choices["project_submit"] = "carrier pigeon"
    del choices["review_assign"]

    response = client.post(reverse("workspace:notification_preferences"), choices)

    assert response.status_code == 400
    page = text(response)
    assert "There is a problem:" in page
    assert "A proposal is submitted: Choose one of the three ways." in page
    assert "A proposal is assigned to you for review: Choose how to be emailed about this." in page
    body = response.content.decode()
    assert 'href="#id_project_submit_0"' in body  # the summary leads to the field
    assert 'aria-describedby="project_submit-error"' in body
    # What was chosen is still chosen; nothing is saved.
    assert 'name="partnership_accept" value="none" id="id_partnership_accept_2" checked' in body
    assert not NotificationPreference.objects.exists()


def test_the_preferences_service_refuses_unknown_kinds_and_choices(cast):
    with pytest.raises(ValidationError):
        notification_preferences_set(
            actor=cast.lead_manager, deliveries={"project_submit": "none", "made_up": "none"}
        )
    with pytest.raises(ValidationError):
        notification_preferences_set(
            actor=cast.lead_manager, deliveries={"project_submit": "none", "review_assign": "x"}
        )
    assert not NotificationPreference.objects.exists()


# --- The email path honours the preferences -------------------------------------------------------


def accept_a_partner(cast, django_capture_on_commit_callbacks):
    """The partner accepts an invitation: the lead's members (lead, member) are told."""
    project = build_draft(cast)
    partnership = services.partnership_invite(
        project_id=project.pk, centre_id=cast.partner_centre.pk, actor=cast.lead_manager
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.partnership_transition(
            partnership_id=partnership.pk, name="accept", actor=cast.partner_manager
        )
    return project


def emails_to(user):
    return [message for message in mail.outbox if message.to == [user.email]]


def test_not_by_email_sends_no_email_but_keeps_the_notification(
    cast, django_capture_on_commit_callbacks
):
    notification_preferences_set(
        actor=cast.lead_manager, deliveries={"partnership_accept": EmailDelivery.NOT_BY_EMAIL}
    )

    accept_a_partner(cast, django_capture_on_commit_callbacks)

    lead = Notification.objects.get(recipient=cast.lead_manager, event="partnership_accept")
    assert lead.email_status == EmailStatus.SKIPPED
    assert lead.read_at is None  # in the inbox all the same
    assert emails_to(cast.lead_manager) == []
    # Someone who chose nothing is emailed at once.
    assert len(emails_to(cast.lead_staff)) == 1
    staff = Notification.objects.get(recipient=cast.lead_staff, event="partnership_accept")
    assert staff.email_status == EmailStatus.SENT
    # A skipped email is never retried.
    assert retry_failed_emails(now=timezone.now() + timedelta(days=1)) == []


def test_daily_digest_sends_one_email_a_day(cast, django_capture_on_commit_callbacks):
    notification_preferences_set(
        actor=cast.lead_manager,
        deliveries={
            "partnership_invite": EmailDelivery.DAILY_DIGEST,
            "partnership_accept": EmailDelivery.DAILY_DIGEST,
        },
    )
    project = accept_a_partner(cast, django_capture_on_commit_callbacks)
    services.project_transition(
        project_id=project.pk, name="open_partner_search", actor=cast.lead_manager
    )
    with django_capture_on_commit_callbacks(execute=True):  # a second kind, the same day
        services.partnership_request(
            project_id=project.pk, centre_id=cast.other_centre.pk, actor=cast.other_manager
        )
    held = Notification.objects.filter(recipient=cast.lead_manager)
    assert set(held.values_list("event", "email_status")) == {
        ("partnership_accept", EmailStatus.DIGEST),
        ("partnership_request", EmailStatus.SENT),
    }
    # partnership_request was not chosen for the digest: it went at once.
    assert [m.subject for m in emails_to(cast.lead_manager)] == [
        f"Kulturhaus Graz asks to join {project}"
    ]
    mail.outbox.clear()
    # Nothing is held by the stale-email retry either.
    assert retry_failed_emails(now=timezone.now() + timedelta(hours=2)) == []

    created = Notification.objects.get(recipient=cast.lead_manager, event="partnership_accept")
    before_the_hour = timezone.localtime(created.created_at, BRUSSELS).replace(
        hour=6, minute=59
    ) + timedelta(days=1)
    after_the_hour = before_the_hour.replace(hour=7, minute=5)
    # Held until the next digest hour (7:00 in Brussels), then sent once.
    assert send_daily_digests(now=created.created_at) == []
    if timezone.localtime(created.created_at, BRUSSELS).hour >= 7:
        assert send_daily_digests(now=before_the_hour) == []
    assert send_daily_digests(now=after_the_hour) == [EmailStatus.SENT]

    [digest] = mail.outbox
    assert digest.to == [cast.lead_manager.email]
    assert digest.subject == "Your Ensemble digest: 1 notification"
    assert f"Centre culturel de Liège is a partner of {project}" in digest.body
    assert "/workspace/notifications/" in digest.body
    assert "/workspace/notifications/preferences/" in digest.body
    created.refresh_from_db()
    assert created.email_status == EmailStatus.SENT
    assert created.email_attempts == 1
    # Once a day: later runs the same day send nothing more.
    assert send_daily_digests(now=after_the_hour + timedelta(hours=5)) == []
    assert len(mail.outbox) == 1


def test_a_digest_lists_everything_held_in_one_email(cast):
    for i in range(3):
        notify(
            cast.lead_manager,
            f"Held number {i}",
            minutes_ago=60 * 24,
            email_status=EmailStatus.DIGEST,
            url=f"http://localhost:8000/workspace/projects/{i}/",
        )
    notify(cast.partner_manager, "Held for the partner", minutes_ago=60 * 24, email_status="digest")
    notify(cast.lead_manager, "Sent already", minutes_ago=60 * 24, email_status=EmailStatus.SENT)

    assert send_daily_digests() == [EmailStatus.SENT, EmailStatus.SENT]

    [lead] = emails_to(cast.lead_manager)
    assert lead.subject == "Your Ensemble digest: 3 notifications"
    assert "3 notifications." in lead.body
    assert lead.body.index("Held number 0") < lead.body.index("Held number 2")
    assert "http://localhost:8000/workspace/projects/1/" in lead.body
    assert "Sent already" not in lead.body
    assert "Held for the partner" in emails_to(cast.partner_manager)[0].body


def test_a_failed_digest_is_retried_later_and_sent_once(cast):
    held = notify(cast.lead_manager, "Held", minutes_ago=60 * 24, email_status="digest")
    now = timezone.now()
    with override_settings(MAILERS=FAILING):
        assert send_daily_digests(now=now) == [EmailStatus.FAILED]
    held.refresh_from_db()
    assert (held.email_status, held.email_attempts) == (EmailStatus.DIGEST, 1)
    assert "SMTPServerDisconnected" in held.email_error
    assert send_daily_digests(now=now + timedelta(minutes=1)) == []  # not yet: back-off
    assert send_daily_digests(now=now + timedelta(minutes=6)) == [EmailStatus.SENT]
    assert len(mail.outbox) == 1
    held.refresh_from_db()
    assert (held.email_status, held.email_attempts, held.email_error) == ("sent", 2, "")


def test_a_digest_gives_up_after_five_attempts(cast):
    held = notify(cast.lead_manager, "Held", minutes_ago=60 * 24, email_status="digest")
    now = timezone.now()
    with override_settings(MAILERS=FAILING):
        for attempt in range(5):
            send_daily_digests(now=now + timedelta(days=attempt))
    held.refresh_from_db()
    assert (held.email_status, held.email_attempts) == (EmailStatus.GAVE_UP, 5)
    assert send_daily_digests(now=now + timedelta(days=9)) == []


def test_a_digest_to_someone_without_email_is_marked_none(cast):
    cast.lead_manager.email = ""
    cast.lead_manager.save()
    held = notify(cast.lead_manager, "Held", minutes_ago=60 * 24, email_status="digest")
    assert send_daily_digests() == [EmailStatus.NONE]
    held.refresh_from_db()
    assert held.email_status == EmailStatus.NONE
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("local", "cutoff"),
    [
        (datetime(2027, 3, 10, 6, 59), datetime(2027, 3, 9, 7, 0)),
        (datetime(2027, 3, 10, 7, 0), datetime(2027, 3, 10, 7, 0)),
        (datetime(2027, 3, 10, 23, 30), datetime(2027, 3, 10, 7, 0)),
    ],
)
def test_the_digest_goes_at_seven_local_time(local, cutoff):
    assert digest_cutoff(local.replace(tzinfo=BRUSSELS)) == cutoff.replace(tzinfo=BRUSSELS)


def test_the_digest_command(cast):
    notify(cast.lead_manager, "Held", minutes_ago=60 * 24, email_status="digest")
    out = StringIO()
    call_command("send_daily_digests", stdout=out)
    assert out.getvalue().strip() == "digests_sent=1 digests_failed=0"
    assert len(mail.outbox) == 1


# --- The dashboard's panels -------------------------------------------------------------------


def test_mandates_to_sign_for_managers_of_the_centre(client, cast):
    project = build_draft(cast)  # the lead's own mandate is not signed yet
    lead = project.partnerships.get()
    login(client, cast.lead_manager)

    response = client.get(reverse("workspace:home"))
    to_sign = panel(response, "to-sign-title")
    assert "Sign the mandate of Maison de la culture de Lyon" in to_sign
    assert "Shared Stages (SHS)" in to_sign
    assert f"#mandate-{lead.pk}" in response.content.decode()

    # Staff members do not sign: no panel.
    client.logout()
    login(client, cast.lead_staff)
    assert 'id="to-sign-title"' not in client.get(reverse("workspace:home")).content.decode()

    services.partnership_sign_mandate(
        partnership_id=lead.pk, actor=cast.lead_manager, declaration=True
    )
    login(client, cast.lead_manager)
    to_sign = panel(client.get(reverse("workspace:home")), "to-sign-title")
    assert "No mandate or grant agreement waits for your signature." in to_sign


def test_agreements_to_accept_after_approval(client, cast):
    approved = JointProjectFactory(
        call=cast.call, lead_centre=cast.lead_centre, state=ProjectState.APPROVED, title="Funded"
    )
    partnership = PartnershipFactory(project=approved, centre=cast.partner_centre)
    JointProjectFactory(  # submitted: nothing to sign until a decision
        call=cast.call, lead_centre=cast.partner_centre, state=ProjectState.SUBMITTED
    )
    login(client, cast.partner_manager)

    response = client.get(reverse("workspace:home"))

    to_sign = panel(response, "to-sign-title")
    assert "Accept the grant agreement for Centre culturel de Liège" in to_sign
    assert "Funded" in to_sign
    assert to_sign.count("Accept the grant agreement") + to_sign.count("Sign the mandate") == 1
    assert f"#agreement-{partnership.pk}" in response.content.decode()


def test_reports_due_with_their_due_date_and_overdue_flag(client, cast):
    today = timezone.localdate()
    JointProjectFactory(
        call=cast.call,
        lead_centre=cast.lead_centre,
        state=ProjectState.REPORTING,
        title="Late one",
        start_date=today - timedelta(days=400),
        end_date=today - timedelta(days=REPORT_DUE_DAYS + 3),
    )
    JointProjectFactory(
        call=cast.call,
        lead_centre=cast.lead_centre,
        state=ProjectState.REPORTING,
        title="On time",
        start_date=today - timedelta(days=400),
        end_date=today - timedelta(days=REPORT_DUE_DAYS - 10),
    )
    JointProjectFactory(
        call=cast.call,
        lead_centre=cast.lead_centre,
        state=ProjectState.REPORTING,
        title="Last day",
        start_date=today - timedelta(days=400),
        end_date=today - timedelta(days=REPORT_DUE_DAYS),
    )
    JointProjectFactory(  # submitted already
        call=cast.call, lead_centre=cast.lead_centre, state=ProjectState.REPORT_SUBMITTED
    )
    JointProjectFactory(  # another centre's
        call=cast.call, lead_centre=cast.other_centre, state=ProjectState.REPORTING
    )
    login(client, cast.lead_staff)  # every member of the lead centre sees them

    reports = panel(client.get(reverse("workspace:home")), "reports-due-title")

    assert reports.index("Late one") < reports.index("Last day") < reports.index("On time")
    assert reports.count("Overdue: was due") == 1
    assert reports.count("Due today") == 1
    assert "(in 10 days)" in reports
    assert "Not started" in reports
    assert reports.count("Final report") == 3

    # A partner centre does not write the report: none due.
    client.logout()
    login(client, cast.partner_manager)
    reports = panel(client.get(reverse("workspace:home")), "reports-due-title")
    assert "No report is due from your centres." in reports


def test_upcoming_deadlines_of_every_kind_next_five(client, cast):
    today = timezone.localdate()
    build_draft(cast)  # the call closes in 30 days
    JointProjectFactory(
        call=cast.call,
        lead_centre=cast.lead_centre,
        state=ProjectState.IN_PROGRESS,
        acronym="RUN",
        start_date=today - timedelta(days=REPORT_DUE_DAYS - 5) - timedelta(days=365),
        end_date=today - timedelta(days=REPORT_DUE_DAYS - 5),  # report due in 5 days
    )
    login(client, cast.lead_manager)

    deadlines = panel(client.get(reverse("workspace:home")), "deadlines-title")

    assert deadlines.index("The final report of RUN is due") < deadlines.index(
        "The call closes for SHS"
    )

    for i in range(7):
        JointProjectFactory(
            call=cast.call,
            lead_centre=cast.lead_centre,
            acronym=f"D{i}",
            state=ProjectState.DRAFT,
        )
    deadlines = panel(client.get(reverse("workspace:home")), "deadlines-title")
    assert deadlines.count("The call closes for") == 4  # five in all: the report first


def test_reviewers_see_their_review_due_dates(client, cast):
    project = JointProjectFactory(
        call=cast.call, lead_centre=cast.partner_centre, state=ProjectState.SUBMITTED, acronym="REV"
    )
    Review.objects.create(
        project=project, reviewer=cast.reviewer, due_date=timezone.localdate() + timedelta(days=3)
    )
    login(client, cast.reviewer)
    deadlines = panel(client.get(reverse("workspace:home")), "deadlines-title")
    assert "Your review of REV is due" in deadlines


def test_the_latest_five_unread_notifications_and_a_link_to_the_inbox(client, cast):
    for i in range(7):
        notify(cast.lead_manager, f"Unread number {i}", minutes_ago=100 - i)
    notify(cast.lead_manager, "Already read", read=True)
    login(client, cast.lead_manager)

    response = client.get(reverse("workspace:home"))

    notifications = panel(response, "notifications-title")
    assert [f"Unread number {i}" in notifications for i in range(7)] == [False] * 2 + [True] * 5
    assert "Already read" not in notifications
    assert "And more unread notifications in your inbox." in notifications
    assert 'href="/workspace/notifications/"' in response.content.decode()


def grow_inbox_panels(cast, n):
    """n more of everything the inbox panels show, for the lead and the reviewer."""
    today = timezone.localdate()
    for i in range(n):
        JointProjectFactory(call=cast.call, lead_centre=cast.lead_centre)  # a mandate, a deadline
        approved = JointProjectFactory(
            call=cast.call, lead_centre=cast.partner_centre, state=ProjectState.APPROVED
        )
        PartnershipFactory(project=approved, centre=cast.lead_centre)  # an agreement
        JointProjectFactory(
            call=cast.call,
            lead_centre=cast.lead_centre,
            state=ProjectState.REPORTING,
            start_date=today - timedelta(days=i) - timedelta(days=365),
            end_date=today - timedelta(days=i),
        )
        submitted = JointProjectFactory(
            call=cast.call, lead_centre=cast.partner_centre, state=ProjectState.SUBMITTED
        )
        Review.objects.create(
            project=submitted, reviewer=cast.reviewer, due_date=today + timedelta(days=i)
        )
        notify(cast.lead_manager, f"For the lead {i}")
        notify(cast.reviewer, f"For the reviewer {i}")


@pytest.mark.parametrize("who", ["lead_manager", "reviewer"])
def test_the_dashboard_with_its_inbox_panels_runs_a_fixed_number_of_queries(client, cast, who):
    login(client, getattr(cast, who))
    grow_inbox_panels(cast, 2)
    small = count_queries(client, "/workspace/")
    grow_inbox_panels(cast, 10)
    large = count_queries(client, "/workspace/")
    print(f"dashboard as {who}: {small} queries with 2 of each, {large} with 12")
    assert small == large
    assert large <= 16
    body = client.get("/workspace/").content.decode()
    assert 'id="deadlines-title"' in body


# --- The calendar feed ----------------------------------------------------------------------------


def unfold(ics):
    """The content lines of an iCalendar text, after checking its physical lines."""
    assert ics.endswith("\r\n")
    physical = ics.split("\r\n")[:-1]
    for line in physical:
        assert "\n" not in line and "\r" not in line
        assert len(line.encode("utf-8")) <= 75, line
    lines = []
    for line in physical:
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def unescape(value):
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def parse_events(ics):
    events, current = [], None
    for line in unfold(ics):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            name, _colon, value = line.partition(":")
            current[name] = value
    return events


def test_ical_escapes_text_and_folds_long_lines_without_splitting_characters():
    assert ical.escape_text('a\\b;c,d\ne\r\nf"') == 'a\\\\b\\;c\\,d\\ne\\nf"'
    summary = "Échéance, appel; «" + "é" * 80 + "» \\ fin\nligne 2"
    text = ical.calendar(
        [
            ical.Event(
                uid="call-1@example.org",
                summary=summary,
                start=datetime(2027, 3, 10, 17, 0, tzinfo=BRUSSELS),
                url="https://example.org/workspace/projects/1/",
            ),
            ical.Event(uid="review-2@example.org", summary="Review", start=date(2027, 12, 31)),
        ],
        name="Ensemble: my deadlines",
        prodid="-//Ensemble//Deadlines//EN",
        now=datetime(2027, 1, 1, 12, 0, tzinfo=BRUSSELS),
    )
    lines = unfold(text)  # CRLF endings, ≤ 75 octets, no stray line break
    assert lines[:2] == ["BEGIN:VCALENDAR", "VERSION:2.0"]
    assert lines[-1] == "END:VCALENDAR"
    assert any(line.startswith(" ") for line in text.split("\r\n"))  # it did fold
    text.encode("utf-8").decode("utf-8")  # no character cut in two
    first, second = parse_events(text)
    assert unescape(first["SUMMARY"]) == summary
    assert first["UID"] == "call-1@example.org"
    assert first["DTSTART"] == "20270310T160000Z"  # 17:00 in Brussels, in UTC
    assert first["DTSTAMP"] == "20270101T110000Z"
    assert first["URL"] == "https://example.org/workspace/projects/1/"
    assert second["DTSTART;VALUE=DATE"] == "20271231"
    assert second["DTEND;VALUE=DATE"] == "20280101"  # exclusive: the whole day
    with pytest.raises(ValueError):
        ical.format_datetime(datetime(2027, 1, 1))


def test_the_calendar_page_creates_a_private_link(client, cast):
    login(client, cast.lead_manager)
    page = text(client.get(reverse("workspace:calendar")))
    assert "You have no calendar link yet." in page

    response = client.post(reverse("workspace:calendar_renew"), follow=True)

    feed = CalendarFeed.objects.get(user=cast.lead_manager)
    assert len(feed.token) >= 40
    page = text(response)
    assert "Your calendar link is ready." in page
    body = response.content.decode()
    assert f'value="http://testserver/workspace/calendar/{feed.token}.ics"' in body
    assert f'href="webcal://testserver/workspace/calendar/{feed.token}.ics"' in body


def test_the_feed_lists_my_deadlines_of_every_kind(client, cast, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://ensemble.example"
    today = timezone.localdate()
    draft = build_draft(cast)
    JointProject.objects.filter(pk=draft.pk).update(title="Stages, Rooms; and \\ Halls")
    running = JointProjectFactory(
        call=cast.call,
        lead_centre=cast.lead_centre,
        state=ProjectState.REPORTING,
        acronym="RUN",
        start_date=today - timedelta(days=10) - timedelta(days=365),
        end_date=today - timedelta(days=10),
    )
    JointProjectFactory(call=cast.call, lead_centre=cast.other_centre, acronym="OTHER")
    feed = calendar_feed_renew(actor=cast.lead_manager)

    response = client.get(reverse("workspace:calendar_feed", args=[feed.token]))  # no login

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    events = {event["UID"]: event for event in parse_events(response.content.decode())}
    assert set(events) == {
        f"call-{draft.pk}@ensemble.example",
        f"report-{running.pk}@ensemble.example",
    }
    call = events[f"call-{draft.pk}@ensemble.example"]
    assert call["SUMMARY"] == "The call closes for SHS"
    assert unescape(call["DESCRIPTION"]) == "Stages, Rooms; and \\ Halls"
    assert call["DESCRIPTION"] == "Stages\\, Rooms\\; and \\\\ Halls"
    assert call["DTSTART"] == cast.call.deadline.astimezone(ZoneInfo("UTC")).strftime(
        "%Y%m%dT%H%M%SZ"
    )
    assert call["URL"] == f"http://testserver/workspace/projects/{draft.pk}/"
    assert re.fullmatch(r"\d{8}T\d{6}Z", call["DTSTAMP"])
    report = events[f"report-{running.pk}@ensemble.example"]
    due = running.end_date + timedelta(days=REPORT_DUE_DAYS)
    assert report["DTSTART;VALUE=DATE"] == due.strftime("%Y%m%d")
    assert report["SUMMARY"] == "The final report of RUN is due"


def test_the_feed_of_a_reviewer_has_their_reviews_only(client, cast):
    project = JointProjectFactory(
        call=cast.call, lead_centre=cast.partner_centre, state=ProjectState.UNDER_REVIEW
    )
    mine = Review.objects.create(
        project=project, reviewer=cast.reviewer, due_date=date(2099, 1, 15)
    )
    Review.objects.create(project=project, reviewer=cast.reviewer2, due_date=date(2099, 1, 16))
    feed = calendar_feed_renew(actor=cast.reviewer)

    ics = client.get(reverse("workspace:calendar_feed", args=[feed.token])).content.decode()

    [event] = parse_events(ics)
    assert event["UID"].startswith(f"review-{mine.pk}@")
    assert event["DTSTART;VALUE=DATE"] == "20990115"


def test_a_new_link_revokes_the_old_one(client, cast):
    old = calendar_feed_renew(actor=cast.lead_manager).token
    login(client, cast.lead_manager)

    response = client.post(reverse("workspace:calendar_renew"), follow=True)

    assert "The previous link no longer works." in text(response)
    new = CalendarFeed.objects.get(user=cast.lead_manager).token
    assert new != old
    client.logout()
    assert client.get(f"/workspace/calendar/{old}.ics").status_code == 404
    assert client.get(f"/workspace/calendar/{new}.ics").status_code == 200


def test_unknown_tokens_and_inactive_people_get_404(client, cast):
    feed = calendar_feed_renew(actor=cast.lead_manager)
    assert client.get("/workspace/calendar/" + "x" * 43 + ".ics").status_code == 404
    assert client.get("/workspace/calendar/short.ics").status_code == 404
    cast.lead_manager.is_active = False
    cast.lead_manager.save()
    assert client.get(f"/workspace/calendar/{feed.token}.ics").status_code == 404


def test_the_feed_leaves_out_what_is_no_longer_a_deadline(client, cast):
    project = build_draft(cast)
    JointProject.objects.filter(pk=project.pk).update(state=ProjectState.SUBMITTED)
    old = JointProjectFactory(
        call=cast.call,
        lead_centre=cast.lead_centre,
        state=ProjectState.REPORTING,
        start_date=timezone.localdate()
        - timedelta(days=REPORT_DUE_DAYS + 200)
        - timedelta(days=365),
        end_date=timezone.localdate() - timedelta(days=REPORT_DUE_DAYS + 200),
    )
    feed = calendar_feed_renew(actor=cast.lead_manager)
    ics = client.get(reverse("workspace:calendar_feed", args=[feed.token])).content.decode()
    assert parse_events(ics) == []  # submitted: the call no longer matters; too old a report
    assert old.pk  # (it exists; it is only out of the window)


def test_the_partnership_state_matters_for_deadlines(client, cast):
    project = JointProjectFactory(call=cast.call, lead_centre=cast.lead_centre, acronym="INV")
    PartnershipFactory(project=project, centre=cast.partner_centre, state=PartnershipState.INVITED)
    feed = calendar_feed_renew(actor=cast.partner_manager)
    ics = client.get(reverse("workspace:calendar_feed", args=[feed.token])).content.decode()
    assert parse_events(ics) == []  # only invited: not yet its deadline
