"""The back-office journey of one call in the Wagtail admin, in a real browser: the coordinator
opens the call, starts the review of its submitted proposals, assigns the reviewers in bulk, ranks
the proposals, approves the best and rejects the last, starts the funded project and pays its
pre-financing, and accepts its final report. Only the first address is typed; everything else is
a click. What the other people do (reviewers, partners, the lead) goes through the services."""

from collections import Counter
from decimal import Decimal

import pytest

from projects.models import JointProject
from tests.e2e.conftest import assert_accessible, log_in
from tests.e2e.test_admin_decisions import screenshot
from tests.factories import MembershipFactory, reviewer
from tests.workflow.conftest import advance, build_ready, write_final_report
from workflow import services
from workflow.models import Review
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db(transaction=True)

# Quality and Reach (thresholds 5 and 4, overall 12) per proposal, the same from each reviewer:
# Shared Stages 9 + 8 = 17, Open Archives 7 + 6 = 13, Quiet Rooms 4 + 3 = 7 (below all three).
PROPOSALS = {
    "Shared Stages": ("SHS", (9, 8)),
    "Open Archives": ("OPA", (7, 6)),
    "Quiet Rooms": ("QRO", (4, 3)),
}


def named(user, first, last):
    user.first_name, user.last_name = first, last
    user.save()
    return user


def submitted_proposals(cast):
    projects = {}
    for title, (acronym, _scores) in PROPOSALS.items():
        project = build_ready(cast)
        JointProject.objects.filter(pk=project.pk).update(title=title, acronym=acronym)
        projects[title] = advance(cast, project, ProjectState.SUBMITTED)
    return projects


def open_grants_menu(page, item):
    """The sidebar's "Grants" group, then one of its entries."""
    sidebar = page.locator("#wagtail-sidebar")
    sidebar.get_by_role("button", name="Grants", exact=True).click()
    sidebar.get_by_role("link", name=item, exact=True).click()
    page.wait_for_load_state()


def open_call(page, call):
    open_grants_menu(page, "Calls")
    page.wait_for_url("**/admin/network/calls/")
    page.locator("table.listing").get_by_role("link", name=call.title).first.click()
    page.wait_for_url(f"**/admin/network/calls/inspect/{call.pk}/")


def reviewers_score(cast, projects):
    """Each assigned reviewer scores and submits, as they would in the workspace."""
    criteria = list(cast.call.criteria.order_by("sort_order", "pk"))
    for title, project in projects.items():
        scores = PROPOSALS[title][1]
        for review in Review.objects.filter(project=project):
            services.review_score(
                review_id=review.pk,
                actor=review.reviewer,
                scores=[
                    {"criterion": c.pk, "score": s, "comment": ""}
                    for c, s in zip(criteria, scores, strict=True)
                ],
            )
            services.review_transition(review_id=review.pk, name="submit", actor=review.reviewer)


def test_coordinator_runs_a_call_from_submission_to_completion(
    live_server, site_tree, cast, page, output_dir
):
    named(cast.coordinator, "Claire", "Martin")
    cast.coordinator.set_password("ensemble-demo")
    cast.coordinator.save()
    named(cast.reviewer, "Rita", "Alves")
    named(cast.reviewer2, "Jonas", "Berg")
    reviewer(username="reviewer3", first_name="Mei", last_name="Lindqvist")
    # A reviewer on the staff of a partner of every proposal: never assigned.
    ana = reviewer(username="ana", first_name="Ana", last_name="Horvat")
    MembershipFactory(centre=cast.partner_centre, user=ana, role="staff")
    projects = submitted_proposals(cast)
    call = cast.call

    log_in(page, live_server, "coordinator", "ensemble-demo", then="/admin/")

    # 1. Grants → Calls → the call's page.
    open_call(page, call)
    by_state = page.locator("#proposals-by-state")
    assert by_state.locator("tr[data-state='submitted'] td").inner_text() == "3"
    assert_accessible(page)
    screenshot(page, output_dir / "01-call-page.png")

    # 2. The submitted proposals, then the review of all of them started at once.
    by_state.get_by_role("link", name="Submitted").click()
    page.wait_for_url(f"**/admin/network/projects/?call={call.pk}&state=submitted")
    assert page.locator("table.listing tbody tr").count() == 3
    assert_accessible(page)
    screenshot(page, output_dir / "02-submitted-proposals.png")

    # The bulk action sits in the header's "more" dropdown, for the whole filtered set.
    page.locator("header").get_by_role("button", name="Actions").click()
    page.get_by_role("link", name="Start the review of the submitted").click()
    page.wait_for_url("**/admin/network/projects/start-review/**")
    assert "3 submitted proposals match these filters" in page.locator("#bulk-count").inner_text()
    assert_accessible(page)
    screenshot(page, output_dir / "03-start-review-confirm.png")

    page.get_by_role("button", name="Start the review of 3 proposals").click()
    page.wait_for_load_state()
    assert "3 proposals are now under review." in page.locator(".messages .success").inner_text()
    screenshot(page, output_dir / "04-under-review.png")
    assert_accessible(page)
    states = JointProject.objects.filter(call=call).values_list("state", flat=True)
    assert sorted(states) == [ProjectState.UNDER_REVIEW] * 3

    # 3. Back on the call's page: assign reviewers, preview, confirm.
    open_call(page, call)
    page.locator("#proposals-section").get_by_role("link", name="Assign reviewers").click()
    page.wait_for_url(f"**/admin/network/projects/calls/{call.pk}/assign/")
    assert page.get_by_label("Reviewers per proposal").input_value() == "2"
    assert_accessible(page)
    page.get_by_role("button", name="Preview the assignments").click()
    page.wait_for_load_state()
    summary = page.locator("#plan-summary").inner_text()
    assert "6 new reviews to assign" in summary
    # Three free reviewers take two proposals each; Ana, in conflict with all three, none.
    new = {
        row.locator("th").inner_text(): row.locator("td").nth(1).inner_text()
        for row in page.locator("#plan-loads tbody tr").all()
    }
    assert new == {"Rita Alves": "2", "Jonas Berg": "2", "Mei Lindqvist": "2", "Ana Horvat": "0"}
    for project in projects.values():
        row = page.locator(f"#plan-proposals tr[data-project='{project.pk}']")
        assert "Ana Horvat" not in row.locator("[data-new]").inner_text()
        assert "Ana Horvat" in row.inner_text()  # named with her conflict of interest
    assert not Review.objects.exists()  # a preview writes nothing
    assert_accessible(page)
    screenshot(page, output_dir / "05-assignment-preview.png")

    page.get_by_role("button", name="Confirm and assign 6 reviews").click()
    page.wait_for_url(f"**/admin/network/projects/calls/{call.pk}/assign/")
    assert "6 reviews assigned" in page.locator(".messages .success").inner_text()
    screenshot(page, output_dir / "06-reviews-assigned.png")
    assert_accessible(page)
    loads = Counter(Review.objects.values_list("reviewer__username", flat=True))
    assert loads == {"reviewer": 2, "reviewer2": 2, "reviewer3": 2}
    assert all(Review.objects.filter(project=p).count() == 2 for p in projects.values())

    # 4. The reviewers score in their workspace (covered by test_reviews.py).
    reviewers_score(cast, projects)

    # 5. The ranking, from the call's page: approve the best, reject the last.
    open_call(page, call)
    page.locator("#proposals-section").get_by_role("link", name="Ranking").click()
    page.wait_for_url(f"**/admin/network/projects/ranking/{call.pk}/")
    ranked = page.locator("#ranking tbody tr[data-project]")
    assert ranked.count() == 3
    order = [ranked.nth(i).get_attribute("data-project") for i in range(3)]
    assert order == [str(projects[title].pk) for title in PROPOSALS]
    best, last = projects["Shared Stages"], projects["Quiet Rooms"]
    assert "17.00" in page.locator(f"#proposal-{best.pk}").inner_text()
    assert "below" in page.locator(f"#proposal-{last.pk}").inner_text()
    assert_accessible(page)
    screenshot(page, output_dir / "07-ranking.png")

    decide = page.locator(f"#decide-{best.pk}")
    decide.get_by_text("Decide on “Shared Stages”").click()
    approve = decide.locator("form").filter(has=page.get_by_role("heading", name="Approve"))
    approve.get_by_label("Awarded amount (EUR)").fill("20000")
    approve.get_by_label("Comment").fill("A strong network with a clear plan for audiences.")
    approve.get_by_role("button", name="Approve", exact=True).click()
    page.wait_for_load_state()
    assert "is now “Approved”" in page.locator(".messages .success").inner_text()
    row = page.locator(f"#proposal-{best.pk}").inner_text()
    assert "Approved" in row and "20,000.00 EUR" in row
    screenshot(page, output_dir / "08-approved.png")
    assert_accessible(page)

    decide = page.locator(f"#decide-{last.pk}")
    decide.get_by_text("Decide on “Quiet Rooms”").click()
    reject = decide.locator("form").filter(has=page.get_by_role("heading", name="Reject"))
    reject.get_by_label("Comment").fill("Both criteria are below their thresholds.")
    reject.get_by_role("button", name="Reject", exact=True).click()
    page.wait_for_load_state()
    assert "is now “Rejected”" in page.locator(".messages .success").inner_text()
    assert "Rejected" in page.locator(f"#proposal-{last.pk}").inner_text()
    screenshot(page, output_dir / "09-rejected.png")
    assert_accessible(page)
    best.refresh_from_db()
    last.refresh_from_db()
    assert (best.state, best.awarded_amount) == (ProjectState.APPROVED, Decimal("20000.00"))
    assert last.state == ProjectState.REJECTED
    middle = JointProject.objects.get(pk=projects["Open Archives"].pk)
    assert middle.state == ProjectState.UNDER_REVIEW  # left for later

    # 6. The partners accept the grant agreement; the coordinator starts the project and pays
    # its pre-financing from Grants → Payments.
    managers = {
        cast.lead_centre.pk: cast.lead_manager,
        cast.partner_centre.pk: cast.partner_manager,
        cast.partner2_centre.pk: cast.partner2_manager,
    }
    for partnership in best.partnerships.filter(state="confirmed"):
        services.partnership_accept_agreement(
            partnership_id=partnership.pk, actor=managers[partnership.centre_id]
        )
    open_grants_menu(page, "Payments")
    page.wait_for_url("**/admin/network/payments/")
    assert_accessible(page)
    page.locator("table.listing").get_by_role("link", name="Shared Stages").click()
    page.wait_for_url(f"**/admin/network/payments/inspect/{best.pk}/")
    assert "3 of 3 partners accepted" in page.locator("[data-agreements]").inner_text()
    page.get_by_role("button", name="Start the project").click()
    page.wait_for_load_state()
    assert "has started" in page.locator(".messages .success").inner_text()
    assert page.locator("[data-project-state]").text_content().strip() == "In progress"
    screenshot(page, output_dir / "10-project-started.png")
    assert_accessible(page)

    page.locator("#payments").get_by_role("button", name="Mark paid").click()
    page.wait_for_load_state()
    assert "marked paid" in page.locator(".messages .success").inner_text()
    assert "recorded by Claire Martin" in page.locator("#payments").inner_text()
    screenshot(page, output_dir / "11-prefinancing-paid.png")
    assert_accessible(page)
    assert best.payments.get(kind="prefinancing").paid_at is not None

    # 7. The lead reports; the coordinator accepts the final report from Grants → Reports.
    services.project_transition(project_id=best.pk, name="begin_reporting", actor=cast.coordinator)
    write_final_report(cast, best)
    services.project_transition(project_id=best.pk, name="submit_report", actor=cast.lead_manager)
    open_grants_menu(page, "Reports")
    page.wait_for_url("**/admin/network/reports/")
    assert_accessible(page)
    report = best.reports.get()
    page.locator("table.listing").get_by_role("link", name="Shared Stages").click()
    page.wait_for_url(f"**/admin/network/reports/inspect/{report.pk}/")
    assert_accessible(page)
    accept = page.locator("form[aria-labelledby='decision-accept']")
    accept.get_by_label("Feedback").fill("Thank you: a clear and complete report.")
    accept.get_by_role("button", name="Accept the report").click()
    page.wait_for_load_state()
    assert "is now “Completed”" in page.locator(".messages .success").inner_text()
    assert page.locator("[data-report-state]").text_content().strip() == "Accepted"
    assert page.locator("[data-project-state]").text_content().strip() == "Completed"
    screenshot(page, output_dir / "12-report-accepted.png")
    assert_accessible(page)
    best.refresh_from_db()
    assert best.state == ProjectState.COMPLETED
