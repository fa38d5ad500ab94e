"""A call's ranking in the admin: its arithmetic by hand, its decisions, its exports, its cost."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.admin.ranking import CallRankingView
from projects.models import JointProject
from tests.factories import (
    AwardCriterionFactory,
    BudgetLineFactory,
    CallFactory,
    CallTierFactory,
    CentreFactory,
    JointProjectFactory,
    UserFactory,
    coordinator,
    grant_permissions,
)
from tests.factories.auth import verified_login
from workflow.models import Review, ReviewScore, TransitionLog
from workflow.services.ranking import ranking_refresh
from workflow.states import ProjectState, ReviewState

pytestmark = pytest.mark.django_db


def _proposal(call, title, *, tier, centre, lines, own):
    project = JointProjectFactory(
        call=call,
        tier=tier,
        lead_centre=centre,
        title=title,
        acronym=title[:3].upper(),
        state=ProjectState.UNDER_REVIEW,
    )
    lead = project.partnerships.get()
    lead.own_contribution = own
    lead.save()
    for amount in lines:
        BudgetLineFactory(partnership=lead, amount=amount)
    return project


def _reviews(project, criteria, *marks):
    """One submitted review per tuple of marks (one mark per criterion), by a new reviewer."""
    for scores in marks:
        review = Review.objects.create(
            project=project, reviewer=UserFactory(), state=ReviewState.SUBMITTED
        )
        for criterion, score in zip(criteria, scores, strict=True):
            ReviewScore.objects.create(review=review, criterion=criterion, score=score)


@pytest.fixture
def by_hand():
    """Quality (weight 2, threshold 6) and Impact (weight 0.5, threshold 5), both out of 10;
    overall threshold 15; 2 reviews needed; budget 25,000 EUR. Two reviewers each. By hand:

    - Alpha: quality 8, 7 → 7.50; impact 6, 5 → 5.50. 7.5 × 2 + 5.5 × 0.5 = 15 + 2.75 = 17.75,
      above (every criterion at its threshold or more, 17.75 ≥ 15). Requests 12,000 − 2,000
      = 10,000.
    - Bravo: quality 9, 9 → 9.00; impact 4, 3 → 3.50 (below 5). 18 + 1.75 = 19.75, below.
      Requests 8,000 − 0 = 8,000.
    - Charlie: quality 6, 5 → 5.50 (below 6); impact 7, 8 → 7.50. 11 + 3.75 = 14.75, below
      (also under 15). Requests 9,000 − 0 = 9,000.

    Order: Bravo (19.75), Alpha (17.75), Charlie (14.75). Running total: 8,000, 18,000,
    27,000: Bravo and Alpha within the budget, Charlie over it (the budget runs out there).
    """
    call = CallFactory(
        title="Joint Projects 2031",
        budget=Decimal("25000.00"),
        overall_threshold=Decimal("15"),
        min_reviews=2,
    )
    quality = AwardCriterionFactory(
        call=call, name="Quality", weight=Decimal("2"), threshold=6, sort_order=0
    )
    impact = AwardCriterionFactory(
        call=call, name="Impact", weight=Decimal("0.5"), threshold=5, sort_order=1
    )
    criteria = [quality, impact]
    small = CallTierFactory(call=call, name="Small")
    large = CallTierFactory(call=call, name="Large")
    liege = CentreFactory(name="Centre culturel de Liège", country="BE")
    zagreb = CentreFactory(name="Kulturni centar Zagreb", country="HR")
    alpha = _proposal(
        call, "Alpha", tier=large, centre=liege, lines=[Decimal("12000")], own=Decimal("2000")
    )
    _reviews(alpha, criteria, (8, 6), (7, 5))
    bravo = _proposal(call, "Bravo", tier=small, centre=zagreb, lines=[Decimal("8000")], own=0)
    _reviews(bravo, criteria, (9, 4), (9, 3))
    charlie = _proposal(call, "Charlie", tier=small, centre=liege, lines=[Decimal("9000")], own=0)
    _reviews(charlie, criteria, (6, 7), (5, 8))
    ranking_refresh(call_ids=[call.pk])
    return call, {"A": alpha, "B": bravo, "C": charlie}


@pytest.fixture
def admin():
    client = Client()
    verified_login(client, coordinator(username="secretariat"))
    return client


def ranking_url(call, **query):
    url = reverse("jointproject:ranking", args=[call.pk])
    return f"{url}?p={query['p']}" if "p" in query else url


def decide_url(call, project, name, page=1):
    url = reverse("jointproject:ranking_decide", args=[call.pk, project.pk, name])
    return f"{url}?p={page}"


def row_html(content, project):
    """The table row of one proposal, as the page shows it."""
    match = re.search(rf'<tr id="proposal-{project.pk}".*?</tr>', content, re.S)
    assert match, f"no row for {project}"
    return re.sub(r"\s+", " ", match.group(0))


def decide_html(content, project):
    """The row under a proposal's with its decision forms."""
    match = re.search(
        rf'<tr class="ensemble-decide-row" id="decide-{project.pk}".*?</tr>', content, re.S
    )
    assert match, f"no decisions for {project}"
    return match.group(0)


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_the_ranking_shows_the_hand_computed_figures(by_hand, admin):
    call, p = by_hand
    response = admin.get(ranking_url(call))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row["title"] for row in rows] == ["Bravo", "Alpha", "Charlie"]
    assert [row["rank"] for row in rows] == [1, 2, 3]
    assert [row["mean_score"] for row in rows] == [
        Decimal("19.75"),
        Decimal("17.75"),
        Decimal("14.75"),
    ]
    assert [[(c.mean, c.below) for c in row["criteria"]] for row in rows] == [
        [(Decimal("9.00"), False), (Decimal("3.50"), True)],
        [(Decimal("7.50"), False), (Decimal("5.50"), False)],
        [(Decimal("5.50"), True), (Decimal("7.50"), False)],
    ]
    assert [row["above_threshold"] for row in rows] == [False, True, False]
    assert [row["cumulative_requested"] for row in rows] == [
        Decimal("8000.00"),
        Decimal("18000.00"),
        Decimal("27000.00"),
    ]
    assert [row["crosses_budget"] for row in rows] == [False, False, True]

    content = response.content.decode()
    bravo = text_of(row_html(content, p["B"]))
    assert bravo.startswith("1 Bravo BRA Kulturni centar Zagreb Croatia Small Under review")
    assert "2 / 2" in bravo and "19.75" in bravo
    # The cell under its threshold says so in words, not only in colour.
    assert "19.75 below 9.00 3.50 below 5 8,000.00 EUR 8,000.00 EUR within budget" in bravo
    alpha = text_of(row_html(content, p["A"]))
    assert "Centre culturel de Liège Belgium Large" in alpha
    assert "17.75 above 7.50 5.50 10,000.00 EUR 18,000.00 EUR within budget" in alpha
    charlie = text_of(row_html(content, p["C"]))
    assert "14.75 below 5.50 below 6 7.50 9,000.00 EUR 27,000.00 EUR over budget" in charlie
    # The marker sits right above the first proposal over the budget.
    marker = content.index("runs out here")
    assert content.index(f'id="proposal-{p["A"].pk}"') < marker
    assert marker < content.index(f'id="proposal-{p["C"].pk}"')
    # Header: the budget, nothing awarded yet, the thresholds legend.
    header = text_of(content[content.index('id="ranking-budget"') : content.index('id="ranking"')])
    assert "Budget of the call 25,000.00 EUR" in header
    assert "Awarded so far 0.00 EUR Remaining 25,000.00 EUR" in header
    assert "Quality: a mean of at least 6 out of 10, weight 2.00." in header
    assert "Impact: a mean of at least 5 out of 10, weight 0.50." in header
    assert "at least 15.00" in header and "from 2 submitted reviews" in header
    table = content[content.index('id="ranking"') :]
    head = text_of(table[: table.index("</thead>")])
    assert "Quality threshold 6 Impact threshold 5" in head


def test_a_later_page_carries_the_earlier_totals_and_the_marker(by_hand, admin, monkeypatch):
    call, p = by_hand
    monkeypatch.setattr(CallRankingView, "per_page", 2)
    first = admin.get(ranking_url(call)).content.decode()
    assert "runs out here" not in first
    second = admin.get(ranking_url(call, p=2)).content.decode()
    assert "runs out here" in second
    assert "27,000.00 EUR over budget" in text_of(row_html(second, p["C"]))


def test_approving_from_the_ranking(by_hand, admin):
    call, p = by_hand
    page = admin.get(ranking_url(call)).content.decode()
    # The approve form proposes the requested grant; the override reason only when below.
    alpha = decide_html(page, p["A"])
    assert 'name="approve-awarded_amount"' in alpha and 'value="10000.00"' in alpha
    assert "approve-override_reason" not in alpha
    assert "approve-override_reason" in decide_html(page, p["B"])
    assert f'action="{decide_url(call, p["A"], "approve")}"' in alpha
    assert f'action="{decide_url(call, p["A"], "reject")}"' in alpha

    response = admin.post(
        decide_url(call, p["A"], "approve"),
        {"approve-awarded_amount": "10000.00", "approve-comment": "Strong plan."},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{ranking_url(call)}?p=1#proposal-{p['A'].pk}"
    page = admin.get(response["Location"]).content.decode()
    assert "“Alpha (ALP)” is now “Approved”." in page
    assert "Large Approved awarded 10,000.00 EUR 2 / 2" in text_of(row_html(page, p["A"]))
    assert f'id="decide-{p["A"].pk}"' not in page  # decided: no more forms
    header = text_of(page[page.index('id="ranking-budget"') : page.index('id="ranking"')])
    assert "Awarded so far 10,000.00 EUR Remaining 15,000.00 EUR" in header

    p["A"].refresh_from_db()
    assert (p["A"].state, p["A"].awarded_amount) == (ProjectState.APPROVED, Decimal("10000.00"))
    log = TransitionLog.objects.get(project=p["A"], transition="approve")
    assert log.comment == "Strong plan."


def test_every_refusal_of_an_approval_is_shown_as_messages(by_hand, admin):
    """422: over the remaining budget and below a threshold without an override reason, both
    reported at once; nothing changes."""
    call, p = by_hand
    call.budget = Decimal("15000.00")
    call.save()
    admin.post(decide_url(call, p["A"], "approve"), {"approve-awarded_amount": "10000"})
    response = admin.post(
        decide_url(call, p["B"], "approve"), {"approve-awarded_amount": "8000"}, follow=True
    )
    content = response.content.decode()
    assert "“Approve” was not possible:" in content
    assert "Only 5,000.00 EUR of the call&#x27;s budget remain." in content
    assert "The proposal scores below a threshold; give an override reason" in content
    assert JointProject.objects.get(pk=p["B"].pk).state == ProjectState.UNDER_REVIEW

    # Within what remains and with a reason, the coordinator overrides the threshold.
    admin.post(
        decide_url(call, p["B"], "approve"),
        {"approve-awarded_amount": "5000", "approve-override_reason": "Unique in its region."},
    )
    p["B"].refresh_from_db()
    assert (p["B"].state, p["B"].awarded_amount) == (ProjectState.APPROVED, Decimal("5000.00"))


def test_rejecting_from_the_ranking_needs_a_comment(by_hand, admin, monkeypatch):
    call, p = by_hand
    monkeypatch.setattr(CallRankingView, "per_page", 2)
    url = decide_url(call, p["C"], "reject", page=2)
    response = admin.post(url, {"reject-comment": "  "}, follow=True)
    assert "A comment explaining the decision is required." in response.content.decode()
    assert JointProject.objects.get(pk=p["C"].pk).state == ProjectState.UNDER_REVIEW

    response = admin.post(url, {"reject-comment": "Outside the call's themes."})
    # Back to the same page of the ranking, at the proposal's row.
    assert response["Location"] == f"{ranking_url(call)}?p=2#proposal-{p['C'].pk}"
    page = admin.get(response["Location"]).content.decode()
    assert "“Charlie (CHA)” is now “Rejected”." in page
    assert "Rejected" in text_of(row_html(page, p["C"]))
    assert TransitionLog.objects.get(project=p["C"], transition="reject").comment == (
        "Outside the call's themes."
    )


def test_a_stale_decision_is_refused_as_a_conflict(by_hand, admin):
    """409: the page was opened before another coordinator decided."""
    call, p = by_hand
    admin.post(decide_url(call, p["A"], "reject"), {"reject-comment": "Out of scope."})
    response = admin.post(
        decide_url(call, p["A"], "approve"), {"approve-awarded_amount": "10000"}, follow=True
    )
    content = response.content.decode()
    assert "“Approve” was not possible: Not possible while the project is rejected." in content
    assert JointProject.objects.get(pk=p["A"].pk).state == ProjectState.REJECTED


def test_only_approve_and_reject_of_the_call_s_own_proposals(by_hand, admin):
    call, p = by_hand
    other = CallFactory()
    assert admin.post(decide_url(other, p["A"], "approve")).status_code == 404
    assert admin.post(decide_url(call, p["A"], "withdraw")).status_code == 404
    assert admin.get(decide_url(call, p["A"], "approve")).status_code == 405
    assert JointProject.objects.get(pk=p["A"].pk).state == ProjectState.UNDER_REVIEW


def test_the_ranking_and_its_decisions_refuse_non_coordinators(by_hand):
    call, p = by_hand
    editor = UserFactory(username="editor", is_staff=True)
    grant_permissions(editor, "access_admin", "view_jointproject", "change_jointproject")
    client = Client()
    client.force_login(editor)
    for response in (
        client.get(ranking_url(call)),
        client.post(decide_url(call, p["A"], "approve"), {"approve-awarded_amount": "1"}),
    ):
        # PermissionDenied: Wagtail's "no permission" redirect to the dashboard.
        assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))
    assert JointProject.objects.get(pk=p["A"].pk).state == ProjectState.UNDER_REVIEW


def test_the_ranking_links_to_its_exports(by_hand, admin):
    call, _ = by_hand
    csv = reverse("export:start", args=["ranking", "csv"])
    xlsx = reverse("export:start", args=["ranking", "xlsx"])
    content = admin.get(ranking_url(call)).content.decode()
    assert f'href="{csv}?call={call.pk}"' in content
    assert f'href="{xlsx}?call={call.pk}"' in content


def _proposals(call, criteria, count):
    for _ in range(count):
        project = JointProjectFactory(call=call, state=ProjectState.UNDER_REVIEW)
        BudgetLineFactory(partnership=project.partnerships.get())
        _reviews(project, criteria, (7, 6, 5), (8, 4, 6))
    ranking_refresh(call_ids=[call.pk])


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_a_ranking_page_costs_the_same_queries_at_any_size(admin):
    """5 and 30 proposals under review (each row with its decision forms), 3 criteria, 2
    reviews each: the same number of queries."""
    call = CallFactory()
    criteria = [AwardCriterionFactory(call=call, sort_order=n) for n in range(3)]
    _proposals(call, criteria, 5)
    url = ranking_url(call)
    _queries(admin, url)  # per-process caches (content types, site) warm up
    small = _queries(admin, url)
    _proposals(call, criteria, 25)
    response = admin.get(url)
    assert len(response.context["rows"]) == 30
    assert all(row["decisions"] for row in response.context["rows"])
    assert _queries(admin, url) == small
