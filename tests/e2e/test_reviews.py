"""A reviewer works in the workspace, in a real browser: the list of assigned reviews, a
review's page, a refused score, a draft, an incomplete submit, the submit, the other reviews;
and a conflict of interest declared. axe-core finds no serious or critical violation on the
list and on the review page, errors included."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, log_in
from tests.workflow.conftest import advance, build_ready
from workflow import services
from workflow.models import Review
from workflow.states import ProjectState, ReviewState

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery"  # UserFactory's default


def submitted_with_reviews(cast):
    """A submitted proposal, assigned to `reviewer` (due in ten days) and to `reviewer2`, who
    has already submitted a review."""
    project = advance(cast, build_ready(cast), ProjectState.SUBMITTED)
    mine = services.review_assign(
        project_id=project.pk,
        reviewer=cast.reviewer,
        actor=cast.coordinator,
        due_date=timezone.localdate() + timedelta(days=10),
    )
    theirs = services.review_assign(
        project_id=project.pk, reviewer=cast.reviewer2, actor=cast.coordinator
    )
    criteria = list(cast.call.criteria.all())
    services.review_score(
        review_id=theirs.pk,
        actor=cast.reviewer2,
        scores=[
            {"criterion": criteria[0].pk, "score": 6, "comment": "Sound artistic plan."},
            {"criterion": criteria[1].pk, "score": 4, "comment": "Reach stays local."},
        ],
        comment="Fund it if the budget allows.",
    )
    services.review_transition(review_id=theirs.pk, name="submit", actor=cast.reviewer2)
    return project, mine


def test_a_reviewer_scores_and_submits_a_review(live_server, site_tree, cast, page, output_dir):
    project, review = submitted_with_reviews(cast)
    log_in(page, live_server, "reviewer", PASSWORD, then="/workspace/reviews/")

    expect(page.get_by_role("heading", level=1)).to_have_text("My reviews")
    row = page.get_by_role("row", name="Shared Stages")
    expect(row).to_contain_text("State: Assigned")
    expect(row).to_contain_text(project.call.title)
    page.screenshot(path=output_dir / "1-list.png", full_page=True)
    assert_accessible(page)

    row.get_by_role("link", name="Shared Stages (SHS)").click()
    page.wait_for_url(f"{live_server.url}/workspace/reviews/{review.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Shared Stages")
    expect(page.get_by_role("region", name="Partners").first).to_contain_text("Croatia")
    # The other review stays hidden until mine is submitted.
    expect(page.locator("body")).not_to_contain_text("Reach stays local.")
    page.screenshot(path=output_dir / "2-review.png", full_page=True)
    assert_accessible(page)

    # Above the maximum: refused next to the field and in the summary, nothing saved.
    quality = page.get_by_label("Score for “Quality”")
    reach = page.get_by_label("Score for “Reach”")
    quality.fill("12")
    page.get_by_label("Comment on “Quality” (optional)").fill("Clear, ambitious aims.")
    page.get_by_role("button", name="Save the draft").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Enter a whole number from 0 to 10.")
    expect(quality).to_have_attribute("aria-invalid", "true")
    expect(quality).to_have_value("12")
    page.screenshot(path=output_dir / "3-out-of-bounds.png", full_page=True)
    assert_accessible(page)
    assert not Review.objects.get(pk=review.pk).scores.exists()
    # The summary's link leads to the field.
    alert.get_by_role("link").first.click()
    expect(quality).to_be_focused()

    # A draft: one score.
    quality.fill("8")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_role("status")).to_contain_text("Your draft is saved.")
    expect(quality).to_have_value("8")
    expect(page.get_by_role("complementary")).to_contain_text("Draft saved")

    # Submitting with a criterion unscored lists it; nothing changes.
    page.get_by_role("button", name="Submit the review").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("“Submit the review” was not possible yet")
    expect(alert.get_by_role("listitem")).to_have_count(1)
    expect(alert).to_contain_text("“Reach” has no score.")
    expect(reach).to_have_attribute("aria-invalid", "true")
    page.screenshot(path=output_dir / "4-incomplete.png", full_page=True)
    assert_accessible(page)

    reach.fill("7")
    page.get_by_label("Overall comment (optional)").fill("A strong consortium.")
    page.get_by_role("button", name="Submit the review").click()
    expect(page.get_by_role("status")).to_contain_text("Your review is submitted.")
    expect(page.locator(".state-note")).to_contain_text("You submitted this review on")
    others = page.locator("section", has=page.get_by_role("heading", name="The other reviews"))
    expect(others.get_by_role("heading", name="Reviewer 1")).to_be_visible()
    expect(others).to_contain_text("Reach stays local.")
    expect(others).to_contain_text("Fund it if the budget allows.")
    expect(page.locator("body")).not_to_contain_text("reviewer2")
    page.screenshot(path=output_dir / "5-submitted.png", full_page=True)
    assert_accessible(page)
    review.refresh_from_db()
    assert review.state == ReviewState.SUBMITTED

    # Back on the list: submitted. On a phone nothing overflows sideways.
    page.get_by_role("link", name="My reviews").click()
    expect(page.get_by_role("row", name="Shared Stages")).to_contain_text("State: Submitted")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/workspace/reviews/{review.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=output_dir / "6-submitted-phone.png", full_page=True)


def test_a_reviewer_declares_a_conflict_of_interest(live_server, site_tree, cast, page, output_dir):
    _project, review = submitted_with_reviews(cast)
    log_in(page, live_server, "reviewer", PASSWORD, then=f"/workspace/reviews/{review.pk}/")

    # Without the declaration ticked: refused, with each error.
    page.get_by_role("button", name="Declare a conflict and decline").click()
    alert = page.get_by_role("alert")
    expect(alert.get_by_role("listitem")).to_have_count(2)
    expect(alert).to_contain_text("Tick the declaration to decline the review.")
    page.screenshot(path=output_dir / "1-conflict-refused.png", full_page=True)
    assert_accessible(page)

    page.get_by_label("I declare a conflict of interest").check()
    page.get_by_label("What is the conflict?").fill("I advised the Liège centre last year.")
    page.get_by_role("button", name="Declare a conflict and decline").click()
    expect(page.get_by_role("status")).to_contain_text("You declared a conflict of interest")
    expect(page.locator(".state-note")).to_contain_text("this review is declined")
    expect(page.get_by_role("button", name="Submit the review")).to_have_count(0)
    page.screenshot(path=output_dir / "2-declined.png", full_page=True)
    assert_accessible(page)
    review.refresh_from_db()
    assert review.state == ReviewState.DECLINED
