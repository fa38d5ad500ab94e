"""A coordinator reads a rich proposal's page in the Wagtail admin, in a real browser."""

from datetime import timedelta

import pytest
from django.utils import timezone

from projects.models import ProposalAnswer
from tests.e2e.conftest import assert_accessible, log_in
from tests.e2e.test_admin_decisions import screenshot
from tests.factories import reviewer
from tests.workflow.conftest import build_ready, review
from workflow import services
from workflow.services.threads import message_post
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db(transaction=True)


def rich_proposal(cast):
    """Under review after a round of changes, one review in and a second being written, messages
    from both sides, answers to the call's questions."""
    cast.call.questions = [
        {"type": "short_text", "value": {"label": "Motto", "required": True}, "id": "motto"},
        {"type": "long_text", "value": {"label": "Approach", "required": False}, "id": "approach"},
    ]
    cast.call.save()
    project = build_ready(cast)
    ProposalAnswer.objects.create(project=project, question_id="motto", value="Stages for all")
    ProposalAnswer.objects.create(
        project=project, question_id="approach", value="Three centres share their stages."
    )

    def run(name, actor, **kwargs):
        services.project_transition(project_id=project.pk, name=name, actor=actor, **kwargs)

    run("submit", cast.lead_manager)
    run("request_changes", cast.coordinator, comment="Say more about the audiences.")
    run("submit", cast.lead_manager)
    run("start_review", cast.coordinator)
    message_post(
        project_id=project.pk, author=cast.lead_manager, body="We added the audience figures."
    )
    message_post(
        project_id=project.pk,
        author=cast.coordinator,
        body="Check the travel budget with Zagreb.",
        coordinators_only=True,
    )
    review(cast, project, cast.reviewer, scores=(8, 7))
    late = reviewer(username="late", first_name="Lena", last_name="Krause")
    services.review_assign(
        project_id=project.pk,
        reviewer=late,
        actor=cast.coordinator,
        due_date=timezone.localdate() + timedelta(days=3),
    )
    project.refresh_from_db()
    return project


def test_coordinator_reads_a_rich_proposal(live_server, site_tree, cast, page, output_dir):
    cast.coordinator.first_name, cast.coordinator.last_name = "Claire", "Martin"
    cast.coordinator.set_password("ensemble-demo")
    cast.coordinator.save()
    project = rich_proposal(cast)

    url = f"/admin/network/projects/inspect/{project.pk}/"
    log_in(page, live_server, "coordinator", "ensemble-demo", then=url)

    current = page.locator("[aria-current='step']")
    assert current.get_attribute("data-step") == ProjectState.UNDER_REVIEW
    assert "Current step" in current.inner_text()
    assert "Changes requested on" in page.locator("[data-step='submitted']").inner_text()

    # One review of two submitted, a second assigned: the coordinator waits for it.
    actions = page.locator("#actions-section")
    assert "Waiting for the reviews (1 of 2 submitted)" in actions.inner_text()

    eligibility = page.locator("#eligibility-section").inner_text()
    assert "Submitted while the call accepted submissions" in eligibility
    budget = page.locator("#budget-section").inner_text()
    assert "Total (confirmed partners)" in budget and "24,000.00" in budget
    assert "Stages for all" in page.locator("#answers-section").inner_text()
    messages = page.locator("#messages-section").inner_text()
    assert "We added the audience figures." in messages and "Coordinators only" in messages
    assert "Lena Krause" in page.locator("#reviews-section").inner_text()
    screenshot(page, output_dir / "1-proposal-page.png")
    assert_accessible(page)

    # The header's "more" menu: the call's ranking and its bulk reviewer assignment.
    page.get_by_role("button", name="Actions").click()
    assert page.get_by_role("link", name="Assign reviewers for the whole call").is_visible()
    page.get_by_role("link", name="Ranking of the call").first.click()
    page.wait_for_url(f"**/admin/network/projects/ranking/{project.call_id}/")
