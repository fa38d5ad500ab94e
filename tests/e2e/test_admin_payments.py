"""A coordinator pays the pre-financing and accepts a final report, in a real browser."""

from decimal import Decimal

import pytest

from tests.e2e.conftest import assert_accessible, log_in
from tests.e2e.test_admin_decisions import screenshot
from tests.factories import JointProjectFactory
from tests.workflow.conftest import advance, build_ready
from workflow.models import TransitionLog
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db(transaction=True)


def test_coordinator_pays_the_prefinancing_and_accepts_the_final_report(
    live_server, site_tree, cast, page, output_dir
):
    cast.coordinator.first_name, cast.coordinator.last_name = "Claire", "Martin"
    cast.coordinator.set_password("ensemble-demo")
    cast.coordinator.save()
    running = advance(cast, build_ready(cast), ProjectState.IN_PROGRESS)
    reported = build_ready(cast)
    reported.title, reported.acronym = "Rivers of Song", "ROS"
    reported.save(update_fields=["title", "acronym"])
    reported = advance(cast, reported, ProjectState.REPORT_SUBMITTED)
    JointProjectFactory(state=ProjectState.SUBMITTED)  # not funded: not in the listing

    log_in(page, live_server, "coordinator", "ensemble-demo", then="/admin/")

    # The funded projects, one row each, with the agreements and the schedule.
    page.goto(f"{live_server.url}/admin/network/payments/")
    rows = page.locator("table.listing tbody tr")
    assert rows.count() == 2
    row = rows.filter(has_text="Shared Stages")
    assert "3 of 3" in row.inner_text()
    assert "12,000.00 EUR" in row.inner_text() and "not paid" in row.inner_text()
    assert_accessible(page)
    screenshot(page, output_dir / "1-payments.png")

    row.get_by_role("link", name="Shared Stages").click()
    page.wait_for_url(f"**/admin/network/payments/inspect/{running.pk}/")
    assert (
        "3 of 3 partners accepted the grant agreement."
        in page.locator("#agreements-section").inner_text()
    )
    assert_accessible(page)
    screenshot(page, output_dir / "2-project-payments.png")

    # Mark the pre-financing paid (the date is today's by default).
    schedule = page.locator("#payments")
    schedule.get_by_role("button", name="Mark paid").click()
    page.wait_for_load_state()
    assert "marked paid" in page.locator(".messages .success").inner_text()
    assert "recorded by Claire Martin" in page.locator("#payments").inner_text()
    assert page.locator("#payments").get_by_role("button", name="Mark paid").count() == 0
    screenshot(page, output_dir / "3-prefinancing-paid.png")
    assert_accessible(page)
    payment = running.payments.get()
    assert payment.paid_at is not None
    assert TransitionLog.objects.get(transition="mark_paid").actor == cast.coordinator

    # The reports queue: the submitted final report first.
    page.goto(f"{live_server.url}/admin/network/reports/")
    first = page.locator("table.listing tbody tr").first
    assert "Rivers of Song" in first.inner_text() and "Submitted" in first.inner_text()
    assert_accessible(page)
    screenshot(page, output_dir / "4-reports-queue.png")

    first.get_by_role("link", name="Rivers of Song").click()
    report = reported.reports.get()
    page.wait_for_url(f"**/admin/network/reports/inspect/{report.pk}/")
    assert "We toured three cities." in page.locator("#narrative-section").inner_text()
    assert_accessible(page)
    screenshot(page, output_dir / "5-final-report.png")

    # Trim one partner's accepted costs, then accept: the project is completed on them.
    costs = page.locator("#costs-form")
    costs.get_by_label("Accepted costs of Kulturni centar Zagreb (EUR)").fill("4000")
    costs.get_by_role("button", name="Save the accepted costs").click()
    page.wait_for_load_state()
    assert "The accepted costs are saved." in page.locator(".messages .success").inner_text()

    accept = page.locator("form[aria-labelledby='decision-accept']")
    accept.get_by_label("Feedback").fill("Thank you: a clear and complete report.")
    accept.get_by_role("button", name="Accept the report").click()
    page.wait_for_load_state()
    assert "is now “Completed”" in page.locator(".messages .success").inner_text()
    assert page.locator("[data-report-state]").text_content().strip() == "Accepted"
    # After the screenshot: the message has finished sliding in (mid-way, its colours fade).
    screenshot(page, output_dir / "6-report-accepted.png")
    assert_accessible(page)

    reported.refresh_from_db()
    assert reported.state == ProjectState.COMPLETED
    # 2/3 of the 24,000 accepted (10,000 + 10,000 + 4,000).
    assert reported.final_grant == Decimal("16000.00")
    assert reported.payments.get(kind="balance").amount == Decimal("4000.00")

    # The project's payments page now shows the balance to pay.
    page.goto(f"{live_server.url}/admin/network/payments/inspect/{reported.pk}/")
    assert "Balance" in page.locator("#payments").inner_text()
    screenshot(page, output_dir / "7-balance-scheduled.png")
