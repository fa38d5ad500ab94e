"""The ranking of a call: its arithmetic (by hand), its pages, its upkeep, its fixed query count.

The ranking reads materialised scores (workflow.models.ProposalScore); these tests check the
numbers against hand computations, that every change which moves them refreshes them in the
same transaction, and that a page costs the same number of queries at any size."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.pagination import PageNumberPagination
from rest_framework.test import APIClient

from projects.admin.ranking import CallRankingView
from projects.models import JointProject
from tests.factories import (
    AwardCriterionFactory,
    BudgetLineFactory,
    CallFactory,
    JointProjectFactory,
    PartnershipFactory,
    UserFactory,
    coordinator,
    reviewer,
)
from tests.factories.auth import verified_login
from tests.workflow.conftest import BUDGET, advance, build_ready, review
from workflow import services
from workflow.models import ProposalScore, Review, ReviewScore
from workflow.selectors import call_ranking, call_ranking_rows, project_score, ranking_rows
from workflow.services.ranking import ranking_refresh
from workflow.states import PartnershipState, ProjectState, ReviewState

pytestmark = pytest.mark.django_db


# --- A call computed by hand ---------------------------------------------------------------------


def _project(call, title, *, lead_lines, lead_own, state=ProjectState.UNDER_REVIEW):
    project = JointProjectFactory(call=call, title=title, acronym=title[:3].upper(), state=state)
    lead = project.partnerships.get()
    lead.own_contribution = lead_own
    lead.save()
    for amount in lead_lines:
        BudgetLineFactory(partnership=lead, amount=amount)
    return project


def _reviews(project, criteria, *marks):
    """One submitted review per (quality, reach) pair, by a new reviewer each."""
    for quality, reach in marks:
        r = Review.objects.create(
            project=project, reviewer=UserFactory(), state=ReviewState.SUBMITTED
        )
        for criterion, score in zip(criteria, (quality, reach), strict=True):
            ReviewScore.objects.create(review=r, criterion=criterion, score=score)


@pytest.fixture
def by_hand():
    """Quality (weight 1.5, threshold 6) and Reach (weight 0.25, threshold 4), overall 10,
    budget 20,000 EUR. By hand:

    - B: quality 9, 9, 8 → 26/3; reach 3, 2, 2 → 7/3 (below 4).
      26/3 × 1.5 + 7/3 × 0.25 = 13 + 0.58333… = 13.58; requests 10,000 + 2,500 − 2,000 = 10,500.
    - C: quality 8, 7 → 7.5; reach 6, 5 → 5.5. 7.5 × 1.5 + 5.5 × 0.25 = 11.25 + 1.375 = 12.625,
      rounded half-up 12.63, above; requests 6,000 − 1,000 = 5,000 (a declined partner's
      9,999 does not count).
    - A: the same reviews as C (12.63, above) but requests more: 7,000 − 0, plus a partner whose
      own contribution (3,000) exceeds its costs (1,000), which counts 0: 7,000.
    - D: no submitted review (one only assigned): no score, below; requests 4,000.
    - A draft is not ranked.

    Order: B (13.58), C (12.63, smaller request), A (12.63), D (none). Cumulative: 10,500,
    15,500, 22,500, 26,500: B and C within the budget, A and D beyond it.
    """
    call = CallFactory(budget=Decimal("20000.00"), overall_threshold=Decimal("10"))
    quality = AwardCriterionFactory(
        call=call, name="Quality", weight=Decimal("1.5"), threshold=6, sort_order=0
    )
    reach = AwardCriterionFactory(
        call=call, name="Reach", weight=Decimal("0.25"), threshold=4, sort_order=1
    )
    criteria = [quality, reach]
    b = _project(call, "Bravo", lead_lines=[Decimal("10000"), Decimal("2500")], lead_own=2000)
    _reviews(b, criteria, (9, 3), (9, 2), (8, 2))
    c = _project(call, "Charlie", lead_lines=[Decimal("6000")], lead_own=1000)
    declined = PartnershipFactory(project=c, state=PartnershipState.DECLINED)
    BudgetLineFactory(partnership=declined, amount=Decimal("9999"))
    _reviews(c, criteria, (8, 6), (7, 5))
    a = _project(call, "Alpha", lead_lines=[Decimal("7000")], lead_own=0)
    generous = PartnershipFactory(project=a, own_contribution=Decimal("3000"))
    BudgetLineFactory(partnership=generous, amount=Decimal("1000"))
    _reviews(a, criteria, (8, 6), (7, 5))
    d = _project(call, "Delta", lead_lines=[Decimal("4000")], lead_own=0)
    Review.objects.create(project=d, reviewer=UserFactory())  # assigned, not submitted
    _project(call, "Draft", lead_lines=[Decimal("1")], lead_own=0, state=ProjectState.DRAFT)
    # Written around the services, like the bulk demo: refreshed once, as seed_demo does.
    ranking_refresh(call_ids=[call.pk])
    return call, {"A": a, "B": b, "C": c, "D": d}


EXPECTED = [
    # title, mean, above, reviews, requested, cumulative, within budget
    ("Bravo", Decimal("13.58"), False, 3, Decimal("10500.00"), Decimal("10500.00"), True),
    ("Charlie", Decimal("12.63"), True, 2, Decimal("5000.00"), Decimal("15500.00"), True),
    ("Alpha", Decimal("12.63"), True, 2, Decimal("7000.00"), Decimal("22500.00"), False),
    ("Delta", None, False, 0, Decimal("4000.00"), Decimal("26500.00"), False),
]


def _figures(row):
    return (
        row["title"],
        row["mean_score"],
        row["above_threshold"],
        row["reviews"],
        row["requested_grant"],
        row["cumulative_requested"],
        row["within_budget"],
    )


def test_the_ranking_matches_the_hand_computation(by_hand):
    call, projects = by_hand
    rows = call_ranking(call)
    assert [_figures(row) for row in rows] == EXPECTED
    assert [row["rank"] for row in rows] == [1, 2, 3, 4]
    # Only ranked proposals have a row; its figures are the live ones of the proposal's page and
    # of the model.
    assert set(ProposalScore.objects.values_list("project_id", flat=True)) == {
        project.pk for project in projects.values()
    }
    for project in projects.values():
        stored = ProposalScore.objects.get(project=project)
        live = project_score(project)
        assert (stored.mean_score, stored.above_threshold, stored.reviews) == (
            live.mean,
            live.above_threshold,
            live.reviews,
        )
        assert stored.requested_grant == project.requested_grant


def test_the_second_page_knows_the_first(by_hand):
    call, _ = by_hand
    second = ranking_rows(call, call_ranking_rows(call)[2:4])
    assert [_figures(row) for row in second] == EXPECTED[2:]
    assert [row["rank"] for row in second] == [3, 4]


def test_the_api_pages_carry_the_running_total(by_hand, monkeypatch):
    call, projects = by_hand
    monkeypatch.setattr(PageNumberPagination, "page_size", 2)
    api = APIClient()
    api.force_authenticate(coordinator())
    url = f"/api/v1/calls/{call.pk}/ranking/"

    first = api.get(url).json()
    assert first["count"] == 4 and first["previous"] is None
    assert first["next"].endswith(f"{url}?page=2")
    assert [(r["title"], r["cumulative_requested"]) for r in first["results"]] == [
        ("Bravo", "10500.00"),
        ("Charlie", "15500.00"),
    ]
    second = api.get(url, {"page": 2}).json()
    assert second["next"] is None and second["previous"].endswith(url)
    assert second["results"] == [
        {
            "rank": 3,
            "project": projects["A"].pk,
            "title": "Alpha",
            "acronym": "ALP",
            "state": "under_review",
            "reviews": 2,
            "mean_score": "12.63",
            "above_threshold": True,
            "requested_grant": "7000.00",
            "cumulative_requested": "22500.00",
            "within_budget": False,
            "awarded_amount": None,
        },
        {
            "rank": 4,
            "project": projects["D"].pk,
            "title": "Delta",
            "acronym": "DEL",
            "state": "under_review",
            "reviews": 0,
            "mean_score": None,
            "above_threshold": False,
            "requested_grant": "4000.00",
            "cumulative_requested": "26500.00",
            "within_budget": False,
            "awarded_amount": None,
        },
    ]
    assert (second["call"], second["budget"], second["overall_threshold"]) == (
        call.pk,
        "20000.00",
        "10.00",
    )
    assert api.get(url, {"page": 3}).status_code == 404


def test_the_api_ranking_is_for_coordinators_only(by_hand):
    call, _ = by_hand
    api = APIClient()
    api.force_authenticate(reviewer())
    assert api.get(f"/api/v1/calls/{call.pk}/ranking/").status_code == 403
    api.force_authenticate(coordinator(username="secretariat"))
    assert api.get("/api/v1/calls/999999/ranking/").status_code == 404


def admin_client():
    client = Client()
    verified_login(client, coordinator(username="admin-coordinator"))
    return client


def test_the_admin_ranking_is_paginated_with_the_same_numbers(by_hand, monkeypatch):
    call, projects = by_hand
    monkeypatch.setattr(CallRankingView, "per_page", 2)
    client = admin_client()
    url = reverse("jointproject:ranking", args=[call.pk])

    response = client.get(url, {"p": 2})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [_figures(row) for row in rows] == EXPECTED[2:]
    content = response.content.decode()
    assert "Page 2 of 2" in content
    assert "22,500.00 EUR" in content and "26,500.00 EUR" in content
    assert "Bravo" not in content  # on the first page only
    # Each row links to the proposal's page, where the coordinator approves or rejects it.
    inspect = reverse("jointproject:inspect", args=[projects["A"].pk])
    assert f'href="{inspect}"' in content
    assert [_figures(row) for row in client.get(url).context["rows"]] == EXPECTED[:2]


# --- Upkeep: every change that moves the figures refreshes them ---------------------------------


def _row(project):
    return ProposalScore.objects.get(project=project)


def test_services_keep_the_ranking_current(cast):
    project = build_ready(cast)
    # Not ranked as a draft: nothing to write yet.
    assert not ProposalScore.objects.filter(project=project).exists()
    advance(cast, project, ProjectState.UNDER_REVIEW)
    # Submitting writes the row: 3 confirmed partners × (10,000 − 2,000).
    assert (_row(project).mean_score, _row(project).requested_grant) == (
        None,
        Decimal("24000.00"),
    )

    # A submitted review moves the mean: 9 + 8 with weights 1 and 1.
    review(cast, project, cast.reviewer, scores=(9, 8))
    assert (_row(project).mean_score, _row(project).reviews) == (Decimal("17.00"), 1)
    review(cast, project, cast.reviewer2, scores=(5, 4))
    assert (_row(project).mean_score, _row(project).above_threshold) == (Decimal("13.00"), True)
    assert call_ranking(cast.call)[0]["mean_score"] == Decimal("13.00")

    # Sent back for changes, the lead lowers its budget: the requested grant follows.
    services.project_transition(
        project_id=project.pk,
        name="request_changes",
        actor=cast.coordinator,
        comment="Please trim the budget.",
    )
    lead = project.partnerships.get(role="lead")
    services.partnership_set_budget(
        partnership_id=lead.pk,
        actor=cast.lead_manager,
        lines=BUDGET[:1],  # 8,000 only
        own_contribution=Decimal("3000.00"),
    )
    assert _row(project).requested_grant == Decimal("21000.00")  # 5,000 + 8,000 + 8,000

    # A partner leaving changes it too.
    partner = project.partnerships.get(centre=cast.partner2_centre)
    services.partnership_transition(
        partnership_id=partner.pk, name="withdraw", actor=cast.partner2_manager
    )
    assert _row(project).requested_grant == Decimal("13000.00")
    assert call_ranking(cast.call)[0]["requested_grant"] == Decimal("13000.00")

    # Withdrawn, the proposal leaves the ranking.
    services.project_transition(project_id=project.pk, name="withdraw", actor=cast.lead_manager)
    assert not ProposalScore.objects.filter(project=project).exists()
    assert call_ranking(cast.call) == []


def test_editing_the_call_criteria_or_threshold_rescores_the_proposals(cast):
    project = build_ready(cast)
    advance(cast, project, ProjectState.UNDER_REVIEW)
    review(cast, project, cast.reviewer, scores=(9, 3))  # reach 3 < its threshold 4
    assert (_row(project).mean_score, _row(project).above_threshold) == (Decimal("12.00"), False)

    quality, reach = cast.call.criteria.order_by("sort_order", "pk")
    reach.threshold = 3
    reach.save()
    assert _row(project).above_threshold is True
    quality.weight = Decimal("2")
    quality.save()
    assert _row(project).mean_score == Decimal("21.00")  # 9 × 2 + 3 × 1
    cast.call.overall_threshold = Decimal("22")
    cast.call.save()
    assert _row(project).above_threshold is False


# --- A fixed number of queries --------------------------------------------------------------------


def _make(call, count):
    for _ in range(count):
        project = JointProjectFactory(call=call, state=ProjectState.SUBMITTED)
        BudgetLineFactory(partnership=project.partnerships.get())
        r = Review.objects.create(
            project=project, reviewer=UserFactory(), state=ReviewState.SUBMITTED
        )
        for criterion in call.criteria.all():
            ReviewScore.objects.create(review=r, criterion=criterion, score=7)
    ranking_refresh(call_ids=[call.pk])


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_a_ranking_page_costs_the_same_queries_at_any_size():
    call = CallFactory()
    AwardCriterionFactory(call=call)
    AwardCriterionFactory(call=call)
    api = APIClient()
    api.force_authenticate(coordinator())
    admin = admin_client()
    api_url = f"/api/v1/calls/{call.pk}/ranking/"
    admin_url = reverse("jointproject:ranking", args=[call.pk])

    _make(call, 3)
    _queries(api, api_url), _queries(admin, admin_url)  # warm per-process caches
    small = _queries(api, api_url), _queries(admin, admin_url)
    _make(call, 60)  # more than a page of 50
    assert _queries(api, api_url) == small[0]
    assert _queries(api, api_url + "?page=2") == small[0]
    assert _queries(admin, admin_url) == small[1]
    assert _queries(admin, admin_url + "?p=2") == small[1]
    assert JointProject.objects.filter(call=call).count() == 63


def test_refreshing_costs_the_same_queries_for_one_proposal_or_a_whole_call():
    call = CallFactory()
    AwardCriterionFactory(call=call)
    _make(call, 2)
    with CaptureQueriesContext(connection) as few:
        ranking_refresh(call_ids=[call.pk])
    _make(call, 40)
    with CaptureQueriesContext(connection) as many:
        assert ranking_refresh(call_ids=[call.pk]) == 42
    assert len(many) == len(few)


def test_the_bulk_demo_leaves_every_ranking_correct():
    from django.core.management import call_command
    from django.test import override_settings

    from workflow.selectors import RANKED_STATES

    with override_settings(DEBUG=True):
        call_command("seed_demo", "--no-public-pages", verbosity=0)
    ranked = JointProject.objects.filter(state__in=RANKED_STATES)
    assert ProposalScore.objects.count() == ranked.count() > 100
    # The bulk projects (budgets written in bulk) and the stories' (reviews through the services).
    sample = [*ranked.filter(reviews__state=ReviewState.SUBMITTED).distinct(), *ranked[:40]]
    assert any(project.reviews.exists() for project in sample)
    for project in sample:
        stored = ProposalScore.objects.get(project=project)
        live = project_score(project)
        assert (stored.mean_score, stored.above_threshold, stored.reviews) == (
            live.mean,
            live.above_threshold,
            live.reviews,
        ), project
        assert stored.requested_grant == project.requested_grant, project
        assert stored.call_id == project.call_id
