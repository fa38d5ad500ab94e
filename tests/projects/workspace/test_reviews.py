"""The reviewer's space (/workspace/reviews/): the list, a review's page for its reviewer only,
scoring within bounds, draft then submit, the conflict-of-interest declaration, other reviews
hidden until one's own is submitted and anonymous after, query counts."""

import re
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import JointProjectFactory, reviewer
from tests.factories.auth import verified_login
from tests.workflow.conftest import advance, build_ready
from workflow import services
from workflow.models import Review, ReviewScore, TransitionLog
from workflow.states import ProjectState, ReviewState

pytestmark = pytest.mark.django_db


def text(response):
    """The page's visible text, tags removed and whitespace collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()


def summary_items(response):
    """The error summary's items: (code, text)."""
    body = response.content.decode()
    summary = re.search(r'<div class="error-summary".*?</div>', body, flags=re.S)
    assert summary, "no error summary"
    return [
        (code, re.sub(r"<[^>]+>", "", item).strip())
        for code, item in re.findall(r'<li data-code="([^"]*)">(.*?)</li>', summary.group(0), re.S)
    ]


def login(client, user):
    verified_login(client, user)
    return client


def review_url(review):
    return reverse("workspace:review", args=[review.pk])


def conflict_url(review):
    return reverse("workspace:review_conflict", args=[review.pk])


@pytest.fixture
def project(cast):
    project = build_ready(cast)
    project.description = "Three stages, one season: a shared programme of new work."
    project.save(update_fields=["description"])
    return advance(cast, project, ProjectState.SUBMITTED)


@pytest.fixture
def criteria(cast):
    return {c.name: c for c in cast.call.criteria.all()}


def assign(cast, project, user, due_date=None):
    return services.review_assign(
        project_id=project.pk, reviewer=user, actor=cast.coordinator, due_date=due_date
    )


def scores_data(criteria, action="save", comment="", **scores):
    """The scoring form's POST: scores by criterion name (Quality=8), blank when not given."""
    data = {"action": action, "comment": comment}
    for name, criterion in criteria.items():
        data[f"score_{criterion.pk}"] = str(scores.get(name, ""))
        data[f"comment_{criterion.pk}"] = ""
    return data


def submit_as(cast, review, user, criteria, scores, comment=""):
    services.review_score(
        review_id=review.pk,
        actor=user,
        scores=[
            {"criterion": criteria[name].pk, "score": score, "comment": f"{name}: {comment}"}
            for name, score in scores.items()
        ],
        comment=comment,
    )
    services.review_transition(review_id=review.pk, name="submit", actor=user)


# --- Who sees a review's page ----------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["lead_manager", "lead_staff", "partner_manager", "other_manager", "reviewer2"]
)
def test_only_the_assigned_reviewer_sees_a_review(client, cast, project, criteria, who):
    review = assign(cast, project, cast.reviewer)
    assign(cast, project, cast.reviewer2)  # reviewer2 is assigned to the same proposal
    login(client, getattr(cast, who))

    assert client.get(review_url(review)).status_code == 404
    response = client.post(review_url(review), scores_data(criteria, "submit", Quality=8, Reach=7))
    assert response.status_code == 404
    response = client.post(conflict_url(review), {"declaration": "on", "reason": "Mine now."})
    assert response.status_code == 404

    review.refresh_from_db()
    assert review.state == ReviewState.ASSIGNED
    assert not review.scores.exists()


def test_a_coordinator_does_not_use_a_reviewers_page(client, cast, project):
    review = assign(cast, project, cast.reviewer)
    login(client, cast.coordinator)
    assert client.get(review_url(review)).status_code == 404


def test_a_visitor_is_sent_to_log_in(client, cast, project):
    review = assign(cast, project, cast.reviewer)
    for url in (reverse("workspace:reviews"), review_url(review)):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_the_review_page_shows_the_proposal_as_a_reviewer_reads_it(client, cast, project):
    review = assign(cast, project, cast.reviewer, due_date=timezone.localdate() + timedelta(9))
    login(client, cast.reviewer)

    response = client.get(review_url(review))

    assert response.status_code == 200
    page = text(response)
    assert "Shared Stages" in page
    assert "Three centres share their stages." in page  # the summary
    assert "a shared programme of new work" in page  # the description
    # The consortium with its countries, and the budget figures.
    for name in ("Maison de la culture de Lyon", "Centre culturel de Liège", "Kulturni centar"):
        assert name in page
    assert "France" in page and "Belgium" in page and "Croatia" in page
    assert "30,000.00" in page  # total cost: three partners × 10,000
    assert "24,000.00" in page  # requested grant: three × (10,000 − 2,000)
    assert "80.0 %" in page
    # One score field per criterion, with its bounds.
    assert 'name="score_' in response.content.decode()
    assert 'max="10"' in response.content.decode()
    assert "Score for “Quality”" in page and "Score for “Reach”" in page
    assert "Not started yet." in page


# --- Scoring ----------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["11", "-1", "7.5", "ten"])
def test_a_score_out_of_bounds_is_refused_and_nothing_is_saved(
    client, cast, project, criteria, bad
):
    review = assign(cast, project, cast.reviewer)
    login(client, cast.reviewer)

    response = client.post(
        review_url(review),
        scores_data(criteria, "save", comment="Solid plan.", Quality=bad, Reach=7),
    )

    assert response.status_code == 400
    assert summary_items(response) == [("invalid", "Enter a whole number from 0 to 10.")]
    body = response.content.decode()
    quality = f"review-score_{criteria['Quality'].pk}"
    # The message sits next to the field, which points at it; the summary leads to it.
    assert f'id="{quality}_error"' in body
    field = re.search(rf'<input[^>]*id="{quality}"[^>]*>', body).group(0)
    assert 'aria-invalid="true"' in field and f"{quality}_error" in field
    assert f'href="#{quality}"' in body
    # What was typed is kept; nothing is saved.
    assert f'value="{bad}"' in field
    assert "Solid plan." in body
    assert not ReviewScore.objects.filter(review=review).exists()
    review.refresh_from_db()
    assert review.comment == ""
    assert review.state == ReviewState.ASSIGNED


def test_a_draft_is_saved_then_the_review_submitted(client, cast, project, criteria):
    review = assign(cast, project, cast.reviewer)
    login(client, cast.reviewer)

    data = scores_data(criteria, "save", comment="Promising.", Quality=8)
    data[f"comment_{criteria['Quality'].pk}"] = "Clear aims."
    response = client.post(review_url(review), data)

    assert response.status_code == 302
    assert response["Location"] == review_url(review)
    review.refresh_from_db()
    assert review.state == ReviewState.ASSIGNED
    assert review.comment == "Promising."
    assert [(s.criterion.name, s.score, s.comment) for s in review.scores.all()] == [
        ("Quality", 8, "Clear aims.")
    ]
    page = client.get(review_url(review))
    assert "Your draft is saved." in text(page)
    assert "Draft saved" in text(page)
    field = re.search(
        rf'<input[^>]*id="review-score_{criteria["Quality"].pk}"[^>]*>', page.content.decode()
    ).group(0)
    assert 'value="8"' in field

    response = client.post(
        review_url(review), scores_data(criteria, "submit", comment="Fund it.", Quality=9, Reach=6)
    )

    assert response.status_code == 302
    review.refresh_from_db()
    assert review.state == ReviewState.SUBMITTED
    assert review.submitted_at is not None
    assert review.comment == "Fund it."
    assert sorted(review.scores.values_list("score", flat=True)) == [6, 9]
    assert (
        TransitionLog.objects.filter(
            content_type=ContentType.objects.get_for_model(Review), object_id=review.pk
        )
        .values_list("transition", flat=True)
        .last()
        == "submit"
    )
    page = text(client.get(review_url(review)))
    assert "Your review is submitted." in page
    assert "You submitted this review on" in page
    assert "9 of 10" in page and "6 of 10" in page
    assert "Submit the review" not in page  # no form any more


def test_a_saved_score_cannot_be_emptied(client, cast, project, criteria):
    review = assign(cast, project, cast.reviewer)
    login(client, cast.reviewer)
    client.post(review_url(review), scores_data(criteria, "save", Quality=8))

    response = client.post(review_url(review), scores_data(criteria, "save", Reach=5))

    assert response.status_code == 400
    assert [code for code, _ in summary_items(response)] == ["invalid"]
    assert "A saved score can be changed but not removed" in text(response)
    assert [(s.criterion.name, s.score) for s in review.scores.all()] == [("Quality", 8)]


def test_an_incomplete_submit_lists_every_missing_criterion(client, cast, project, criteria):
    review = assign(cast, project, cast.reviewer)
    login(client, cast.reviewer)

    response = client.post(
        review_url(review), scores_data(criteria, "submit", comment="Almost there.")
    )

    assert response.status_code == 422
    assert summary_items(response) == [
        ("scores_incomplete", "“Quality” has no score."),
        ("scores_incomplete", "“Reach” has no score."),
    ]
    body = response.content.decode()
    for criterion in criteria.values():
        anchor = f"review-score_{criterion.pk}"
        assert f'href="#{anchor}"' in body
        assert f'id="{anchor}_error"' in body
    assert "Score this criterion before submitting." in body
    assert "Almost there." in body  # the overall comment typed is still in the form
    review.refresh_from_db()
    assert review.state == ReviewState.ASSIGNED
    assert review.comment == ""  # nothing saved


def test_an_incomplete_submit_with_a_saved_draft_lists_only_what_is_missing(
    client, cast, project, criteria
):
    review = assign(cast, project, cast.reviewer)
    login(client, cast.reviewer)
    client.post(review_url(review), scores_data(criteria, "save", Quality=8))

    response = client.post(review_url(review), scores_data(criteria, "submit", Quality=9))

    assert response.status_code == 422
    assert summary_items(response) == [("scores_incomplete", "“Reach” has no score.")]
    # Nothing saved: the draft keeps its 8, not the 9 sent with the refused submit.
    assert list(review.scores.values_list("score", flat=True)) == [8]


def test_a_submitted_review_cannot_be_changed(client, cast, project, criteria):
    review = assign(cast, project, cast.reviewer)
    login(client, cast.reviewer)
    client.post(review_url(review), scores_data(criteria, "submit", Quality=8, Reach=7))

    response = client.post(review_url(review), scores_data(criteria, "save", Quality=1, Reach=1))

    assert response.status_code == 409
    assert summary_items(response) == [
        ("wrong_state", "This review is submitted: it can no longer be changed.")
    ]
    assert sorted(review.scores.values_list("score", flat=True)) == [7, 8]
    response = client.post(conflict_url(review), {"declaration": "on", "reason": "Too late."})
    assert response.status_code == 409
    review.refresh_from_db()
    assert review.state == ReviewState.SUBMITTED


# --- Conflict of interest ---------------------------------------------------------------------


def test_declaring_a_conflict_declines_the_review(client, cast, project, criteria):
    review = assign(cast, project, cast.reviewer)
    login(client, cast.reviewer)

    response = client.post(
        conflict_url(review),
        {"declaration": "on", "reason": "I advised the Liège centre last year."},
    )

    assert response.status_code == 302
    review.refresh_from_db()
    assert review.state == ReviewState.DECLINED
    assert review.conflict_declared
    log = TransitionLog.objects.get(
        content_type=ContentType.objects.get_for_model(Review),
        object_id=review.pk,
        transition="decline",
    )
    assert log.comment == "I advised the Liège centre last year."
    assert log.actor == cast.reviewer
    page = text(client.get(review_url(review)))
    assert "You declared a conflict of interest: this review is declined." in page
    assert "I advised the Liège centre last year." in page  # in the review's own history
    assert "Submit the review" not in page
    # No scoring after a declined review.
    response = client.post(review_url(review), scores_data(criteria, "save", Quality=8))
    assert response.status_code == 409
    assert not review.scores.exists()


def test_a_conflict_needs_the_declaration_and_a_reason(client, cast, project):
    review = assign(cast, project, cast.reviewer)
    login(client, cast.reviewer)

    response = client.post(conflict_url(review), {"reason": ""})

    assert response.status_code == 400
    assert [message for _, message in summary_items(response)] == [
        "Tick the declaration to decline the review.",
        "Say briefly what the conflict is.",
    ]
    body = response.content.decode()
    assert 'href="#conflict-declaration"' in body and 'href="#conflict-reason"' in body
    review.refresh_from_db()
    assert review.state == ReviewState.ASSIGNED


# --- Other reviews ----------------------------------------------------------------------------


def test_other_reviews_are_hidden_until_mine_is_submitted_then_anonymous(
    client, cast, project, criteria
):
    cast.reviewer2.first_name, cast.reviewer2.last_name = "Zoë", "Vandermeersch"
    cast.reviewer2.save()
    third = reviewer(username="reviewer3", first_name="Oskar", last_name="Lindqvist")
    mine = assign(cast, project, cast.reviewer)
    theirs = assign(cast, project, cast.reviewer2)
    submit_as(cast, theirs, cast.reviewer2, criteria, {"Quality": 3, "Reach": 4}, "Weak reach.")
    # A third reviewer's draft is never shown, submitted or not.
    draft = assign(cast, project, third)
    services.review_score(
        review_id=draft.pk,
        actor=third,
        scores=[{"criterion": criteria["Quality"].pk, "score": 1, "comment": "Unfinished"}],
        comment="Draft thoughts.",
    )
    login(client, cast.reviewer)

    before = client.get(review_url(mine))
    page = text(before)
    assert "Weak reach." not in page
    assert "Reviewer 1" not in page
    assert "The other reviews are shown once you have submitted yours." in page

    client.post(review_url(mine), scores_data(criteria, "submit", Quality=8, Reach=7))
    after = client.get(review_url(mine))
    page = text(after)
    body = after.content.decode()

    assert "The other reviews" in page
    assert "Reviewer 1" in page
    assert "Reviewer 2" not in page  # one other submitted review
    assert "Weak reach." in page
    assert "3 of 10" in page and "4 of 10" in page
    assert "Draft thoughts." not in page and "Unfinished" not in page
    # Anonymous: nothing names the other reviewers.
    for revealing in ("reviewer2", "Zoë", "Vandermeersch", "reviewer3", "Oskar", "Lindqvist"):
        assert revealing not in body


def test_no_other_review_yet(client, cast, project, criteria):
    review = assign(cast, project, cast.reviewer)
    assign(cast, project, cast.reviewer2)
    login(client, cast.reviewer)
    client.post(review_url(review), scores_data(criteria, "submit", Quality=8, Reach=7))

    page = text(client.get(review_url(review)))

    assert "No other review of this proposal is submitted yet." in page


# --- The list ---------------------------------------------------------------------------------


def make_reviews(cast, count, *, user=None, state=ReviewState.ASSIGNED, start=0):
    """`count` proposals under review, each assigned to `user`, due 1, 2, ... days from now."""
    user = user or cast.reviewer
    today = timezone.localdate()
    reviews = []
    for i in range(start, start + count):
        project = JointProjectFactory(
            call=cast.call, state=ProjectState.UNDER_REVIEW, title=f"Proposal {i:02d}"
        )
        reviews.append(
            Review.objects.create(
                project=project, reviewer=user, state=state, due_date=today + timedelta(i + 1)
            )
        )
    return reviews


def list_titles(response):
    return re.findall(
        r'<th scope="row"><a href="[^"]+">([^<(]+?)(?: \(|</a>)', response.content.decode()
    )


def test_the_list_shows_my_reviews_latest_due_first(client, cast, project, criteria):
    mine = assign(cast, project, cast.reviewer)  # no due date: last
    make_reviews(cast, 3)
    make_reviews(cast, 2, user=cast.reviewer2, start=10)  # someone else's
    login(client, cast.reviewer)
    client.post(review_url(mine), scores_data(criteria, "save", Quality=5))

    response = client.get(reverse("workspace:reviews"))

    assert response.status_code == 200
    assert list_titles(response) == ["Proposal 02", "Proposal 01", "Proposal 00", "Shared Stages"]
    page = text(response)
    assert "Proposal 10" not in page
    assert "Draft saved" in page
    assert page.count("State: Assigned") == 4
    assert f'href="{review_url(mine)}"' in response.content.decode()


def test_the_list_is_filtered_by_state(client, cast):
    make_reviews(cast, 2)
    make_reviews(cast, 1, state=ReviewState.SUBMITTED, start=5)
    make_reviews(cast, 1, state=ReviewState.DECLINED, start=7)
    login(client, cast.reviewer)

    everything = client.get(reverse("workspace:reviews"))
    assert len(list_titles(everything)) == 4
    assert "Every state (4)" in text(everything)
    assert "Submitted (1)" in text(everything)

    submitted = client.get(reverse("workspace:reviews"), {"state": "submitted"})
    assert list_titles(submitted) == ["Proposal 05"]
    declined = client.get(reverse("workspace:reviews"), {"state": "declined"})
    assert list_titles(declined) == ["Proposal 07"]
    # An unknown state shows every review.
    assert len(list_titles(client.get(reverse("workspace:reviews"), {"state": "x"}))) == 4


def test_an_empty_list_says_so(client, cast):
    login(client, cast.reviewer)
    response = client.get(reverse("workspace:reviews"))
    assert "No proposal is assigned to you for review." in text(response)
    response = client.get(reverse("workspace:reviews"), {"state": "submitted"})
    assert "No review is in the state “Submitted”." in text(response)


def test_the_list_is_paginated_by_twenty(client, cast):
    make_reviews(cast, 23)
    login(client, cast.reviewer)

    first = client.get(reverse("workspace:reviews"))
    second = client.get(reverse("workspace:reviews"), {"page": 2})

    assert len(list_titles(first)) == 20
    assert list_titles(first)[0] == "Proposal 22"
    assert list_titles(second) == ["Proposal 02", "Proposal 01", "Proposal 00"]
    assert "Page 1 of 2" in text(first) and "Next page" in text(first)
    assert "Page 2 of 2" in text(second) and "Previous page" in text(second)
    # Out of range: the last page.
    assert list_titles(client.get(reverse("workspace:reviews"), {"page": 9})) == list_titles(second)


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_list_runs_the_same_queries_for_2_and_12_reviews(client, cast):
    login(client, cast.reviewer)
    url = reverse("workspace:reviews")
    make_reviews(cast, 2)
    client.get(url)  # warm: content types, the session
    small = queries_for(client, url)
    make_reviews(cast, 10, start=2)
    large = queries_for(client, url)
    assert large == small
    assert small <= 6


def test_the_review_page_runs_the_same_queries_whatever_the_other_reviews(
    client, cast, project, criteria
):
    def another_review(i):
        other = assign(cast, project, reviewer(username=f"expert{i}"))
        submit_as(cast, other, other.reviewer, criteria, {"Quality": 5, "Reach": 5}, "Fine.")

    review = assign(cast, project, cast.reviewer)
    another_review(0)
    login(client, cast.reviewer)
    client.post(review_url(review), scores_data(criteria, "submit", Quality=8, Reach=7))
    client.get(review_url(review))  # warm
    small = queries_for(client, review_url(review))
    for i in range(1, 4):
        another_review(i)
    large = queries_for(client, review_url(review))
    assert large == small
    assert "Reviewer 4" in text(client.get(review_url(review)))
