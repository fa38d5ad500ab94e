"""The lead's dashboard panels, notifications inbox, email preferences and calendar feed, in a
real browser; axe-core finds no serious or critical violation on any of these pages."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible
from tests.e2e.conftest import log_in as e2e_log_in
from tests.factories import JointProjectFactory
from tests.workflow.conftest import build_draft
from workflow import services
from workflow.models import CalendarFeed, Notification, NotificationPreference
from workflow.scheduled import REPORT_DUE_DAYS
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery"  # UserFactory's default


def lead_with_work(cast):
    """A draft (the lead's mandate unsigned, the call closing in 30 days), a project whose final
    report is overdue, and three notifications from real transitions."""
    project = build_draft(cast)
    today = timezone.localdate()
    JointProjectFactory(
        call=cast.call,
        lead_centre=cast.lead_centre,
        state=ProjectState.REPORTING,
        title="Travelling Orchestras",
        acronym="TRO",
        start_date=today - timedelta(days=500),
        end_date=today - timedelta(days=REPORT_DUE_DAYS + 4),
    )
    services.project_transition(
        project_id=project.pk, name="open_partner_search", actor=cast.lead_manager
    )
    services.partnership_request(
        project_id=project.pk, centre_id=cast.partner_centre.pk, actor=cast.partner_manager
    )
    taken_back = services.partnership_request(
        project_id=project.pk, centre_id=cast.partner2_centre.pk, actor=cast.partner2_manager
    )
    services.partnership_transition(
        partnership_id=taken_back.pk, name="decline", actor=cast.partner2_manager
    )
    return project


def test_the_lead_reads_the_dashboard_and_the_inbox_and_sets_preferences(
    live_server, site_tree, cast, page, output_dir
):
    project = lead_with_work(cast)
    unread = Notification.objects.filter(recipient=cast.lead_manager, read_at__isnull=True)
    assert unread.count() == 3  # two requests to join, one taken back
    e2e_log_in(page, live_server, "lead", PASSWORD, then="/workspace/")

    # The dashboard's panels.
    to_sign = page.get_by_role("region", name="Mandates and agreements to sign")
    expect(to_sign).to_contain_text("Sign the mandate of Maison de la culture de Lyon")
    reports = page.get_by_role("region", name="Reports due")
    expect(reports).to_contain_text("Travelling Orchestras (TRO)")
    expect(reports).to_contain_text("Overdue: was due")
    deadlines = page.get_by_role("region", name="Upcoming deadlines")
    expect(deadlines).to_contain_text("The call closes for SHS")
    notifications = page.get_by_role("region", name="Notifications", exact=True)
    expect(notifications.get_by_role("listitem")).to_have_count(3)
    expect(notifications).to_contain_text("Kulturni centar Zagreb will not take part in")
    page.screenshot(path=output_dir / "1-dashboard.png", full_page=True)
    assert_accessible(page)

    # Opening one from the dashboard marks it read and leads to the proposal.
    notifications.get_by_role("link", name=re.compile("Centre culturel de Liège asks")).click()
    page.wait_for_url(f"{live_server.url}/workspace/projects/{project.pk}/**")
    assert unread.count() == 2

    # The inbox: unread ones marked in words, then all marked read.
    page.goto(f"{live_server.url}/workspace/")
    page.get_by_role("link", name="Open my inbox").click()
    page.wait_for_url(f"{live_server.url}/workspace/notifications/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.locator("#unread-count")).to_have_text("2 unread notifications")
    expect(page.locator(".inbox-unread")).to_have_count(2)
    expect(page.locator(".inbox-unread").first).to_contain_text("Unread")
    page.locator(".inbox-unread").first.get_by_text("Show the message").click()
    expect(page.locator(".inbox-unread").first.locator(".inbox-body")).to_be_visible()
    page.screenshot(path=output_dir / "2-inbox.png", full_page=True)
    assert_accessible(page)

    page.get_by_role("button", name="Mark all as read").click()
    page.wait_for_url(f"{live_server.url}/workspace/notifications/")
    expect(page.get_by_role("status")).to_contain_text("2 notifications marked as read.")
    expect(page.locator("#unread-count")).to_have_text("No unread notification.")
    expect(page.locator(".inbox-unread")).to_have_count(0)
    assert unread.count() == 0
    page.screenshot(path=output_dir / "3-inbox-read.png", full_page=True)

    # Preferences: by keyboard, a daily digest for requests to join; nothing by email for
    # proposals submitted.
    page.get_by_role("link", name="Email preferences").first.click()
    page.wait_for_url(f"{live_server.url}/workspace/notifications/preferences/")
    assert_accessible(page)
    page.get_by_label("A centre asks to join a proposal: In a daily digest").focus()
    page.keyboard.press("Space")
    page.get_by_label("A proposal is submitted: Not by email").check()
    page.screenshot(path=output_dir / "4-preferences.png", full_page=True)
    page.get_by_role("button", name="Save my preferences").click()
    page.wait_for_url(f"{live_server.url}/workspace/notifications/preferences/")
    expect(page.get_by_role("status")).to_contain_text("Your notification preferences are saved.")
    expect(page.get_by_label("A proposal is submitted: Not by email")).to_be_checked()
    expect(page.get_by_label("A centre asks to join a proposal: In a daily digest")).to_be_checked()
    assert set(
        NotificationPreference.objects.filter(user=cast.lead_manager).values_list(
            "event", "delivery"
        )
    ) == {("partnership_request", "daily_digest"), ("project_submit", "none")}

    # On a phone the preferences fit the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=output_dir / "5-preferences-phone.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_lead_creates_and_renews_the_calendar_link(
    live_server, site_tree, cast, page, output_dir
):
    build_draft(cast)
    e2e_log_in(page, live_server, "lead", PASSWORD, then="/workspace/calendar/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Calendar of deadlines")
    expect(page.get_by_role("region", name="What the calendar shows next")).to_contain_text(
        "The call closes for SHS"
    )
    page.get_by_role("button", name="Create my calendar link").click()
    expect(page.get_by_role("status")).to_contain_text("Your calendar link is ready.")
    address = page.get_by_label("Calendar address (copy it into your calendar app)")
    first = address.input_value()
    assert first.startswith(f"{live_server.url}/workspace/calendar/") and first.endswith(".ics")
    page.screenshot(path=output_dir / "1-calendar.png", full_page=True)
    assert_accessible(page)

    feed = page.request.get(first)
    assert feed.status == 200
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "SUMMARY:The call closes for SHS" in feed.text()

    page.get_by_role("button", name="Create a new link").click()
    expect(page.get_by_role("status")).to_contain_text("The previous link no longer works.")
    second = address.input_value()
    assert second != first
    assert second.endswith(CalendarFeed.objects.get(user=cast.lead_manager).token + ".ics")
    assert page.request.get(first).status == 404
    assert page.request.get(second).status == 200
    page.screenshot(path=output_dir / "2-calendar-renewed.png", full_page=True)
