"""A proposal returned for changes and submitted again, compared in a real browser: the lead
opens the revisions from the proposal's nav, the default comparison is the return against the
resubmission, and the changed words are marked. axe-core finds no serious or critical violation
on the list or the comparison."""

import pytest
from playwright.sync_api import expect

from projects.services import project_update
from tests.e2e.conftest import assert_accessible
from tests.e2e.conftest import log_in as e2e_log_in
from tests.workflow.conftest import advance, build_ready
from workflow import services
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery"  # UserFactory's default


def test_the_lead_compares_a_returned_proposal_with_its_resubmission(
    live_server, site_tree, cast, page, output_dir
):
    project = build_ready(cast)
    project_update(
        project_id=project.pk,
        actor=cast.lead_manager,
        summary="Three centres share their stages with young audiences.",
    )
    advance(cast, project, ProjectState.UNDER_REVIEW)
    services.project_transition(
        project_id=project.pk,
        name="request_changes",
        actor=cast.coordinator,
        comment="Say who the audiences are.",
    )
    project_update(
        project_id=project.pk,
        actor=cast.lead_manager,
        summary="Three centres share their stages with school classes and families.",
    )
    services.project_transition(project_id=project.pk, name="submit", actor=cast.lead_manager)

    e2e_log_in(page, live_server, "lead", PASSWORD, then=f"/workspace/projects/{project.pk}/")
    page.get_by_role("navigation", name="This proposal").get_by_role(
        "link", name="Revisions"
    ).click()
    expect(page.get_by_role("heading", level=1, name="Revisions")).to_be_visible()
    rows = page.locator("table tbody tr")
    expect(rows.first).to_contain_text("Submitted again")
    page.screenshot(path=output_dir / "1-revisions.png", full_page=True)
    assert_accessible(page)

    # The suggested comparison: the version the network returned against the new submission.
    page.get_by_role("link", name="Compare revision").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("What changed from revision")
    summary = page.locator(".diff-list")
    expect(summary).to_contain_text("Public summary")
    expect(summary.locator("del")).to_contain_text("young audiences.")
    expect(summary.locator("ins")).to_contain_text("school classes and families.")
    page.screenshot(path=output_dir / "2-comparison.png", full_page=True)
    assert_accessible(page)

    # Any two revisions, chosen by keyboard in the list.
    page.go_back()
    page.get_by_label("Compare from revision 1", exact=True).check()
    page.get_by_label("Compare to revision 2", exact=True).check()
    page.get_by_role("button", name="Compare the chosen revisions").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "What changed from revision 1 to revision 2"
    )
    page.screenshot(path=output_dir / "3-chosen-comparison.png", full_page=True)
