"""Issue 7's whole journey in a real browser, one proposal from the dashboard to its final report:

the lead's manager starts a proposal and fills its sections; invites two centres of two other
countries from the partners page; tries to submit too early (every unmet condition listed);
each partner accepts, signs its mandate (one with a signed PDF) and fills its budget; the lead
signs its own mandate and fills its budget; the eligibility panel turns green; the lead submits
from "check your answers". The network's part (start the review, assign reviewers, approve,
start the project) goes through the services — the admin is another issue — but the reviewer
scores and submits in the browser, each centre accepts the grant agreement in the browser, and
the lead writes and submits the final report in the browser.

A numbered screenshot of each step goes to test-results/e2e/<test>/; axe-core finds no serious
or critical violation on the pages passed through."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from projects.models import JointProject, Partnership, Report, Theme
from tests.e2e.conftest import assert_accessible
from tests.e2e.conftest import log_in as e2e_log_in
from tests.factories.uploads import pdf_bytes
from workflow import services
from workflow.models import Review
from workflow.states import PartnershipState, ProjectState, ReportState, ReviewState

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery"  # UserFactory's default
GREEN = "rgb(46, 107, 58)"  # .eligibility-ready's top border and .eligibility-met's mark


class Shots:
    """Numbered full-page screenshots, in the order the journey takes them."""

    def __init__(self, page, output_dir):
        self.page, self.output_dir, self.count = page, output_dir, 0

    def __call__(self, name):
        self.count += 1
        self.page.screenshot(path=self.output_dir / f"{self.count:02d}-{name}.png", full_page=True)


def log_in(page, live_server, username, then):
    e2e_log_in(page, live_server, username, PASSWORD, then=then)


def log_out(page):
    page.get_by_role("button", name=re.compile("^Log out")).click()
    page.wait_for_load_state()


def unmet_codes(page):
    return set(
        page.locator('#eligibility li.eligibility-item[data-met="false"]').evaluate_all(
            "items => items.map(item => item.dataset.code)"
        )
    )


def accept_and_sign(page, live_server, username, centre, partners_url, *, pdf=None):
    """A partner's manager accepts the invitation and signs the mandate on the partners page."""
    log_in(page, live_server, username, then=partners_url)
    expect(page.get_by_role("heading", name=f"Your centre: {centre}")).to_be_visible()
    page.get_by_role("button", name=f"Accept the invitation — {centre}").click()
    expect(page.get_by_role("status").first).to_contain_text("Done: Accept the invitation.")
    mandate = page.locator("form", has=page.get_by_role("button", name=re.compile("Sign the")))
    mandate.get_by_label(re.compile(f"I commit {re.escape(centre)}")).check()
    if pdf is not None:
        mandate.get_by_label("Signed mandate (optional)").set_input_files(
            files=[{"name": "mandate.pdf", "mimeType": "application/pdf", "buffer": pdf}]
        )
    mandate.get_by_role("button", name=re.compile("Sign the mandate")).click()
    expect(page.get_by_role("status").first).to_contain_text("The mandate is signed.")
    mine = page.get_by_role("region", name=f"Your centre: {centre}")
    expect(mine).to_contain_text("Signed")
    if pdf is not None:
        expect(mine.get_by_role("link", name="Download the signed PDF")).to_be_visible()


def fill_budget(page, live_server, project, centre, lines, own_contribution, *, total):
    """The centre's own budget on the budget page: one line at a time, then save."""
    page.get_by_role("navigation", name="This proposal").get_by_role("link", name="Budget").click()
    page.wait_for_url(f"{live_server.url}/workspace/projects/{project.pk}/budget/")
    expect(page.get_by_role("heading", level=2, name=f"Your budget: {centre}")).to_be_visible()
    for number, (category, description, amount) in enumerate(lines, start=1):
        if number > 1:
            page.get_by_role("button", name="Add another line").click()
            expect(page.get_by_label(f"Line {number}: category")).to_be_focused()
        page.get_by_label(f"Line {number}: category").select_option(category)
        page.get_by_label(f"Line {number}: description").fill(description)
        page.get_by_label(f"Line {number}: amount in euros").fill(amount)
    page.get_by_label("Own contribution (EUR)").fill(own_contribution)
    page.get_by_role("button", name="Save the budget").click()
    expect(page.get_by_role("status")).to_contain_text(f"The budget of {centre} is saved.")
    section = page.get_by_role("region", name=f"Your budget: {centre}")
    # The saved lines come back ordered by category (BudgetLine.Meta.ordering).
    saved = section.locator('input[aria-label$=": description"]').evaluate_all(
        "inputs => inputs.map(input => input.value)"
    )
    assert sorted(saved) == sorted(description for _c, description, _a in lines)
    partnership = Partnership.objects.get(project=project, centre__name=centre)
    assert partnership.total_cost == Decimal(total)


def test_the_whole_journey_from_dashboard_to_final_report(
    live_server, site_tree, cast, page, output_dir
):
    shot = Shots(page, output_dir)
    Theme.objects.create(name="Music", name_fr="Musique", slug="music")
    lead_name = cast.lead_centre.name  # Maison de la culture de Lyon (France)
    partner_name = cast.partner_centre.name  # Centre culturel de Liège (Belgium)
    partner2_name = cast.partner2_centre.name  # Kulturni centar Zagreb (Croatia)

    # --- 1. The lead starts a proposal from the dashboard. -----------------------------------
    log_in(page, live_server, "lead", then="/workspace/")
    shot("lead-dashboard")
    page.get_by_role("link", name="Start a proposal").click()
    page.wait_for_url(f"{live_server.url}/workspace/proposals/new/")
    page.get_by_label(re.compile(re.escape(cast.call.title))).check()
    expect(page.get_by_label(lead_name)).to_be_checked()  # the lead's only centre
    page.get_by_label("Title").fill("Voices Across Europe")
    shot("start-proposal")
    page.get_by_role("button", name="Start the proposal").click()
    page.wait_for_url(re.compile(r"/workspace/projects/\d+/edit/$"))
    project = JointProject.objects.get(title="Voices Across Europe")
    tasks = f"{live_server.url}/workspace/projects/{project.pk}/edit/"
    partners = f"/workspace/projects/{project.pk}/partners/"
    assert page.url == tasks
    expect(page.get_by_role("status")).to_contain_text("Your proposal is started.")
    expect(page.locator("#tasks-progress")).to_have_text("0 of 6 sections completed")
    panel = page.locator("#eligibility")
    expect(panel).not_to_have_class(re.compile("eligibility-ready"))
    shot("task-list-new")
    assert_accessible(page)

    # --- 2. The sections of the task list. ------------------------------------------------
    page.get_by_role("link", name="Title and summary").click()
    page.get_by_label("Title").fill("Voices Across Europe")
    page.get_by_label("Acronym").fill("VAE")
    page.get_by_label("Public summary").fill("Choirs from three countries sing together.")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(tasks)
    expect(page.get_by_role("status")).to_contain_text("Saved: Title and summary.")

    page.get_by_role("link", name="Description and themes").click()
    page.get_by_label("Description").fill("Three choirs meet in Lyon, Liège and Zagreb.")
    page.get_by_label("Music").check()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(tasks)

    page.get_by_role("link", name="Dates").click()
    page.get_by_label("Planned start").fill("2027-03-01")
    page.get_by_label("Planned end").fill("2028-02-29")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(tasks)

    page.get_by_role("link", name="Partners sought").click()
    page.get_by_label("Partners sought").fill("Choirs in Belgium and Croatia.")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(tasks)
    expect(page.locator("#tasks-progress")).to_have_text("4 of 6 sections completed")
    for slug in ("title", "description", "dates", "partners-sought"):
        expect(page.locator(f"#task-{slug}")).to_contain_text("Completed")
    expect(panel).to_contain_text("2 more confirmed centres needed (1 of 3)")
    shot("task-list-sections-done")

    # --- 3. The lead invites two centres of two other countries. ----------------------------
    page.get_by_role("navigation", name="This proposal").get_by_role(
        "link", name="Partners"
    ).click()
    page.wait_for_url(f"{live_server.url}{partners}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Partners")
    search = page.get_by_role("search", name="Partner centres")
    results = page.locator("#search-results")
    pending = page.locator("section", has=page.locator("#pending-title"))
    search.get_by_label("Name of the centre, or part of it").fill("liège")
    expect(results.get_by_role("heading", name=partner_name)).to_be_visible()
    results.get_by_role("button", name=f"Invite {partner_name}").click()
    expect(page.get_by_role("status").first).to_contain_text(f"{partner_name} is invited.")
    search.get_by_label("Name of the centre, or part of it").fill("zagreb")
    expect(results.get_by_role("heading", name=partner2_name)).to_be_visible()
    results.get_by_role("button", name=f"Invite {partner2_name}").click()
    expect(page.get_by_role("status").first).to_contain_text(f"{partner2_name} is invited.")
    expect(pending).to_contain_text("Invitations sent (2)")
    shot("partners-two-invited")
    assert_accessible(page)

    # --- 4. A submit too early lists every unmet condition. --------------------------------
    page.goto(f"{tasks}check/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before you submit"
    )
    page.get_by_role("button", name="Submit the proposal").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The proposal cannot be submitted yet:")
    unmet = unmet_codes(page)  # the panel on the same page, as the submit found the proposal
    assert unmet == {"min_partners", "min_countries", "mandate_missing", "budget_empty"}
    listed = alert.locator("li").evaluate_all("items => items.map(item => item.dataset.code)")
    assert sorted(listed) == sorted(unmet)  # each unmet condition once, nothing else
    expect(alert).to_contain_text("3 confirmed centres are needed")
    expect(alert).to_contain_text("Confirmed centres from 2 countries are needed")
    expect(alert).to_contain_text(f"A manager must sign the mandate for: {lead_name}")
    expect(alert).to_contain_text("The budget is empty")
    expect(page.locator("#error-summary")).to_be_focused()
    for code in unmet:  # each entry leads to its condition in the panel
        expect(alert.locator(f'li[data-code="{code}"] a')).to_have_attribute(
            "href", f"#eligibility-{code}"
        )
    shot("submit-too-early")
    assert_accessible(page)
    project.refresh_from_db()
    assert project.state == ProjectState.DRAFT
    log_out(page)

    # --- 5. Each partner accepts, signs its mandate and fills its budget. -------------------
    accept_and_sign(page, live_server, "partner", partner_name, partners, pdf=pdf_bytes())
    shot("partner-accepted-signed-with-pdf")
    assert_accessible(page)
    fill_budget(
        page,
        live_server,
        project,
        partner_name,
        [("staff", "Choir master, six months", "8000"), ("travel", "Trips to Lyon", "2000")],
        "2000",
        total="10000.00",
    )
    shot("partner-budget-saved")
    assert_accessible(page)
    log_out(page)

    accept_and_sign(page, live_server, "partner2", partner2_name, partners)
    shot("partner2-accepted-signed")
    fill_budget(
        page,
        live_server,
        project,
        partner2_name,
        [("production", "Concert hall", "7000"), ("travel", "Trips to Liège", "3000")],
        "2000",
        total="10000.00",
    )
    shot("partner2-budget-saved")
    log_out(page)

    for centre, signed_pdf in ((cast.partner_centre, True), (cast.partner2_centre, False)):
        partnership = Partnership.objects.get(project=project, centre=centre)
        assert partnership.state == PartnershipState.CONFIRMED
        assert partnership.mandate_signed
        assert bool(partnership.mandate_file) is signed_pdf

    # --- 6. The lead signs its own mandate and fills its budget. ---------------------------
    log_in(page, live_server, "lead", then=partners)
    expect(page.locator("#consortium")).to_contain_text(partner_name)
    expect(page.locator("#consortium")).to_contain_text(partner2_name)
    mandate = page.locator("form", has=page.get_by_role("button", name=re.compile("Sign the")))
    mandate.get_by_label(re.compile(f"I commit {re.escape(lead_name)}")).check()
    mandate.get_by_role("button", name=re.compile("Sign the mandate")).click()
    expect(page.get_by_role("status").first).to_contain_text("The mandate is signed.")
    shot("lead-mandate-signed")
    fill_budget(
        page,
        live_server,
        project,
        lead_name,
        [("staff", "Coordination", "12000"), ("dissemination", "Recordings", "3000")],
        "3000",
        total="15000.00",
    )
    # The others' budgets read-only on the lead's page, the totals of the three.
    expect(page.locator('#budget-totals [data-figure="total_cost"]')).to_have_text("35,000.00")
    expect(page.locator('#budget-totals [data-figure="requested_grant"]')).to_have_text("28,000.00")
    shot("lead-budget-saved")
    assert_accessible(page)

    # --- 7. The eligibility panel turns green. -------------------------------------------
    page.goto(tasks)
    expect(page.locator("#tasks-progress")).to_have_text("6 of 6 sections completed")
    expect(panel).to_have_class(re.compile(r"\beligibility-ready\b"))
    expect(panel.locator("#eligibility-summary")).to_have_text(
        "Every condition of the call is met."
    )
    items = panel.locator("li.eligibility-item")
    count = items.count()
    assert count == 8
    expect(panel.locator("li.eligibility-met")).to_have_count(count)
    expect(panel.locator("li.eligibility-unmet")).to_have_count(0)
    expect(panel.locator('li[data-met="false"]')).to_have_count(0)
    for index in range(count):
        expect(items.nth(index).locator(".eligibility-state")).to_have_text("Met")
        expect(items.nth(index).locator(".eligibility-mark")).to_have_css("background-color", GREEN)
    expect(panel).to_have_css("border-top-color", GREEN)
    expect(panel).to_contain_text("requested 28,000.00 EUR of max 100,000.00 EUR")
    expect(panel).to_contain_text("co-financing 80.0 % ≤ 80 %")
    expect(page.locator("#task-check")).to_contain_text("Not started")
    shot("task-list-all-met")
    assert_accessible(page)

    # --- 8. The lead submits from "check your answers". ---------------------------------
    page.get_by_role("link", name="Check your answers and submit").click()
    page.wait_for_url(f"{tasks}check/")
    expect(page.locator("#answer-acronym")).to_contain_text("VAE")
    expect(page.get_by_role("alert")).to_have_count(0)
    page.get_by_label("Comment (optional)").fill("Ready for the network.")
    shot("check-your-answers")
    assert_accessible(page)
    page.get_by_role("button", name="Submit the proposal").click()
    page.wait_for_url(f"{live_server.url}/workspace/projects/{project.pk}/")
    expect(page.get_by_role("status")).to_contain_text("Your proposal is submitted.")
    expect(page.locator(".ws-project-head")).to_contain_text("State: Submitted")
    shot("proposal-submitted")
    assert_accessible(page)
    project.refresh_from_db()
    assert project.state == ProjectState.SUBMITTED
    log_out(page)

    # --- 9. The network starts the review and assigns two reviewers (services: the admin is
    # another issue); the second reviewer has already submitted. ---------------------------
    services.project_transition(project_id=project.pk, name="start_review", actor=cast.coordinator)
    review = services.review_assign(
        project_id=project.pk, reviewer=cast.reviewer, actor=cast.coordinator
    )
    other = services.review_assign(
        project_id=project.pk, reviewer=cast.reviewer2, actor=cast.coordinator
    )
    services.review_score(
        review_id=other.pk,
        actor=cast.reviewer2,
        scores=[
            {"criterion": criterion.pk, "score": 7, "comment": ""}
            for criterion in cast.call.criteria.all()
        ],
        comment="A convincing consortium.",
    )
    services.review_transition(review_id=other.pk, name="submit", actor=cast.reviewer2)

    # --- 10. The reviewer scores every criterion and submits, in the browser. -----------------
    log_in(page, live_server, "reviewer", then="/workspace/reviews/")
    row = page.get_by_role("row", name="Voices Across Europe")
    expect(row).to_contain_text("State: Assigned")
    shot("reviewer-list")
    assert_accessible(page)
    row.get_by_role("link", name="Voices Across Europe (VAE)").click()
    page.wait_for_url(f"{live_server.url}/workspace/reviews/{review.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Voices Across Europe")
    shot("review-page")
    assert_accessible(page)
    criteria = list(cast.call.criteria.order_by("pk"))
    assert [c.name for c in criteria] == ["Quality", "Reach"]
    for criterion, score in zip(criteria, ("8", "7"), strict=True):
        page.get_by_label(f"Score for “{criterion.name}”").fill(score)
        page.get_by_label(f"Comment on “{criterion.name}” (optional)").fill(
            f"{criterion.name}: clear and well argued."
        )
    page.get_by_label("Overall comment (optional)").fill("Fund it.")
    shot("review-scored")
    page.get_by_role("button", name="Submit the review").click()
    expect(page.get_by_role("status")).to_contain_text("Your review is submitted.")
    expect(page.locator(".state-note")).to_contain_text("You submitted this review on")
    shot("review-submitted")
    assert_accessible(page)
    review.refresh_from_db()
    assert review.state == ReviewState.SUBMITTED
    assert sorted(review.scores.values_list("score", flat=True)) == [7, 8]
    assert Review.objects.filter(project=project, state=ReviewState.SUBMITTED).count() == 2
    log_out(page)

    # --- 11. The network approves with an amount (service). ------------------------------
    services.project_transition(
        project_id=project.pk,
        name="approve",
        actor=cast.coordinator,
        awarded_amount=Decimal("24000.00"),
    )
    project.refresh_from_db()
    assert project.state == ProjectState.APPROVED

    # --- 12. Each centre accepts the grant agreement, in the browser. ---------------------
    agreement = f"/workspace/projects/{project.pk}/agreement/"
    for number, (username, centre) in enumerate(
        (("partner", partner_name), ("partner2", partner2_name), ("lead", lead_name)), start=1
    ):
        log_in(page, live_server, username, then=agreement)
        expect(page.get_by_role("heading", level=1)).to_contain_text("Voices Across Europe")
        expect(page.get_by_role("heading", name=f"Your centre’s share: {centre}")).to_be_visible()
        if number == 1:
            shot("agreement-partner")
            assert_accessible(page)
        page.get_by_label(
            re.compile(f"I accept the grant agreement for {re.escape(centre)}")
        ).check()
        page.get_by_role("button", name=re.compile("Accept the grant agreement")).click()
        expect(page.get_by_role("status")).to_contain_text(
            f"{centre} accepted the grant agreement."
        )
        expect(page.get_by_role("row", name=re.compile(re.escape(centre)))).to_contain_text(
            "Accepted by"
        )
        expect(
            page.get_by_text(f"{number} of 3 centres have accepted the grant agreement.")
        ).to_be_visible()
        shot(f"agreement-accepted-{username}")
        if number == 3:
            assert_accessible(page)
        else:
            log_out(page)
    assert all(p.agreement_accepted for p in project.confirmed_partnerships())

    # --- 13. The network starts the project (service). ----------------------------------
    services.project_transition(project_id=project.pk, name="start", actor=cast.coordinator)
    project.refresh_from_db()
    assert project.state == ProjectState.IN_PROGRESS

    # --- 14. The lead writes and submits the final report, in the browser. ---------------
    page.goto(f"{live_server.url}/workspace/projects/{project.pk}/")
    expect(page.locator(".ws-project-head")).to_contain_text("State: In progress")
    page.get_by_role("navigation", name="This proposal").get_by_role("link", name="Reports").click()
    page.wait_for_url(f"{live_server.url}/workspace/projects/{project.pk}/reports/")
    shot("reports-empty")
    assert_accessible(page)
    page.get_by_role("button", name="Start the final report").click()
    page.wait_for_url(re.compile(r"/workspace/reports/\d+/$"))
    report = Report.objects.get(project=project, kind="final")
    page.wait_for_url(f"{live_server.url}/workspace/reports/{report.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Final report")
    page.get_by_label("The project's narrative").fill(
        "Three choirs sang twelve concerts in Lyon, Liège and Zagreb."
    )
    page.get_by_label("Events").fill("12")
    page.get_by_label("Participants involved").fill("450")
    page.get_by_label("Artists involved").fill("30")
    page.get_by_label("People who travelled between partners").fill("25")
    page.get_by_label("Volunteers").fill("8")
    page.get_by_label("Audience in France").fill("900")
    page.get_by_label("Audience in Belgium").fill("400")
    page.get_by_label("Audience in Croatia").fill("350")
    page.get_by_label("Output 1: title").fill("Concert recording")
    page.get_by_label("Output 1: link (optional)").fill("https://example.org/recording")
    for centre, cost in ((lead_name, "14800"), (partner_name, "9900"), (partner2_name, "9750")):
        page.get_by_label(f"Actual costs of {centre} (EUR)").fill(cost)
    page.get_by_role("button", name="Save the report").click()
    expect(page.get_by_role("status")).to_contain_text("The report is saved.")
    shot("report-saved")
    assert_accessible(page)
    page.get_by_role("button", name="Begin reporting").click()
    page.wait_for_url(f"{live_server.url}/workspace/reports/{report.pk}/")
    page.get_by_role("button", name="Save and submit").click()
    expect(page.get_by_role("status")).to_contain_text("The report is submitted")
    expect(page.locator(".ws-project-head")).to_contain_text("State: Submitted")
    expect(page.get_by_text("Concert recording")).to_be_visible()
    shot("report-submitted")
    assert_accessible(page)
    report.refresh_from_db()
    project.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    assert report.costs.count() == 3
    assert project.state == ProjectState.REPORT_SUBMITTED

    # The lead's dashboard shows where the project stands.
    page.goto(f"{live_server.url}/workspace/")
    expect(page.locator("body")).to_contain_text("Voices Across Europe")
    shot("lead-dashboard-end")
