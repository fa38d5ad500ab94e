"""A proposal's messages (/workspace/projects/<pk>/messages/): who reads and posts, when, what is
refused, who is told, and a fixed number of queries whatever the thread's length."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import MembershipFactory, UserFactory, coordinator
from tests.factories.auth import verified_login
from tests.workflow.conftest import advance, build_draft, build_ready
from workflow import services
from workflow.exceptions import NotPermitted, NotVisible, WrongState
from workflow.models import MESSAGE_MAX_LENGTH, Message, Notification
from workflow.services.threads import message_post
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db


def thread_url(project, page=None):
    url = reverse("workspace:project_messages", args=[project.pk])
    return f"{url}?page={page}" if page else url


def login(client, user):
    verified_login(client, user)  # coordinators must have passed two-factor authentication
    return client


def text(response):
    body = response.content.decode()
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()


@pytest.fixture
def submitted(cast):
    project = build_ready(cast)
    return advance(cast, project, ProjectState.SUBMITTED)


# --- Who reads the thread -----------------------------------------------------------------------


def test_the_centres_and_the_coordinators_read_the_thread(client, cast, submitted):
    message_post(project_id=submitted.pk, author=cast.partner_manager, body="When is the jury?")
    for user in (cast.lead_manager, cast.lead_staff, cast.partner2_manager, cast.coordinator):
        client.logout()
        response = login(client, user).get(thread_url(submitted))
        assert response.status_code == 200, user
        assert "When is the jury?" in text(response)
        assert 'id="message-body"' in response.content.decode()  # everyone taking part posts


def test_anyone_else_gets_404_and_posts_nothing(client, cast, submitted):
    services.review_assign(project_id=submitted.pk, reviewer=cast.reviewer, actor=cast.coordinator)
    outsider = UserFactory(username="visitor")
    for user in (cast.other_manager, cast.reviewer, outsider):
        client.logout()
        login(client, user)
        # The reviewer sees the proposal itself; the thread stays hidden from them all the same.
        assert client.get(thread_url(submitted)).status_code == 404, user
        assert client.post(thread_url(submitted), {"body": "Hello"}).status_code == 404, user
        with pytest.raises(NotVisible):
            message_post(project_id=submitted.pk, author=user, body="Hello")
    assert not Message.objects.exists()


def test_visitors_are_sent_to_the_login_page(client, submitted):
    response = client.get(thread_url(submitted))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_centre_that_never_joined_does_not_read_it(client, cast):
    project = build_ready(cast)
    # Invited but never answered: the submission declines the invitation.
    services.partnership_invite(
        project_id=project.pk, centre_id=cast.other_centre.pk, actor=cast.lead_manager
    )
    advance(cast, project, ProjectState.SUBMITTED)
    login(client, cast.other_manager)
    # The member sees the proposal (their centre was invited) but not the thread.
    assert client.get(reverse("workspace:project", args=[project.pk])).status_code == 200
    assert client.get(thread_url(project)).status_code == 404


def test_another_centre_reads_a_funded_project_but_not_its_messages(client, cast):
    project = advance(cast, build_ready(cast), ProjectState.IN_PROGRESS)
    login(client, cast.other_manager)
    assert client.get(reverse("workspace:project", args=[project.pk])).status_code == 200
    assert client.get(thread_url(project)).status_code == 404


def test_partners_never_see_coordinators_only_messages(client, cast, submitted):
    message_post(project_id=submitted.pk, author=cast.coordinator, body="Public: welcome.")
    message_post(
        project_id=submitted.pk,
        author=cast.coordinator,
        body="Note: budget looks inflated.",
        coordinators_only=True,
    )
    page = text(login(client, cast.partner_manager).get(thread_url(submitted)))
    assert "Public: welcome." in page
    assert "budget looks inflated" not in page
    assert "Coordinators only" not in page

    client.logout()
    page = text(login(client, cast.coordinator).get(thread_url(submitted)))
    assert "Public: welcome." in page
    assert "Note: budget looks inflated. " in page + " "
    assert "Coordinators only" in page


def test_authors_are_named_with_their_side(client, cast, submitted):
    cast.coordinator.first_name, cast.coordinator.last_name = "Ada", "Secretary"
    cast.coordinator.save()
    message_post(project_id=submitted.pk, author=cast.partner_manager, body="A question.")
    message_post(project_id=submitted.pk, author=cast.coordinator, body="An answer.")
    page = text(login(client, cast.partner_manager).get(thread_url(submitted)))
    partner = cast.partner_manager.get_full_name()
    assert f"{partner}, Centre culturel de Liège (you)" in page
    assert "Ada Secretary, network secretariat" in page
    assert page.index("A question.") < page.index("An answer.")  # oldest first


# --- When ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["draft", "open_for_partners"])
def test_posting_before_submission_is_refused(client, cast, state):
    project = build_draft(cast)
    if state == "open_for_partners":
        services.project_transition(
            project_id=project.pk, name="open_partner_search", actor=cast.lead_manager
        )
    login(client, cast.lead_manager)
    page = client.get(thread_url(project))
    assert page.status_code == 200
    assert "open when the proposal is submitted" in text(page)
    assert 'id="message-body"' not in page.content.decode()

    response = client.post(thread_url(project), {"body": "Anyone there?"})
    assert response.status_code == 409
    assert "open when the proposal is submitted" in text(response)
    assert 'role="alert"' in response.content.decode()
    with pytest.raises(WrongState):
        message_post(project_id=project.pk, author=cast.lead_manager, body="Anyone there?")
    assert not Message.objects.exists()


def test_an_ended_project_keeps_its_thread_read_only(client, cast, submitted):
    message_post(project_id=submitted.pk, author=cast.lead_manager, body="Before the end.")
    services.project_transition(
        project_id=submitted.pk, name="reject", actor=cast.coordinator, comment="Out of scope."
    )
    login(client, cast.lead_manager)
    page = client.get(thread_url(submitted))
    assert "Before the end." in text(page)
    assert "no new message can be posted" in text(page)
    assert 'id="message-body"' not in page.content.decode()
    assert client.post(thread_url(submitted), {"body": "Why?"}).status_code == 409
    assert Message.objects.count() == 1


def test_the_thread_stays_open_while_changes_are_requested(client, cast, submitted):
    services.project_transition(
        project_id=submitted.pk,
        name="request_changes",
        actor=cast.coordinator,
        comment="Add a partner.",
    )
    response = login(client, cast.lead_manager).post(thread_url(submitted), {"body": "Which?"})
    assert response.status_code == 302
    assert Message.objects.get().body == "Which?"


# --- Posting ------------------------------------------------------------------------------------


def test_a_partner_posts_and_comes_back_to_the_message(client, cast, submitted):
    login(client, cast.lead_staff)  # staff, not only managers, write to the secretariat
    response = client.post(thread_url(submitted), {"body": "  Our question.  "})
    message = Message.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{thread_url(submitted)}#msg-{message.pk}"
    assert message.body == "Our question."
    assert message.author == cast.lead_staff
    assert message.author_centre == cast.lead_centre
    assert not message.from_secretariat and not message.coordinators_only
    page = client.get(response["Location"])
    assert "Your message was posted." in text(page)
    assert f'id="msg-{message.pk}"' in page.content.decode()


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("", "Write your message."),
        ("   \n  ", "Write your message."),
        ("x" * (MESSAGE_MAX_LENGTH + 1), "The message is too long: 5001 characters, at most 5000."),
    ],
)
def test_a_bad_body_is_refused_next_to_the_field_and_nothing_is_saved(
    client, cast, submitted, body, error, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(client, cast.partner_manager).post(thread_url(submitted), {"body": body})
    assert response.status_code == 400
    html = response.content.decode()
    assert f'<p class="field-errors" id="message-body-error">{error}</p>' in html
    assert 'aria-invalid="true"' in html
    assert 'href="#message-body"' in html  # the error summary leads to the field
    assert "<title>Error:" in html
    if body.strip():
        assert body in html  # what was typed is kept
    assert not Message.objects.exists()
    assert not Notification.objects.filter(event="message_posted").exists()


def test_the_service_checks_the_body_too(cast, submitted):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        message_post(project_id=submitted.pk, author=cast.lead_manager, body="  ")
    with pytest.raises(ValidationError):
        message_post(
            project_id=submitted.pk, author=cast.lead_manager, body="y" * (MESSAGE_MAX_LENGTH + 1)
        )
    assert not Message.objects.exists()


def test_only_coordinators_keep_notes_for_themselves(client, cast, submitted):
    with pytest.raises(NotPermitted):
        message_post(
            project_id=submitted.pk,
            author=cast.partner_manager,
            body="Secret?",
            coordinators_only=True,
        )
    # From the page, a partner has no such field: a forged value is ignored, never trusted.
    login(client, cast.partner_manager)
    assert 'name="coordinators_only"' not in client.get(thread_url(submitted)).content.decode()
    client.post(thread_url(submitted), {"body": "Public anyway.", "coordinators_only": "yes"})
    message = Message.objects.get()
    assert not message.coordinators_only

    client.logout()
    login(client, cast.coordinator)
    assert 'name="coordinators_only"' in client.get(thread_url(submitted)).content.decode()
    client.post(thread_url(submitted), {"body": "Our note.", "coordinators_only": "yes"})
    note = Message.objects.get(body="Our note.")
    assert note.coordinators_only and note.from_secretariat and note.author_centre is None


# --- Who is told ----------------------------------------------------------------------------------


def told(event="message_posted"):
    return sorted(n.recipient.username for n in Notification.objects.filter(event=event))


def test_a_partners_message_tells_the_coordinators(
    cast, submitted, django_capture_on_commit_callbacks
):
    coordinator(username="coordinator2")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        message_post(project_id=submitted.pk, author=cast.partner_manager, body="Question.")
    assert told() == ["coordinator", "coordinator2"]
    notification = Notification.objects.filter(event="message_posted").first()
    assert notification.url.endswith(thread_url(submitted))
    assert notification.subject == "New message about Shared Stages (SHS)"
    partner = cast.partner_manager.get_full_name()
    assert f"from {partner}, Centre culturel de Liège:" in notification.body
    assert "Question." in notification.body
    coordinators = type(cast.coordinator).objects.filter(username__startswith="coordinator")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in coordinators)
    assert all(u.email for u in coordinators)


def test_a_coordinators_message_tells_every_member_of_the_confirmed_centres(
    cast, submitted, django_capture_on_commit_callbacks
):
    coordinator(username="coordinator2")
    extra = UserFactory(username="partner-staff")
    MembershipFactory(centre=cast.partner_centre, user=extra, role="staff")
    with django_capture_on_commit_callbacks(execute=True):
        message_post(project_id=submitted.pk, author=cast.coordinator, body="Answer.")
    # Not the author, not the other coordinators, not other centres, not reviewers.
    assert told() == ["lead", "member", "partner", "partner-staff", "partner2"]


def test_a_coordinators_only_note_tells_the_other_coordinators_alone(
    cast, submitted, django_capture_on_commit_callbacks
):
    coordinator(username="coordinator2")
    with django_capture_on_commit_callbacks(execute=True):
        message_post(
            project_id=submitted.pk, author=cast.coordinator, body="Note.", coordinators_only=True
        )
    assert told() == ["coordinator2"]
    assert Notification.objects.get(event="message_posted").subject.startswith(
        "Coordinators-only note"
    )


def test_a_refused_or_rolled_back_message_tells_no_one(cast, django_capture_on_commit_callbacks):
    project = build_draft(cast)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(WrongState):
        message_post(project_id=project.pk, author=cast.lead_manager, body="Too early.")
    assert told() == []


def test_a_recipient_is_told_in_their_language(cast, submitted, django_capture_on_commit_callbacks):
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(cast.partner_manager)
    profile.preferred_language = "fr"
    profile.save()
    with django_capture_on_commit_callbacks(execute=True):
        message_post(project_id=submitted.pk, author=cast.coordinator, body="Bonjour.")
    french = Notification.objects.get(recipient=cast.partner_manager)
    assert french.language == "fr"
    assert "Bonjour." in french.body


# --- The nav, pages and queries -----------------------------------------------------------------


def test_the_proposal_nav_links_the_messages_for_those_taking_part(client, cast, submitted):
    services.review_assign(project_id=submitted.pk, reviewer=cast.reviewer, actor=cast.coordinator)
    link = f'href="{thread_url(submitted)}"'
    project_url = reverse("workspace:project", args=[submitted.pk])
    assert link in login(client, cast.partner_manager).get(project_url).content.decode()
    client.logout()
    assert link in login(client, cast.coordinator).get(project_url).content.decode()
    client.logout()
    assert link not in login(client, cast.reviewer).get(project_url).content.decode()

    draft = build_draft(cast)
    client.logout()
    login(client, cast.lead_manager)
    draft_page = client.get(reverse("workspace:project", args=[draft.pk])).content.decode()
    assert thread_url(draft) not in draft_page
    thread = client.get(thread_url(submitted)).content.decode()
    assert f'href="{thread_url(submitted)}" aria-current="page"' in thread


def post_many(cast, project, count):
    for i in range(count):
        author = cast.coordinator if i % 3 == 0 else cast.partner_manager
        message_post(
            project_id=project.pk,
            author=author,
            body=f"Message number {i:03d}.",
            coordinators_only=author == cast.coordinator and i % 2 == 0,
        )


def test_the_latest_page_is_shown_first_and_older_pages_follow(client, cast, submitted):
    from projects.workspace.threads import PER_PAGE

    for i in range(PER_PAGE + 5):
        message_post(project_id=submitted.pk, author=cast.lead_manager, body=f"Number {i:03d}.")
    login(client, cast.partner_manager)
    latest = text(client.get(thread_url(submitted)))
    assert f"Number {PER_PAGE + 4:03d}." in latest
    assert f"Number {PER_PAGE:03d}." in latest
    assert f"Number {PER_PAGE - 1:03d}." not in latest
    assert "Page 2 of 2" in latest and "Older messages" in latest
    oldest = text(client.get(thread_url(submitted, page=1)))
    assert "Number 000." in oldest and f"Number {PER_PAGE:03d}." not in oldest
    assert "Newer messages" in oldest
    # A page that does not exist shows the latest messages rather than an error.
    assert client.get(thread_url(submitted, page="99")).status_code == 200
    assert client.get(thread_url(submitted, page="x")).status_code == 200


def queries_for(client, url):
    client.get(url)  # warm up (session, content types)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["partner_manager", "coordinator"])
def test_the_thread_runs_a_fixed_number_of_queries(client, cast, submitted, who):
    from projects.workspace.threads import PER_PAGE

    login(client, getattr(cast, who))
    post_many(cast, submitted, 2)
    small = queries_for(client, thread_url(submitted))
    post_many(cast, submitted, PER_PAGE * 2)  # a full page of several authors, and more pages
    large = queries_for(client, thread_url(submitted))
    assert small == large, (small, large)
    assert small <= 15  # the base template’s own queries included (the header, the userbar)
