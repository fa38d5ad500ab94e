"""A lead manager works on a proposal in the workspace, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in as e2e_log_in
from tests.workflow.conftest import build_draft, build_ready

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery"  # UserFactory's default


def log_in(page, live_server, username):
    # The workspace sends visitors to the login page (and coordinators to the two-factor page).
    e2e_log_in(page, live_server, username, PASSWORD, then="/workspace/")


def test_a_lead_manager_submits_a_ready_proposal(live_server, site_tree, cast, page, output_dir):
    project = build_ready(cast)
    log_in(page, live_server, "lead")

    expect(page.get_by_role("heading", level=1)).to_have_text("My projects")
    card = page.locator("article", has_text="Shared Stages")
    expect(card).to_contain_text("State: Draft")
    expect(card).to_contain_text("Maison de la culture de Lyon")
    page.screenshot(path=output_dir / "workspace-home.png", full_page=True)

    card.get_by_role("link", name=re.compile("Shared Stages")).click()
    page.wait_for_url(f"{live_server.url}/workspace/projects/{project.pk}/")
    current = page.locator('.tracker [aria-current="step"]')
    expect(current).to_have_count(1)
    expect(current).to_contain_text("Draft")
    expect(page.get_by_role("table")).to_contain_text("Centre culturel de Liège")
    page.screenshot(path=output_dir / "project-draft.png", full_page=True)

    page.get_by_label("Comment (optional)").first.fill("Ready for the committee.")
    page.get_by_role("button", name="Submit the proposal").click()
    page.wait_for_url(f"{live_server.url}/workspace/projects/{project.pk}/")

    expect(page.get_by_role("status")).to_contain_text("Done: Submit the proposal.")
    expect(page.locator(".ws-project-head")).to_contain_text("State: Submitted")
    expect(page.locator('.tracker [aria-current="step"]')).to_contain_text("Submitted")
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text("Proposal submitted (Draft → Submitted)")
    expect(timeline).to_contain_text("Ready for the committee.")
    page.screenshot(path=output_dir / "project-submitted.png", full_page=True)

    # On a phone: the actions come first and nothing overflows sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=output_dir / "project-submitted-phone.png", full_page=True)


def test_a_submit_that_fails_lists_every_reason(live_server, site_tree, cast, page, output_dir):
    project = build_draft(cast)  # the lead alone: no partners, no mandate, no budget
    log_in(page, live_server, "lead")
    page.goto(f"{live_server.url}/workspace/projects/{project.pk}/")

    page.get_by_label("Comment (optional)").first.fill("Can it go?")
    page.get_by_role("button", name="Submit the proposal").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("“Submit the proposal” was not possible yet:")
    items = alert.get_by_role("listitem")
    expect(items).to_have_count(4)
    expect(alert).to_contain_text("3 confirmed centres are needed")
    expect(alert).to_contain_text("Confirmed centres from 2 countries are needed")
    expect(alert).to_contain_text("A manager must sign the mandate for: Maison de la culture")
    expect(alert).to_contain_text("The budget is empty")
    # What the person wrote is still there; the proposal is still a draft.
    expect(page.locator("#submit-comment")).to_have_value("Can it go?")
    expect(page.locator(".ws-project-head")).to_contain_text("State: Draft")
    page.screenshot(path=output_dir / "submit-failed.png", full_page=True)

    # Each reason leads to the form it concerns.
    items.first.get_by_role("link").click()
    assert page.url.endswith("#action-submit")


def test_a_coordinator_is_told_when_an_amount_cannot_be_read(
    live_server, site_tree, cast, page, output_dir
):
    from tests.workflow.conftest import advance, review
    from workflow.states import ProjectState

    project = build_ready(cast)
    advance(cast, project, ProjectState.UNDER_REVIEW)
    review(cast, project, cast.reviewer)
    review(cast, project, cast.reviewer2)
    log_in(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/workspace/projects/{project.pk}/")
    page.screenshot(path=output_dir / "coordinator-actions.png", full_page=True)

    page.get_by_label("Awarded grant (EUR)").fill("20,000")
    page.get_by_role("button", name="Approve and award a grant").click()
    expect(page.get_by_role("alert")).to_contain_text("Write the amount in euros with digits")
    amount = page.get_by_label("Awarded grant (EUR)")
    expect(amount).to_have_value("20,000")
    expect(amount).to_have_attribute("aria-invalid", "true")
    page.screenshot(path=output_dir / "approve-malformed.png", full_page=True)

    amount.fill("20000")
    page.get_by_role("button", name="Approve and award a grant").click()
    expect(page.get_by_role("status")).to_contain_text("Done: Approve and award a grant.")
    expect(page.locator(".ws-project-head")).to_contain_text("State: Approved")
    expect(page.locator(".ws-figures")).to_contain_text("20,000.00")
    page.screenshot(path=output_dir / "approved.png", full_page=True)
