"""The proposal editor in a real browser: a lead manager starts a proposal from the dashboard,
fills its sections, watches the task list count go up and the eligibility panel say what is
missing, fails to submit too early, then submits once the partners are in."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from projects.models import JointProject, Theme
from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import CallFactory
from tests.workflow.conftest import BUDGET, add_partner
from workflow import services

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery"  # UserFactory's default


def focused_id(page):
    return page.evaluate("document.activeElement && document.activeElement.id")


def progress(page):
    return page.locator("#tasks-progress")


def test_a_lead_starts_fills_and_submits_a_proposal(live_server, site_tree, cast, page, output_dir):
    Theme.objects.create(name="Heritage", name_fr="Patrimoine", slug="heritage")
    Theme.objects.create(name="Music", name_fr="Musique", slug="music")
    CallFactory(title="Staff Mobility 2027", kind="mobility")  # a second open call to choose from
    log_in(page, live_server, "lead", PASSWORD, then="/workspace/")
    page.screenshot(path=output_dir / "01-dashboard.png", full_page=True)

    # Start a proposal from the dashboard; a first try without answers.
    page.get_by_role("link", name="Start a proposal").click()
    page.wait_for_url(f"{live_server.url}/workspace/proposals/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a proposal")
    page.get_by_role("button", name="Start the proposal").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Choose the call you apply to.")
    expect(alert).to_contain_text("Give the proposal a working title.")
    assert focused_id(page) == "error-summary"
    page.screenshot(path=output_dir / "02-start-errors.png", full_page=True)
    assert_accessible(page)

    page.get_by_label(re.compile(re.escape(cast.call.title))).check()
    expect(page.get_by_label("Maison de la culture de Lyon")).to_be_checked()  # the only one
    page.get_by_label("Title").fill("Voices Across Europe")
    page.screenshot(path=output_dir / "03-start-filled.png", full_page=True)
    page.get_by_role("button", name="Start the proposal").click()
    project = JointProject.objects.get(title="Voices Across Europe")
    tasks = f"{live_server.url}/workspace/projects/{project.pk}/edit/"
    page.wait_for_url(tasks)

    # The task list: nothing completed yet, the panel lists what the call asks.
    expect(page.get_by_role("status")).to_contain_text("Your proposal is started.")
    expect(progress(page)).to_have_text("0 of 6 sections completed")
    expect(page.locator("#task-check")).to_contain_text("Cannot start yet")
    panel = page.locator("#eligibility")
    expect(panel).to_contain_text("2 more confirmed centres needed (1 of 3)")
    expect(panel).to_contain_text("1 more country needed (so far: France)")
    expect(panel).to_contain_text("Mandate missing: Maison de la culture de Lyon")
    expect(panel).to_contain_text("No budget line yet")
    expect(panel).to_contain_text("The planned start and end dates are missing")
    page.screenshot(path=output_dir / "04-tasks-new.png", full_page=True)
    assert_accessible(page)

    # Title and summary: bad input first — errors next to the fields, focus on the summary.
    page.get_by_role("link", name="Title and summary").click()
    page.get_by_label("Title").fill("")
    page.get_by_label("Acronym").fill("A" * 31)  # the field stops at 30 characters
    page.get_by_label("Public summary").fill("Choirs from three countries sing together.")
    page.get_by_role("button", name="Save and continue").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Give the proposal a title.")
    expect(alert.get_by_role("listitem")).to_have_count(1)
    expect(page.get_by_label("Acronym")).to_have_value("A" * 30)
    assert focused_id(page) == "error-summary"
    expect(page.get_by_label("Title")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Public summary")).to_have_value(
        "Choirs from three countries sing together."
    )
    page.screenshot(path=output_dir / "05-section-errors.png", full_page=True)
    assert_accessible(page)
    alert.get_by_role("link", name="Give the proposal a title.").click()
    assert page.url.endswith("#id_title")

    page.get_by_label("Title").fill("Voices Across Europe")
    page.get_by_label("Acronym").fill("VAE")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(tasks)
    expect(page.get_by_role("status")).to_contain_text("Saved: Title and summary.")
    expect(progress(page)).to_have_text("1 of 6 sections completed")
    expect(page.locator("#task-title")).to_contain_text("Completed")

    # Description and themes.
    page.get_by_role("link", name="Description and themes").click()
    page.get_by_label("Description").fill("Three choirs meet in Lyon, Liège and Zagreb.")
    page.get_by_label("Music").check()
    page.screenshot(path=output_dir / "06-section-description.png", full_page=True)
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(tasks)
    expect(progress(page)).to_have_text("2 of 6 sections completed")

    # Dates: too long for the call first (the call's own duration rule), then right.
    page.get_by_role("link", name="Dates").click()
    page.get_by_label("Planned start").fill("2027-01-01")
    page.get_by_label("Planned end").fill("2029-06-30")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "The project lasts 30 months; the call allows at most 24."
    )
    page.screenshot(path=output_dir / "07-dates-too-long.png", full_page=True)
    page.get_by_label("Planned end").fill("2028-06-30")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(tasks)
    expect(progress(page)).to_have_text("3 of 6 sections completed")
    expect(panel).to_contain_text("18 months of at most 24")

    # Partners sought.
    page.get_by_role("link", name="Partners sought").click()
    page.get_by_label("Partners sought").fill("A centre in Croatia with a choir.")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(tasks)
    expect(progress(page)).to_have_text("4 of 6 sections completed")
    expect(panel).to_contain_text("4 of 8 conditions of the call met")
    page.screenshot(path=output_dir / "08-tasks-content-done.png", full_page=True)

    # Submitting too early lists every unmet condition, focused.
    page.goto(f"{tasks}check/")
    page.get_by_label("Comment (optional)").fill("Can it go?")
    page.get_by_role("button", name="Submit the proposal").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The proposal cannot be submitted yet:")
    expect(alert.get_by_role("listitem")).to_have_count(4)
    expect(alert).to_contain_text("3 confirmed centres are needed")
    expect(alert).to_contain_text("Confirmed centres from 2 countries are needed")
    expect(alert).to_contain_text("A manager must sign the mandate for: Maison de la culture")
    expect(alert).to_contain_text("The budget is empty")
    assert focused_id(page) == "error-summary"
    expect(page.get_by_label("Comment (optional)")).to_have_value("Can it go?")
    page.screenshot(path=output_dir / "09-submit-failed.png", full_page=True)
    assert_accessible(page)

    # The partners join, sign and fill their budgets (their own pages; here through the
    # services); the panel refreshes in place (htmx) without leaving the page.
    page.goto(tasks)
    lead = project.partnerships.get()
    services.partnership_sign_mandate(
        partnership_id=lead.pk, actor=cast.lead_manager, declaration=True
    )
    services.partnership_set_budget(
        partnership_id=lead.pk,
        actor=cast.lead_manager,
        lines=BUDGET,
        own_contribution=Decimal("2000.00"),
    )
    add_partner(cast, project, cast.partner_centre, cast.partner_manager)
    add_partner(cast, project, cast.partner2_centre, cast.partner2_manager)
    page.evaluate("window.stillHere = true")  # gone if the page were loaded again
    page.get_by_role("link", name="Check again").click()
    expect(panel).to_contain_text("Every condition of the call is met.")
    assert page.evaluate("window.stillHere === true")  # htmx swapped the panel in place
    expect(panel).to_contain_text("requested 24,000.00 EUR of max 100,000.00 EUR")
    expect(panel).to_contain_text("co-financing 80.0 % ≤ 80 %")
    page.reload()
    expect(progress(page)).to_have_text("6 of 6 sections completed")
    expect(page.locator("#task-check")).to_contain_text("Not started")
    page.screenshot(path=output_dir / "10-tasks-ready.png", full_page=True)
    assert_accessible(page)

    # Check your answers, change one, submit.
    page.get_by_role("link", name="Check your answers and submit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before you submit"
    )
    page.screenshot(path=output_dir / "11-check.png", full_page=True)
    assert_accessible(page)
    page.locator("#answer-acronym").get_by_role("link", name="Change acronym").click()
    page.get_by_label("Acronym").fill("VOX")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(f"{tasks}check/")
    expect(page.locator("#answer-acronym")).to_contain_text("VOX")
    page.get_by_role("button", name="Submit the proposal").click()
    page.wait_for_url(f"{live_server.url}/workspace/projects/{project.pk}/")
    expect(page.get_by_role("status")).to_contain_text("Your proposal is submitted.")
    expect(page.locator(".ws-project-head")).to_contain_text("State: Submitted")
    page.screenshot(path=output_dir / "12-submitted.png", full_page=True)

    # On a phone the task list reflows without sideways scrolling.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(tasks)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=output_dir / "13-tasks-phone-submitted.png", full_page=True)
