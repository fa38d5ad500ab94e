"""A coordinator decides on a proposal in the Wagtail admin, in a real browser."""

from decimal import Decimal

import pytest

from tests.e2e.conftest import log_in
from tests.workflow.conftest import advance, build_ready, review
from workflow.models import TransitionLog
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db(transaction=True)


def screenshot(page, path):
    """The whole page: Wagtail's admin scrolls inside its own layout, which a full-page
    screenshot does not unroll, so the viewport is stretched to the content for the shot."""
    page.locator("body.ready").wait_for(state="attached")
    page.wait_for_timeout(700)  # messages slide in (0.5 s) once the admin's scripts are ready
    height = page.evaluate(
        "Math.max(...[document.documentElement, ...document.querySelectorAll('main, main *')]"
        ".map(element => element.scrollHeight))"
    )
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": min(max(height, 900), 8000)})
    page.screenshot(path=path)
    page.set_viewport_size(size)


def test_coordinator_approves_a_proposal_under_review(
    live_server, site_tree, cast, page, output_dir
):
    cast.coordinator.first_name, cast.coordinator.last_name = "Claire", "Martin"
    cast.coordinator.set_password("ensemble-demo")
    cast.coordinator.save()
    project = advance(cast, build_ready(cast), ProjectState.UNDER_REVIEW)
    review(cast, project, cast.reviewer, scores=(8, 7))
    review(cast, project, cast.reviewer2, scores=(7, 6))

    # The admin sends visitors to our login page, then to the two-factor page.
    log_in(page, live_server, "coordinator", "ensemble-demo", then="/admin/")

    # The list of proposals, from the admin's menu entry.
    page.goto(f"{live_server.url}/admin/network/projects/?state=under_review")
    rows = page.locator("table.listing tbody tr")
    assert rows.count() == 1
    assert "Under review" in rows.first.inner_text()
    screenshot(page, output_dir / "1-proposals.png")

    page.get_by_role("link", name="Shared Stages").click()
    page.wait_for_url(f"**/admin/network/projects/inspect/{project.pk}/")
    state = page.locator("[data-project-state]")
    assert state.text_content().strip() == "Under review"
    decisions = page.locator("#decisions-section")
    assert decisions.get_by_role("heading", name="Approve").is_visible()
    screenshot(page, output_dir / "2-proposal-under-review.png")

    # Too much: the service refuses and says why; nothing changes.
    approve = page.locator("form[aria-labelledby='decision-approve']")
    approve.get_by_label("Awarded amount (EUR)").fill("50000")
    approve.get_by_role("button", name="Approve", exact=True).click()
    page.wait_for_load_state()
    error = page.locator(".messages .error")
    assert "The awarded amount must be more than 0 and at most the requested" in error.inner_text()
    assert page.locator("[data-project-state]").text_content().strip() == "Under review"
    screenshot(page, output_dir / "3-approve-refused.png")

    approve = page.locator("form[aria-labelledby='decision-approve']")
    approve.get_by_label("Awarded amount (EUR)").fill("20000")
    approve.get_by_label("Comment").fill("A strong network with a clear plan for audiences.")
    approve.get_by_role("button", name="Approve", exact=True).click()
    page.wait_for_load_state()
    assert "is now “Approved”" in page.locator(".messages .success").inner_text()
    assert page.locator("[data-project-state]").text_content().strip() == "Approved"
    history = page.locator("#history-section").inner_text()
    assert "Approve" in history and "Claire Martin" in history
    screenshot(page, output_dir / "4-approved.png")

    project.refresh_from_db()
    assert project.state == ProjectState.APPROVED
    assert project.awarded_amount == Decimal("20000.00")
    log = TransitionLog.objects.get(project=project, transition="approve")
    assert log.actor == cast.coordinator

    # The call's ranking, linked from the proposal's page.
    page.get_by_role("link", name="Ranking of the call").first.click()
    page.wait_for_url(f"**/admin/network/projects/ranking/{project.call_id}/")
    assert "Shared Stages" in page.locator("#ranking").inner_text()
    screenshot(page, output_dir / "5-ranking.png")
