"""The lead centre writes and submits the final report of a running project, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from projects.models import Report
from tests.e2e.conftest import assert_accessible
from tests.e2e.conftest import log_in as e2e_log_in
from tests.factories.uploads import pdf_bytes
from tests.workflow.conftest import advance, build_ready
from workflow.states import ProjectState, ReportState

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery"  # UserFactory's default


def test_the_lead_writes_and_submits_the_final_report(
    live_server, site_tree, cast, page, output_dir
):
    project = advance(cast, build_ready(cast), ProjectState.IN_PROGRESS)
    partnerships = list(project.partnerships.filter(state="confirmed").select_related("centre"))
    e2e_log_in(page, live_server, "lead", PASSWORD, then=f"/workspace/projects/{project.pk}/")

    # From the project page to its reports.
    page.get_by_role("navigation", name="This proposal").get_by_role("link", name="Reports").click()
    page.wait_for_url(f"{live_server.url}/workspace/projects/{project.pk}/reports/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reports")
    expect(page.get_by_text("No report has been started yet.")).to_be_visible()
    page.screenshot(path=output_dir / "1-reports-empty.png", full_page=True)
    assert_accessible(page)

    page.get_by_role("button", name="Start the final report").click()
    report = Report.objects.get(project=project, kind="final")
    page.wait_for_url(f"{live_server.url}/workspace/reports/{report.pk}/")
    expect(page.get_by_role("status")).to_contain_text("The report is started")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Final report")
    # The final report is submitted once reporting has begun: not yet.
    expect(page.get_by_role("button", name="Save and submit")).to_have_count(0)
    expect(page.get_by_role("button", name="Begin reporting")).to_be_visible()
    page.screenshot(path=output_dir / "2-report-empty.png", full_page=True)
    assert_accessible(page)

    # Bad input: refused next to the fields, the summary focused, nothing saved.
    page.get_by_label("The project's narrative").fill("We toured three cities.")
    page.get_by_label("Events").fill("-5")
    page.get_by_label("Participants involved").fill(str(10**30))
    page.get_by_label("Other country 1", exact=True).select_option("DE")
    page.get_by_label("Audience in other country 1", exact=True).fill("40")
    page.get_by_role("button", name="Save the report").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Check what you entered; nothing was saved:")
    expect(summary).to_contain_text("Events: Write 0 or more.")
    expect(summary).to_contain_text("Participants involved: Write at most 10000000.")
    expect(page.locator("#error-summary")).to_be_focused()
    events = page.get_by_label("Events")
    expect(events).to_have_attribute("aria-invalid", "true")
    expect(events).to_have_value("-5")
    expect(page.get_by_label("The project's narrative")).to_have_value("We toured three cities.")
    report.refresh_from_db()
    assert report.narrative == ""
    page.screenshot(path=output_dir / "3-report-errors.png", full_page=True)
    assert_accessible(page)
    # Each error leads to its field.
    summary.get_by_role("link", name=re.compile("^Events")).click()
    expect(events).to_be_focused()

    # The whole report, written properly.
    events.fill("12")
    page.get_by_label("Participants involved").fill("450")
    page.get_by_label("Artists involved").fill("30")
    page.get_by_label("People who travelled between partners").fill("25")
    page.get_by_label("Volunteers").fill("8")
    page.get_by_label("Audience in France").fill("900")
    page.get_by_label("Audience in Belgium").fill("400")
    page.get_by_label("Audience in Croatia").fill("350")
    page.get_by_label("Output 1: title").fill("Tour film")
    page.get_by_label("Output 1: link (optional)").fill("https://example.org/film")
    for partnership in partnerships:
        page.get_by_label(f"Actual costs of {partnership.centre.name} (EUR)").fill("9500.50")
    page.get_by_role("button", name="Save the report").click()
    expect(page.get_by_role("status")).to_contain_text("The report is saved.")
    report.refresh_from_db()
    assert report.indicators["audience"] == {"FR": 900, "BE": 400, "HR": 350, "DE": 40}
    assert report.costs.count() == 3

    # A PDF, checked by content.
    pdf = output_dir / "programme.pdf"
    pdf.write_bytes(pdf_bytes(pages=2))
    page.get_by_label("File", exact=True).set_input_files(pdf)
    page.get_by_label("Title (optional)").fill("Tour programme")
    page.get_by_role("button", name="Attach the file").click()
    expect(page.get_by_role("status")).to_contain_text("“Tour programme” is attached.")
    link = page.get_by_role("link", name="Tour programme")
    expect(link).to_have_attribute("href", re.compile(r"^/workspace/files/attachments/\d+/$"))
    page.screenshot(path=output_dir / "4-report-saved.png", full_page=True)

    # Reporting begins, then the report goes to the network.
    page.get_by_role("button", name="Begin reporting").click()
    page.wait_for_url(f"{live_server.url}/workspace/reports/{report.pk}/")
    page.get_by_role("button", name="Save and submit").click()
    expect(page.get_by_role("status")).to_contain_text("The report is submitted")
    expect(page.locator(".ws-project-head")).to_contain_text("State: Submitted")
    expect(page.get_by_role("button", name="Save the report")).to_have_count(0)
    expect(page.get_by_text("Tour film")).to_be_visible()
    report.refresh_from_db()
    project.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    assert project.state == ProjectState.REPORT_SUBMITTED
    page.screenshot(path=output_dir / "5-report-submitted.png", full_page=True)
    assert_accessible(page)

    page.get_by_role("link", name="Reports").first.click()
    expect(page.locator("table")).to_contain_text("State: Submitted")
    page.screenshot(path=output_dir / "6-reports-list.png", full_page=True)
    assert_accessible(page)

    # On a phone nothing overflows sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/workspace/reports/{report.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=output_dir / "7-report-phone.png", full_page=True)


def test_a_returned_report_shows_the_feedback_first(live_server, site_tree, cast, page, output_dir):
    from tests.workflow.conftest import write_final_report
    from workflow import services

    project = advance(cast, build_ready(cast), ProjectState.REPORTING)
    report = write_final_report(cast, project)
    services.project_transition(
        project_id=project.pk, name="submit_report", actor=cast.lead_manager
    )
    services.project_transition(
        project_id=project.pk,
        name="return_report",
        actor=cast.coordinator,
        comment="Please attach the invoices of Kulturni centar Zagreb.",
    )
    e2e_log_in(page, live_server, "lead", PASSWORD, then=f"/workspace/reports/{report.pk}/")
    feedback = page.get_by_role("region", name="The network returned this report for changes")
    expect(feedback).to_contain_text("Please attach the invoices of Kulturni centar Zagreb.")
    expect(page.get_by_role("button", name="Save and submit")).to_be_visible()
    page.screenshot(path=output_dir / "report-returned.png", full_page=True)
    assert_accessible(page)
