"""A coordinator ranks a call's proposals and decides on two of them from the ranking."""

from decimal import Decimal

import pytest

from projects.models import JointProject
from tests.e2e.conftest import assert_accessible, log_in
from tests.e2e.test_admin_decisions import screenshot
from tests.workflow.conftest import advance, build_ready, review
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db(transaction=True)


def test_coordinator_approves_and_rejects_from_the_ranking(
    live_server, site_tree, cast, page, output_dir
):
    cast.coordinator.set_password("ensemble-demo")
    cast.coordinator.save()
    stages = advance(cast, build_ready(cast), ProjectState.UNDER_REVIEW)
    review(cast, stages, cast.reviewer, scores=(8, 7))
    review(cast, stages, cast.reviewer2, scores=(7, 6))
    archives = build_ready(cast)
    JointProject.objects.filter(pk=archives.pk).update(title="Open Archives", acronym="OPA")
    archives = advance(cast, archives, ProjectState.UNDER_REVIEW)
    review(cast, archives, cast.reviewer, scores=(6, 3))
    review(cast, archives, cast.reviewer2, scores=(5, 4))

    log_in(page, live_server, "coordinator", "ensemble-demo", then="/admin/")
    page.goto(f"{live_server.url}/admin/network/projects/ranking/{cast.call.pk}/")
    ranking = page.locator("#ranking")
    assert ranking.locator("tbody tr[data-project]").count() == 2
    first, second = (page.locator(f"#proposal-{p.pk}") for p in (stages, archives))
    # Shared Stages: quality 7.5, reach 6.5 → 14.00, above; Open Archives: quality 5.5, reach
    # 3.5 (below its threshold of 4) → 9.00, below.
    assert "14.00" in first.inner_text() and "above" in first.inner_text()
    assert "below 4" in second.inner_text()
    assert page.get_by_role("link", name="Export the ranking as CSV").is_visible()
    screenshot(page, output_dir / "1-ranking.png")
    assert_accessible(page)

    # Approve the first from its row.
    decide = page.locator(f"#decide-{stages.pk}")
    decide.get_by_text("Decide on “Shared Stages”").click()
    approve = decide.locator("form").filter(has=page.get_by_role("heading", name="Approve"))
    assert approve.get_by_label("Awarded amount (EUR)").input_value() == "24000.00"
    assert_accessible(page)  # with the decisions open
    screenshot(page, output_dir / "2-decide-open.png")
    approve.get_by_label("Awarded amount (EUR)").fill("20000")
    approve.get_by_label("Comment").fill("A strong network with a clear plan for audiences.")
    approve.get_by_role("button", name="Approve", exact=True).click()
    page.wait_for_load_state()
    assert "is now “Approved”" in page.locator(".messages .success").inner_text()
    first = page.locator(f"#proposal-{stages.pk}")
    assert "Approved" in first.inner_text() and "20,000.00 EUR" in first.inner_text()
    assert "Awarded so far\n20,000.00 EUR" in page.locator("#ranking-budget").inner_text()
    screenshot(page, output_dir / "3-approved.png")

    # Reject the second, with the reasons the lead will read in the decision letter.
    second = page.locator(f"#proposal-{archives.pk}")
    decide = page.locator(f"#decide-{archives.pk}")
    decide.get_by_text("Decide on “Open Archives”").click()
    reject = decide.locator("form").filter(has=page.get_by_role("heading", name="Reject"))
    reject.get_by_label("Comment").fill("The reach of the audience plan is below the threshold.")
    reject.get_by_role("button", name="Reject", exact=True).click()
    page.wait_for_load_state()
    assert "is now “Rejected”" in page.locator(".messages .success").inner_text()
    assert "Rejected" in page.locator(f"#proposal-{archives.pk}").inner_text()
    screenshot(page, output_dir / "4-rejected.png")
    assert_accessible(page)

    stages.refresh_from_db()
    archives.refresh_from_db()
    assert (stages.state, stages.awarded_amount) == (ProjectState.APPROVED, Decimal("20000.00"))
    assert archives.state == ProjectState.REJECTED
