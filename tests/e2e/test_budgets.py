"""A partner fills its budget and, once the proposal is approved, accepts the grant agreement,
in a real browser (with htmx, and once without JavaScript); axe-core finds no serious or
critical violation on either page."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from projects.models import BudgetLine, Partnership
from tests.e2e.conftest import assert_accessible
from tests.e2e.conftest import log_in as e2e_log_in
from tests.workflow.conftest import advance, build_ready
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery"  # UserFactory's default


def log_in(page, live_server, username, then):
    e2e_log_in(page, live_server, username, PASSWORD, then=then)


def figure(page, name):
    return page.locator(f'#budget-totals [data-figure="{name}"]')


def test_a_partner_fills_its_budget(live_server, site_tree, cast, page, output_dir):
    project = build_ready(cast)
    partner = Partnership.objects.get(project=project, centre=cast.partner_centre)
    prefix = f"budget-{partner.pk}"
    log_in(page, live_server, "partner", f"/workspace/projects/{project.pk}/")

    page.get_by_role("navigation", name="This proposal").get_by_role("link", name="Budget").click()
    page.wait_for_url(f"{live_server.url}/workspace/projects/{project.pk}/budget/")
    expect(page.get_by_role("heading", level=2, name="Your budget: Centre culturel de Liège"))
    expect(figure(page, "total_cost")).to_have_text("30,000.00")
    page.screenshot(path=output_dir / "1-budget.png", full_page=True)
    assert_accessible(page)

    # A first attempt with mistakes: nothing is saved, each error is next to its field.
    page.get_by_label("Line 1: description").fill("")
    page.get_by_label("Line 2: amount in euros").fill("-500")
    page.get_by_label("Own contribution (EUR)").fill("lots")
    page.get_by_role("button", name="Save the budget").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Check the budget: nothing was saved.")
    expect(summary.get_by_role("listitem")).to_have_count(3)
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator(f"#id_{prefix}-1-amount-error")).to_have_text(
        "The amount cannot be negative."
    )
    expect(page.get_by_label("Line 2: amount in euros")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Line 2: amount in euros")).to_have_value("-500")
    page.screenshot(path=output_dir / "2-errors.png", full_page=True)
    assert_accessible(page)
    # Each entry of the summary leads to its field.
    link = summary.get_by_role("link", name=re.compile("Line 2, amount"))
    expect(link).to_have_attribute("href", f"#id_{prefix}-1-amount")
    assert BudgetLine.objects.filter(partnership=partner).count() == 2

    # Corrected, and a line added (the form comes back with an empty row, focused).
    page.get_by_label("Line 1: description").fill("Two technicians for three months")
    page.get_by_label("Line 1: amount in euros").fill("12000")
    page.get_by_label("Line 2: amount in euros").fill("3000.50")
    page.get_by_label("Own contribution (EUR)").fill("4000")
    page.get_by_role("button", name="Add another line").click()
    expect(page.get_by_label("Line 3: category")).to_be_focused()
    page.get_by_label("Line 3: category").select_option("production")
    page.get_by_label("Line 3: description").fill("Stage sets")
    page.get_by_label("Line 3: amount in euros").fill("5000")
    # htmx recalculates as one types, without saving: 2 × 10,000 + 20,000.50.
    expect(figure(page, "total_cost")).to_have_text("40,000.50")
    expect(figure(page, "requested_grant")).to_have_text("32,000.50")
    expect(page.locator("#budget-totals")).to_contain_text("Not saved yet.")
    page.screenshot(path=output_dir / "3-typing.png", full_page=True)
    assert BudgetLine.objects.filter(partnership=partner).count() == 2

    page.get_by_role("button", name="Save the budget").click()
    expect(page.get_by_role("status")).to_contain_text(
        "The budget of Centre culturel de Liège is saved."
    )
    expect(figure(page, "total_cost")).to_have_text("40,000.50")
    expect(figure(page, "requested_grant")).to_have_text("32,000.50")
    expect(figure(page, "rate")).to_have_text("80.0 %")
    expect(page.locator("#budget-totals")).not_to_contain_text("Not saved yet.")
    page.screenshot(path=output_dir / "4-saved.png", full_page=True)
    assert_accessible(page)
    partner.refresh_from_db()
    assert partner.own_contribution == Decimal("4000.00")
    assert sorted(
        BudgetLine.objects.filter(partnership=partner).values_list("description", "amount")
    ) == [
        ("Stage sets", Decimal("5000.00")),
        ("Travel", Decimal("3000.50")),
        ("Two technicians for three months", Decimal("12000.00")),
    ]

    # On a phone: nothing overflows the page sideways (the table scrolls in its own box).
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=output_dir / "5-phone.png", full_page=True)


def test_the_budget_works_without_javascript(live_server, site_tree, cast, browser, output_dir):
    project = build_ready(cast)
    partner = Partnership.objects.get(project=project, centre=cast.partner_centre)
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", java_script_enabled=False
    )
    page = context.new_page()
    try:
        url = f"/workspace/projects/{project.pk}/budget/"
        log_in(page, live_server, "partner", url)
        page.get_by_label("Line 2: amount in euros").fill("4000")
        page.get_by_role("button", name="Recalculate the totals").click()
        expect(figure(page, "total_cost")).to_have_text("32,000.00")
        expect(page.locator("#budget-totals")).to_contain_text("Not saved yet.")
        page.get_by_role("checkbox", name="Remove line 1").check()
        page.get_by_role("button", name="Add another line").click()
        expect(page.get_by_label("Line 2: category")).to_have_value("")
        expect(page.get_by_label("Line 1: description")).to_have_value("Travel")
        page.get_by_label("Line 2: category").select_option("dissemination")
        page.get_by_label("Line 2: description").fill("Catalogue")
        page.get_by_label("Line 2: amount in euros").fill("1500")
        page.screenshot(path=output_dir / "no-js-form.png", full_page=True)
        page.get_by_role("button", name="Save the budget").click()
        expect(page.get_by_role("status")).to_contain_text("is saved")
        expect(figure(page, "total_cost")).to_have_text("25,500.00")
        page.screenshot(path=output_dir / "no-js-saved.png", full_page=True)
    finally:
        context.close()
    assert sorted(
        BudgetLine.objects.filter(partnership=partner).values_list("description", flat=True)
    ) == ["Catalogue", "Travel"]


def test_a_partner_accepts_the_grant_agreement(live_server, site_tree, cast, page, output_dir):
    project = advance(cast, build_ready(cast), ProjectState.APPROVED)
    url = f"/workspace/projects/{project.pk}/agreement/"
    log_in(page, live_server, "partner", url)

    expect(page.get_by_role("heading", level=1)).to_contain_text("Shared Stages")
    expect(page.locator('[data-figure="share"]')).to_have_text("6,666.66")
    expect(page.locator('[data-figure="prefinancing"]')).to_have_text("4,000.00")
    expect(page.get_by_role("heading", name="What your centre commits to")).to_be_visible()
    page.screenshot(path=output_dir / "1-agreement.png", full_page=True)
    assert_accessible(page)

    page.get_by_role("button", name=re.compile("Accept the grant agreement")).click()
    expect(page.get_by_role("alert")).to_contain_text("Tick the box")
    expect(page.locator("#error-summary")).to_be_focused()
    page.screenshot(path=output_dir / "2-not-ticked.png", full_page=True)
    assert_accessible(page)

    page.get_by_label(re.compile("I accept the grant agreement for Centre culturel")).check()
    page.get_by_role("button", name=re.compile("Accept the grant agreement")).click()
    expect(page.get_by_role("status")).to_contain_text(
        "Centre culturel de Liège accepted the grant agreement."
    )
    row = page.get_by_role("row", name=re.compile("Centre culturel de Liège"))
    expect(row).to_contain_text("Accepted by")
    expect(page.get_by_text("1 of 3 centres have accepted the grant agreement.")).to_be_visible()
    page.screenshot(path=output_dir / "3-accepted.png", full_page=True)
    assert_accessible(page)
