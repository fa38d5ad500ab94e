"""The coordinators' side of the workflow in the Wagtail admin: proposals, decisions, reviewers,
rankings. Every change goes through the workflow services; these tests drive the admin's pages."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import escape

from projects.models import JointProject
from tests.factories import (
    BudgetLineFactory,
    CallFactory,
    JointProjectFactory,
    MembershipFactory,
    PartnershipFactory,
    reviewer,
)
from tests.projects.conftest import messages_of
from tests.workflow.conftest import advance, build_ready, review
from workflow import services
from workflow.conditions import TransitionInput, failures
from workflow.models import Review, TransitionLog
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db


def inspect_url(project):
    return reverse("jointproject:inspect", args=[project.pk])


def transition_url(project, name):
    return reverse("jointproject:transition", args=[project.pk, name])


@pytest.fixture
def submitted(cast):
    return advance(cast, build_ready(cast), ProjectState.SUBMITTED)


@pytest.fixture
def under_review(cast):
    return advance(cast, build_ready(cast), ProjectState.UNDER_REVIEW)


# --- The list and the page -------------------------------------------------------------------


def test_a_coordinator_sees_the_list_of_proposals(admin_client, submitted):
    response = admin_client.get(reverse("jointproject:index"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Shared Stages" in content
    assert "SHS" in content
    assert submitted.call.title in content
    assert "Maison de la culture de Lyon" in content
    assert "Submitted" in content
    assert "24,000.00 EUR" in content  # 3 partners × (10,000 − 2,000)
    assert inspect_url(submitted) in content
    # Read-only: no add button, no edit or delete link.
    assert "Add joint project" not in content
    assert "/admin/network/projects/edit/" not in content


def test_the_list_filters_by_state_and_call_and_searches(admin_client, cast, submitted):
    other = JointProjectFactory(title="Dancing Borders", acronym="DAB", call=CallFactory())
    index = reverse("jointproject:index")
    content = admin_client.get(index, {"state": "submitted"}).content.decode()
    assert "Shared Stages" in content and "Dancing Borders" not in content
    content = admin_client.get(index, {"call": other.call_id}).content.decode()
    assert "Dancing Borders" in content and "Shared Stages" not in content
    content = admin_client.get(index, {"q": "dab"}).content.decode()
    assert "Dancing Borders" in content and "Shared Stages" not in content
    # The results alone, as the admin's search box fetches them while typing.
    response = admin_client.get(reverse("jointproject:index_results"), {"q": "shared"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Shared Stages" in content and "Dancing Borders" not in content


def test_the_proposal_page_shows_figures_partners_reviews_history_and_decisions(
    admin_client, cast, under_review
):
    review(cast, under_review, cast.reviewer, scores=(8, 7))
    response = admin_client.get(inspect_url(under_review))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Under review" in content
    # Figures: 3 × 10,000 costs, 3 × 8,000 requested, a rate of 80 %.
    assert "30,000.00 EUR" in content
    assert "24,000.00 EUR" in content
    assert "80.0 %" in content
    for centre in ("Maison de la culture de Lyon", "Centre culturel de Liège", "Kulturni centar"):
        assert escape(centre) in content
    # The review, with its weighted score (8 + 7 with weights of 1).
    assert "reviewer" in content
    assert "15" in content
    # The history names who did what.
    history = list(TransitionLog.objects.filter(project=under_review))
    assert any(log.transition == "start_review" for log in history)
    assert "Start the review" in content
    # The decisions the coordinator may take now, and nothing else.
    forms = {t["name"] for t in response.context["transitions"]}
    assert forms == {"request_changes", "approve", "reject"}
    assert transition_url(under_review, "approve") in content
    assert 'name="approve-awarded_amount"' in content
    assert 'name="approve-override_reason"' in content
    assert 'name="request_changes-resubmission_date"' in content
    assert response.context["assign_form"] is not None
    assert reverse("jointproject:ranking", args=[under_review.call_id]) in content


def test_no_add_edit_or_delete_view_exists(admin_client, submitted):
    for name, args in (("add", []), ("edit", [submitted.pk]), ("delete", [submitted.pk])):
        with pytest.raises(NoReverseMatch):
            reverse(f"jointproject:{name}", args=args)
    for path in ("new/", f"edit/{submitted.pk}/", f"delete/{submitted.pk}/"):
        response = admin_client.get(f"/admin/network/projects/{path}")
        assert response.status_code == 404


def test_admin_edit_links_to_a_project_lead_to_its_page(cast, submitted):
    from wagtail.admin.admin_url_finder import AdminURLFinder

    assert AdminURLFinder(cast.coordinator).get_edit_url(submitted) == inspect_url(submitted)
    assert AdminURLFinder(cast.lead_manager).get_edit_url(submitted) is None


# --- Decisions ---------------------------------------------------------------------------------


def test_a_coordinator_starts_the_review_and_approves(admin_client, cast, submitted):
    response = admin_client.post(transition_url(submitted, "start_review"), follow=True)
    assert response.redirect_chain[-1][0] == inspect_url(submitted)
    submitted.refresh_from_db()
    assert submitted.state == ProjectState.UNDER_REVIEW
    log = TransitionLog.objects.filter(project=submitted, transition="start_review").get()
    assert (log.actor, log.from_state, log.to_state) == (
        cast.coordinator,
        "submitted",
        "under_review",
    )
    assert any("is now “Under review”" in message for message in messages_of(response))

    review(cast, submitted, cast.reviewer)
    review(cast, submitted, cast.reviewer2)
    response = admin_client.post(
        transition_url(submitted, "approve"),
        {"approve-awarded_amount": "20000.00", "approve-comment": "A strong network."},
        follow=True,
    )
    submitted.refresh_from_db()
    assert submitted.state == ProjectState.APPROVED
    assert submitted.awarded_amount == Decimal("20000.00")
    log = TransitionLog.objects.filter(project=submitted, transition="approve").get()
    assert log.actor == cast.coordinator
    assert log.comment == "A strong network."
    assert log.payload["awarded_amount"] == "20000.00"
    assert any("is now “Approved”" in message for message in messages_of(response))
    # The page now offers the next step (start) instead of the decision.
    assert {t["name"] for t in response.context["transitions"]} == {"start", "terminate"}


def test_a_failing_approve_lists_every_failure(admin_client, under_review):
    amount = Decimal("999999.00")  # more than the requested grant; no review submitted
    expected = failures("project", "approve", under_review, TransitionInput(awarded_amount=amount))
    assert {f.code for f in expected} >= {"min_reviews", "awarded_amount", "below_threshold"}

    response = admin_client.post(
        transition_url(under_review, "approve"),
        {"approve-awarded_amount": str(amount)},
        follow=True,
    )
    [message] = messages_of(response)
    for failure in expected:
        assert escape(str(failure.message)) in message
    under_review.refresh_from_db()
    assert under_review.state == ProjectState.UNDER_REVIEW
    assert under_review.awarded_amount is None
    assert not TransitionLog.objects.filter(project=under_review, transition="approve").exists()


def test_an_override_reason_approves_a_proposal_below_the_threshold(
    admin_client, cast, under_review
):
    review(cast, under_review, cast.reviewer, scores=(3, 3))
    review(cast, under_review, cast.reviewer2, scores=(4, 3))
    url = transition_url(under_review, "approve")
    admin_client.post(url, {"approve-awarded_amount": "10000"})
    under_review.refresh_from_db()
    assert under_review.state == ProjectState.UNDER_REVIEW
    admin_client.post(
        url,
        {"approve-awarded_amount": "10000", "approve-override_reason": "Unique in its region."},
    )
    under_review.refresh_from_db()
    assert under_review.state == ProjectState.APPROVED
    log = TransitionLog.objects.get(project=under_review, transition="approve")
    assert log.payload["override_reason"] == "Unique in its region."


def test_rejecting_needs_a_comment(admin_client, under_review):
    response = admin_client.post(transition_url(under_review, "reject"), follow=True)
    [message] = messages_of(response)
    assert "A comment explaining the decision is required." in message
    under_review.refresh_from_db()
    assert under_review.state == ProjectState.UNDER_REVIEW

    admin_client.post(transition_url(under_review, "reject"), {"reject-comment": "Out of scope."})
    under_review.refresh_from_db()
    assert under_review.state == ProjectState.REJECTED


def test_request_changes_sets_the_resubmission_date(admin_client, under_review):
    admin_client.post(
        transition_url(under_review, "request_changes"),
        {
            "request_changes-comment": "Add a partner from another country.",
            "request_changes-resubmission_date": "2099-05-31",
        },
    )
    under_review.refresh_from_db()
    assert under_review.state == ProjectState.CHANGES_REQUESTED
    # The end of that day, in the network's time zone (Europe/Brussels).
    local = timezone.localtime(under_review.resubmission_date)
    assert (local.date().isoformat(), local.time().isoformat()) == ("2099-05-31", "23:59:59")


def test_a_transition_from_the_wrong_state_is_an_error_message(admin_client, under_review):
    response = admin_client.post(transition_url(under_review, "start_review"), follow=True)
    [message] = messages_of(response)
    assert "was not possible" in message
    under_review.refresh_from_db()
    assert under_review.state == ProjectState.UNDER_REVIEW


def test_a_lead_transition_is_refused_to_the_coordinator(admin_client, under_review):
    response = admin_client.post(transition_url(under_review, "withdraw"))
    # NotPermitted → PermissionDenied → Wagtail's "no permission" redirect to the dashboard.
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    under_review.refresh_from_db()
    assert under_review.state == ProjectState.UNDER_REVIEW


def test_an_unknown_transition_is_not_found(admin_client, under_review):
    response = admin_client.post(transition_url(under_review, "fly_away"))
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["lead_manager", "partner_manager", "lead_staff", "reviewer"])
def test_the_proposals_admin_is_refused_to_members_and_reviewers(client, cast, submitted, who):
    client.force_login(getattr(cast, who))
    for url in (
        reverse("jointproject:index"),
        inspect_url(submitted),
        reverse("jointproject:ranking", args=[submitted.call_id]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    response = client.post(transition_url(submitted, "start_review"))
    assert response["Location"].startswith("/accounts/login/")
    submitted.refresh_from_db()
    assert submitted.state == ProjectState.SUBMITTED


# --- Reviewers -----------------------------------------------------------------------------------


def test_a_coordinator_assigns_a_reviewer(admin_client, cast, submitted):
    url = reverse("jointproject:assign_reviewer", args=[submitted.pk])
    response = admin_client.post(
        url, {"assign-reviewer": cast.reviewer.pk, "assign-due_date": "2099-01-15"}, follow=True
    )
    review_ = Review.objects.get(project=submitted, reviewer=cast.reviewer)
    assert review_.assigned_by == cast.coordinator
    assert review_.due_date.isoformat() == "2099-01-15"
    assert any("will review" in message for message in messages_of(response))
    # The page no longer offers the assigned reviewer.
    choices = response.context["assign_form"].fields["reviewer"].queryset
    assert cast.reviewer not in choices
    assert cast.reviewer2 in choices


def test_assigning_a_reviewer_with_a_conflict_of_interest_shows_the_conflict(
    admin_client, cast, submitted
):
    conflicted = reviewer(username="conflicted", first_name="Ana", last_name="Horvat")
    MembershipFactory(centre=cast.partner2_centre, user=conflicted, role="staff")
    page = admin_client.get(inspect_url(submitted)).content.decode()
    assert escape("Works for Kulturni centar Zagreb, a centre of this project") in page
    assert f'<option value="{conflicted.pk}"' not in page

    response = admin_client.post(
        reverse("jointproject:assign_reviewer", args=[submitted.pk]),
        {"assign-reviewer": conflicted.pk},
        follow=True,
    )
    [message] = messages_of(response)
    assert "Ana Horvat works for a centre of this project and cannot review it." in message
    assert not Review.objects.filter(reviewer=conflicted).exists()


# --- Ranking --------------------------------------------------------------------------------------


def test_the_ranking_lists_the_call_proposals_best_first(admin_client, cast):
    projects = {}
    for title, scores in (("Middle", (6, 6)), ("Best", (9, 9)), ("Unreviewed", None)):
        project = build_ready(cast)
        JointProject.objects.filter(pk=project.pk).update(title=title, acronym=title[:3].upper())
        advance(cast, project, ProjectState.UNDER_REVIEW)
        if scores:
            review(cast, project, cast.reviewer, scores=scores)
            review(cast, project, cast.reviewer2, scores=scores)
        projects[title] = project

    response = admin_client.get(reverse("jointproject:ranking", args=[cast.call.pk]))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row["title"] for row in rows] == ["Best", "Middle", "Unreviewed"]
    assert [row["mean_score"] for row in rows] == [Decimal("18.00"), Decimal("12.00"), None]
    assert [row["cumulative_requested"] for row in rows] == [
        Decimal("24000.00"),
        Decimal("48000.00"),
        Decimal("72000.00"),
    ]
    content = response.content.decode()
    assert content.index(inspect_url(projects["Best"])) < content.index(
        inspect_url(projects["Middle"])
    )
    assert content.index(inspect_url(projects["Middle"])) < content.index(
        inspect_url(projects["Unreviewed"])
    )
    assert "24,000.00 EUR" in content and "72,000.00 EUR" in content


def test_the_call_list_links_to_the_ranking(admin_client, cast):
    content = admin_client.get(reverse("call:index")).content.decode()
    assert reverse("jointproject:ranking", args=[cast.call.pk]) in content


# --- Query counts --------------------------------------------------------------------------------


def make_projects(count):
    for _ in range(count):
        project = JointProjectFactory(state=ProjectState.SUBMITTED)
        partner = PartnershipFactory(project=project)
        for partnership in (project.partnerships.get(role="lead"), partner):
            BudgetLineFactory(partnership=partnership)
            BudgetLineFactory(partnership=partnership, amount=Decimal("2500.00"))


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_project_list_runs_a_fixed_number_of_queries(admin_client):
    url = reverse("jointproject:index")
    make_projects(3)
    count_queries(admin_client, url)  # warm per-process caches
    small = count_queries(admin_client, url)
    make_projects(30)
    large = count_queries(admin_client, url)
    assert large == small, f"{small} queries for 3 projects, {large} for 33"
    # Filtering and searching do not change that either.
    assert count_queries(admin_client, f"{url}?state=submitted&q=shared") == small


def test_the_proposal_page_runs_a_fixed_number_of_queries(admin_client, cast, under_review):
    """However many reviews, scores and log rows, a fixed number of queries (Wagtail's admin chrome,
    the session and roles, the proposal with partners and budgets, the reviews with their
    weighted totals, the criteria with the per-review scores, the history, the messages, the
    assign form's reviewers and conflicts): 20 — the issue's ceiling — where the reviews and the
    score once took six queries instead of two and the roles two instead of one."""
    url = inspect_url(under_review)
    review(cast, under_review, reviewer(), scores=(8, 7))
    count_queries(admin_client, url)  # warm per-process caches
    small = count_queries(admin_client, url)
    for scores in ((3, 9), (10, 10), (0, 4)):
        review(cast, under_review, reviewer(), scores=scores)
    services.review_assign(project_id=under_review.pk, reviewer=reviewer(), actor=cast.coordinator)
    large = count_queries(admin_client, url)
    assert large == small == 20, f"{small} queries with 1 review, {large} with 5"


def test_the_proposal_page_shows_the_same_scores_as_the_models(cast, under_review):
    from workflow.selectors import project_reviews_with_score, project_score

    for scores in ((8, 7), (3, 9)):
        review(cast, under_review, reviewer(), scores=scores)
    services.review_assign(project_id=under_review.pk, reviewer=reviewer(), actor=cast.coordinator)
    reviews, score = project_reviews_with_score(under_review)
    assert score == project_score(under_review)
    assert [r.pk for r in reviews] == [r.pk for r in under_review.reviews.all()]
    assert [r.weighted_total for r in reviews] == [r.weighted_score for r in reviews]
    assert reviews[-1].weighted_total == 0  # assigned, nothing scored yet
