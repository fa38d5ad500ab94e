"""A submitted proposal's messages, in a real browser: a partner asks, a coordinator answers in
public and keeps a note for the coordinators; the partner sees the answer, never the note.
axe-core finds no serious or critical violation on the thread, its error state included."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible
from tests.e2e.conftest import log_in as e2e_log_in
from tests.workflow.conftest import advance, build_ready
from workflow.models import Message
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery"  # UserFactory's default


def log_in(page, live_server, username, then):
    page.context.clear_cookies()  # whoever was logged in before
    e2e_log_in(page, live_server, username, PASSWORD, then=then)


def test_partners_and_coordinators_talk_in_the_thread(
    live_server, site_tree, cast, page, output_dir
):
    project = advance(cast, build_ready(cast), ProjectState.SUBMITTED)
    project_path = f"/workspace/projects/{project.pk}/"
    thread_path = f"{project_path}messages/"

    # The partner finds the messages from the proposal's page.
    log_in(page, live_server, "partner", then=project_path)
    page.get_by_role("navigation", name="This proposal").get_by_role(
        "link", name="Messages"
    ).click()
    page.wait_for_url(f"{live_server.url}{thread_path}")
    expect(
        page.get_by_role("heading", level=2, name="Messages with the network secretariat")
    ).to_be_visible()
    expect(page.locator("main")).to_contain_text("No message yet.")
    page.screenshot(path=output_dir / "1-partner-empty-thread.png", full_page=True)
    assert_accessible(page)

    # An empty message is refused next to the field; nothing is posted.
    page.get_by_role("button", name="Post the message").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Your message was not posted:")
    expect(alert).to_contain_text("Write your message.")
    expect(alert).to_be_focused()  # the keyboard and the screen reader land on what went wrong
    body = page.get_by_label("Your message", exact=True)
    expect(body).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#message-body-error")).to_have_text("Write your message.")
    page.screenshot(path=output_dir / "2-partner-empty-refused.png", full_page=True)
    assert_accessible(page)
    alert.get_by_role("link", name="Write your message.").click()
    expect(body).to_be_focused()
    assert not Message.objects.exists()

    body.fill("Could part of the travel budget move to production?")
    page.get_by_role("button", name="Post the message").click()
    page.wait_for_url(re.compile(rf".*{re.escape(thread_path)}#msg-\d+$"))
    expect(page.get_by_role("status")).to_contain_text("Your message was posted.")
    thread = page.locator("ol.timeline")
    expect(thread.get_by_role("listitem")).to_have_count(1)
    expect(thread).to_contain_text("Centre culturel de Liège (you)")
    expect(thread).to_contain_text("Could part of the travel budget move to production?")
    page.screenshot(path=output_dir / "3-partner-posted.png", full_page=True)

    # The coordinator answers in public, then keeps a note for the coordinators alone.
    log_in(page, live_server, "coordinator", then=thread_path)
    expect(page.locator("ol.timeline")).to_contain_text("Could part of the travel budget")
    expect(
        page.get_by_role("heading", level=2, name="Messages with the project’s centres")
    ).to_be_visible()
    page.get_by_label("Your message", exact=True).fill(
        "Yes, up to 10 % of the budget; say so in the report."
    )
    page.get_by_role("button", name="Post the message").click()
    expect(page.get_by_role("status")).to_contain_text("Your message was posted.")
    page.get_by_label("Your message", exact=True).fill(
        "Note: check the travel costs at the final report."
    )
    page.get_by_label("Coordinators only: a note the centres never see").check()
    page.get_by_role("button", name="Post the message").click()
    expect(page.get_by_role("status")).to_contain_text("Your message was posted.")
    thread = page.locator("ol.timeline")
    expect(thread.get_by_role("listitem")).to_have_count(3)
    note = thread.get_by_role("listitem").nth(2)
    expect(note).to_contain_text("Coordinators only")
    expect(note).to_contain_text("network secretariat (you)")
    page.screenshot(path=output_dir / "4-coordinator-replied.png", full_page=True)
    assert_accessible(page)

    # The partner sees the public answer, never the note.
    log_in(page, live_server, "partner", then=thread_path)
    thread = page.locator("ol.timeline")
    expect(thread.get_by_role("listitem")).to_have_count(2)
    expect(thread).to_contain_text("Yes, up to 10 % of the budget")
    expect(thread).to_contain_text("network secretariat")
    expect(page.locator("main")).not_to_contain_text("check the travel costs")
    expect(page.locator("main")).not_to_contain_text("Coordinators only")
    page.screenshot(path=output_dir / "5-partner-sees-the-answer.png", full_page=True)

    # On a phone nothing overflows sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=output_dir / "6-partner-phone.png", full_page=True)
