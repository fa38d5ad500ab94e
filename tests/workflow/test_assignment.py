"""Reviewer assignment: the planner on hand-made inputs, the conflict-of-interest rule (the
project's centres, and the same country when the call says so), the reads that gather the
planner's inputs, and the bulk assignment service (all or nothing)."""

import itertools
import random
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    CallFactory,
    CentreFactory,
    JointProjectFactory,
    MembershipFactory,
    PartnershipFactory,
    UserFactory,
    reviewer,
)
from tests.workflow.conftest import advance, build_ready
from workflow import assignment, services
from workflow.assignment import CENTRE, COUNTRY, ConflictIndex, plan_assignments
from workflow.exceptions import ConditionsNotMet, NotPermitted, NotVisible, WrongState
from workflow.models import Notification, Review, TransitionLog
from workflow.services.reviews import review_assign_bulk
from workflow.states import ProjectState, ReviewState

ASSIGNED, SUBMITTED, DECLINED = ReviewState.ASSIGNED, ReviewState.SUBMITTED, ReviewState.DECLINED


def after(plan):
    return {reviewer: load.after for reviewer, load in plan.loads.items()}


# --- The planner ------------------------------------------------------------------------------


def test_every_proposal_gets_its_reviewers_and_the_load_is_even():
    plan = plan_assignments(
        proposals=[1, 2, 3, 4, 5, 6],
        reviewers=["a", "b", "c", "d"],
        conflicts={},
        existing={},
        per_proposal=2,
    )
    assert len(plan) == 12
    assert all(len(plan.assignments[p]) == 2 for p in range(1, 7))
    assert all(len(set(reviewers)) == 2 for reviewers in plan.assignments.values())
    assert after(plan) == {"a": 3, "b": 3, "c": 3, "d": 3}
    assert plan.balanced and not plan.shortages


def test_the_load_differs_by_at_most_one_when_it_cannot_be_even():
    plan = plan_assignments([1, 2, 3, 4, 5], ["a", "b", "c"], {}, {}, per_proposal=2)
    assert sorted(after(plan).values()) == [3, 3, 4]
    assert plan.spread == 1 and plan.balanced


def test_conflicts_are_respected():
    conflicts = {1: {"a", "b"}, 2: {"a"}, 3: {"c"}}
    plan = plan_assignments([1, 2, 3], ["a", "b", "c", "d"], conflicts, {}, per_proposal=2)
    for project, expert in plan.pairs:
        assert expert not in conflicts.get(project, ())
    assert sorted(plan.assignments[1]) == ["c", "d"]
    assert not plan.shortages
    assert plan.balanced


def test_existing_open_reviews_count_in_the_load_and_toward_the_proposal():
    # "a" already reviews 1, 2 and 3 for this call: the others catch up first.
    existing = {(1, "a"): ASSIGNED, (2, "a"): ASSIGNED, (3, "a"): ASSIGNED}
    plan = plan_assignments([1, 2, 3, 4, 5, 6], ["a", "b", "c"], {}, existing, per_proposal=2)
    # 1–3 need one more review each, 4–6 two: nine new, twelve open in all, four each.
    assert len(plan) == 9
    assert {p: len(plan.assignments[p]) for p in range(1, 7)} == {
        1: 1,
        2: 1,
        3: 1,
        4: 2,
        5: 2,
        6: 2,
    }
    assert {r: (load.before, load.added) for r, load in plan.loads.items()} == {
        "a": (3, 1),
        "b": (0, 4),
        "c": (0, 4),
    }
    assert after(plan) == {"a": 4, "b": 4, "c": 4}


def test_an_existing_review_is_never_assigned_again():
    existing = {(1, "a"): SUBMITTED, (1, "b"): DECLINED, (2, "c"): ASSIGNED}
    plan = plan_assignments([1, 2], ["a", "b", "c", "d"], {}, existing, per_proposal=3)
    assert not set(plan.pairs) & set(existing)
    # A submitted review counts toward the proposal; a declined one does not.
    assert len(plan.assignments[1]) == 2  # 3 − the submitted one; "a" and "b" are excluded
    assert sorted(plan.assignments[1]) == ["c", "d"]
    assert len(plan.assignments[2]) == 2
    # Only the open (assigned) review weighs on its reviewer.
    assert plan.loads["a"].before == 0 and plan.loads["c"].before == 1


def test_a_proposal_short_of_free_reviewers_is_flagged():
    conflicts = {2: {"a", "b"}}
    plan = plan_assignments([1, 2], ["a", "b", "c"], conflicts, {}, per_proposal=3)
    assert plan.shortages == {2: 2}
    assert plan.assignments[2] == ["c"]
    assert sorted(plan.assignments[1]) == ["a", "b", "c"]


def test_more_reviews_per_proposal_than_reviewers_leaves_each_proposal_short():
    plan = plan_assignments([1, 2], ["a", "b"], {}, {}, per_proposal=3)
    assert plan.shortages == {1: 1, 2: 1}
    assert len(plan) == 4


def test_balance_is_impossible_when_one_reviewer_already_has_too_much():
    existing = {(p, "a"): ASSIGNED for p in range(1, 6)}
    plan = plan_assignments([1, 2, 3, 4, 5, 6], ["a", "b"], {}, existing, per_proposal=1)
    assert plan.pairs == [(6, "b")]
    assert after(plan) == {"a": 5, "b": 1}
    assert plan.spread == 4 and not plan.balanced


def test_balance_is_impossible_when_conflicts_leave_one_reviewer():
    conflicts = {p: {"b"} for p in range(1, 5)}
    plan = plan_assignments([1, 2, 3, 4], ["a", "b"], conflicts, {}, per_proposal=1)
    assert [r for _p, r in plan.pairs] == ["a", "a", "a", "a"]
    assert not plan.shortages
    assert not plan.balanced


def test_a_chain_of_hand_overs_balances_what_a_direct_move_cannot(monkeypatch):
    """ "c" may review only 1 and 6, "a" neither. Greedily b takes 1 (a tie, b comes first), c
    takes 6, and a ends with three: a 3, b 2, c 1. No direct move narrows that (a holds nothing
    c may review; b and c differ by one); a hands 2 to b while b hands 1 to c."""
    conflicts = {1: {"a"}, 6: {"a"}, 2: {"c"}, 3: {"c"}, 4: {"c"}, 5: {"c"}}
    args = ([1, 6, 2, 3, 4, 5], ["a", "b", "c"], conflicts, {}, 1)
    plan = plan_assignments(*args)
    assert after(plan) == {"a": 2, "b": 2, "c": 2}
    assert sorted(plan.pairs) == [(1, "c"), (2, "b"), (3, "a"), (4, "b"), (5, "a"), (6, "c")]

    # Without the hand-overs, the greedy pass alone leaves a spread of two.
    monkeypatch.setattr(assignment, "_rebalance", lambda *args: None)
    assert plan_assignments(*args).spread == 2


@pytest.mark.parametrize("seed", range(3))
def test_the_spread_is_the_narrowest_any_assignment_reaches(seed):
    """Against every possible assignment of small random cases (conflicts, existing reviews in
    every state): the plan never breaks a rule and is as balanced as the best of them."""
    rng = random.Random(seed)
    for _case in range(150):
        proposals = list(range(1, rng.randint(1, 4) + 1))
        reviewers = list("abcd"[: rng.randint(1, 4)])
        per_proposal = rng.randint(1, 3)
        conflicts = {p: {r for r in reviewers if rng.random() < 0.3} for p in proposals}
        existing = {
            (p, r): rng.choice([ASSIGNED, ASSIGNED, SUBMITTED, DECLINED])
            for p in proposals
            for r in reviewers
            if r not in conflicts[p] and rng.random() < 0.2
        }
        plan = plan_assignments(proposals, reviewers, conflicts, existing, per_proposal)
        for project, reviewer_ in plan.pairs:
            assert reviewer_ not in conflicts[project]
            assert (project, reviewer_) not in existing
        assert plan.spread == best_spread(proposals, reviewers, conflicts, existing, per_proposal)


def best_spread(proposals, reviewers, conflicts, existing, per_proposal):
    base = dict.fromkeys(reviewers, 0)
    options = []
    for project in proposals:
        mine = {r: s for (p, r), s in existing.items() if p == project}
        for r, state in mine.items():
            base[r] += state == ASSIGNED
        need = max(0, per_proposal - sum(state != DECLINED for state in mine.values()))
        free = [r for r in reviewers if r not in mine and r not in conflicts[project]]
        options.append(list(itertools.combinations(free, min(need, len(free)))))
    spreads = []
    for choice in itertools.product(*options):
        load = dict(base)
        for picked in choice:
            for r in picked:
                load[r] += 1
        spreads.append(max(load.values()) - min(load.values()))
    return min(spreads)


def test_the_plan_is_deterministic_and_ties_go_to_the_earlier_reviewer():
    conflicts = {1: {"c"}, 3: {"a"}}
    existing = {(2, "a"): ASSIGNED, (3, "b"): SUBMITTED}
    first = plan_assignments([3, 1, 2], ["b", "a", "c"], conflicts, existing, 2)
    assert plan_assignments([3, 1, 2], ["b", "a", "c"], conflicts, existing, 2) == first
    # The same mappings built in another order: the same plan.
    again = plan_assignments(
        [3, 1, 2],
        ["b", "a", "c"],
        dict(reversed(conflicts.items())),
        dict(reversed(existing.items())),
        2,
    )
    assert again == first
    assert plan_assignments([1], ["b", "a"], {}, {}, 1).pairs == [(1, "b")]
    assert plan_assignments([1], ["a", "b"], {}, {}, 1).pairs == [(1, "a")]


def test_the_fingerprint_names_the_assignments():
    one = plan_assignments([1, 2], ["a", "b"], {}, {}, 1)
    assert one.fingerprint == plan_assignments([1, 2], ["a", "b"], {}, {}, 1).fingerprint
    assert one.fingerprint != plan_assignments([1, 2], ["b", "a"], {}, {}, 1).fingerprint
    assert one.fingerprint != plan_assignments([1, 2], ["a", "b"], {}, {}, 2).fingerprint


def test_nothing_to_plan():
    plan = plan_assignments([], [], {}, {}, 2)
    assert len(plan) == 0 and plan.balanced and not plan.shortages


# --- Conflicts of interest --------------------------------------------------------------------


def test_the_conflict_index_prefers_the_centre_to_the_country():
    index = ConflictIndex(
        [
            ("ana", 1, "Lyon", "FR"),
            ("ana", 5, "Lille", "FR"),
            ("bo", 7, "Nantes", "FR"),
            ("cy", 9, "Graz", "AT"),
        ]
    )
    centres = [(1, "FR"), (2, "BE")]
    assert index.conflicts(centres, same_country=False) == {
        "ana": assignment.Conflict(CENTRE, "Lyon", "FR")
    }
    assert index.conflicts(centres, same_country=True) == {
        "ana": assignment.Conflict(CENTRE, "Lyon", "FR"),
        "bo": assignment.Conflict(COUNTRY, "Nantes", "FR"),
    }


@pytest.fixture
def submitted(cast):
    return advance(cast, build_ready(cast), ProjectState.SUBMITTED)


def test_a_reviewer_at_any_centre_of_the_project_has_a_conflict(cast, submitted):
    expert = reviewer(first_name="Ana", last_name="Horvat")
    MembershipFactory(centre=cast.partner2_centre, user=expert, role="staff")
    with pytest.raises(ConditionsNotMet) as refused:
        services.review_assign(project_id=submitted.pk, reviewer=expert, actor=cast.coordinator)
    [failure] = refused.value.failures
    assert failure.code == "conflict_of_interest"
    assert failure.message == "Ana Horvat works for a centre of this project and cannot review it."


def test_the_same_country_is_a_conflict_only_when_the_call_says_so(cast, submitted):
    # Another centre in Croatia, the country of a partner of the project.
    expert = reviewer(first_name="Ivo", last_name="Kovač")
    MembershipFactory(centre=CentreFactory(country="HR", name="Split Arts"), user=expert)
    other = reviewer(first_name="Lea", last_name="Graf")
    MembershipFactory(centre=CentreFactory(country="DE"), user=other)

    cast.call.conflict_same_country = True
    cast.call.save()
    with pytest.raises(ConditionsNotMet) as refused:
        services.review_assign(project_id=submitted.pk, reviewer=expert, actor=cast.coordinator)
    [failure] = refused.value.failures
    assert failure.code == "conflict_of_interest"
    assert "Ivo Kovač works for a centre in Croatia" in str(failure.message)
    assert "works for a centre of this project" not in str(failure.message)
    # A centre in a country of no partner is no conflict.
    services.review_assign(project_id=submitted.pk, reviewer=other, actor=cast.coordinator)

    cast.call.conflict_same_country = False
    cast.call.save()
    services.review_assign(project_id=submitted.pk, reviewer=expert, actor=cast.coordinator)


def test_a_withdrawn_or_declined_partner_still_makes_a_conflict(cast, submitted):
    gone = CentreFactory(country="PT")
    PartnershipFactory(project=submitted, centre=gone, state="withdrawn")
    expert = reviewer()
    MembershipFactory(centre=gone, user=expert)
    with pytest.raises(ConditionsNotMet) as refused:
        services.review_assign(project_id=submitted.pk, reviewer=expert, actor=cast.coordinator)
    assert refused.value.codes == ["conflict_of_interest"]


# --- The reads --------------------------------------------------------------------------------


def make_call_data(call, *, proposals, reviewers_count, partners):
    experts = [reviewer() for _ in range(reviewers_count)]
    for index in range(proposals):
        project = JointProjectFactory(call=call, state=ProjectState.SUBMITTED)
        for _ in range(partners):
            partner = PartnershipFactory(project=project)
            MembershipFactory(centre=partner.centre, user=experts[index % len(experts)])
        Review.objects.create(project=project, reviewer=experts[(index + 1) % len(experts)])
    return experts


def test_the_call_data_takes_five_queries_whatever_its_size(db):
    call = CallFactory(conflict_same_country=True)
    make_call_data(call, proposals=2, reviewers_count=2, partners=1)
    with CaptureQueriesContext(connection) as small:
        data = assignment.call_assignment_data(call)
    assert len(data.proposals) == 2
    make_call_data(call, proposals=10, reviewers_count=6, partners=3)
    with CaptureQueriesContext(connection) as large:
        data = assignment.call_assignment_data(call)
    assert len(data.proposals) == 12 and len(data.reviewers) == 8
    assert len(small) == len(large) == 5


def test_the_loads_count_open_reviews_in_every_call_and_in_the_call(db):
    call, other_call = CallFactory(), CallFactory()
    expert = reviewer()
    for target_call, state, project_state in (
        (call, ASSIGNED, ProjectState.SUBMITTED),
        (call, SUBMITTED, ProjectState.UNDER_REVIEW),
        (other_call, ASSIGNED, ProjectState.UNDER_REVIEW),
        # A proposal no longer in review: nothing left to do.
        (other_call, ASSIGNED, ProjectState.WITHDRAWN),
    ):
        project = JointProjectFactory(call=target_call, state=project_state)
        Review.objects.create(project=project, reviewer=expert, state=state)
    reviewer()  # someone with no review
    UserFactory()  # not a reviewer
    rows = {user.pk: user for user in assignment.reviewers_with_load(call=call)}
    assert len(rows) == 2
    assert (rows[expert.pk].open_reviews, rows[expert.pk].all_reviews) == (2, 4)
    assert rows[expert.pk].call_open_reviews == 1


# --- Bulk assignment ------------------------------------------------------------------------------


@pytest.fixture
def two_submitted(cast):
    return [advance(cast, build_ready(cast), ProjectState.SUBMITTED) for _ in range(2)]


def test_the_bulk_service_assigns_logs_and_tells_each_reviewer(
    cast, two_submitted, django_capture_on_commit_callbacks
):
    first, second = two_submitted
    plan = [(first.pk, cast.reviewer.pk), (second.pk, cast.reviewer2.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        reviews = review_assign_bulk(
            call_id=cast.call.pk, actor=cast.coordinator, plan=plan, due_date=None
        )
    assert [(r.project_id, r.reviewer_id) for r in reviews] == plan
    assert all(r.assigned_by == cast.coordinator for r in reviews)
    assert TransitionLog.objects.filter(transition="assign").count() == 2
    told = Notification.objects.filter(event="review_assign")
    assert sorted(told.values_list("recipient__username", flat=True)) == ["reviewer", "reviewer2"]


def test_the_bulk_service_writes_nothing_when_one_pair_fails(cast, two_submitted):
    first, second = two_submitted
    expert = reviewer(first_name="Ana", last_name="Horvat")
    MembershipFactory(centre=cast.partner_centre, user=expert)
    services.review_assign(project_id=second.pk, reviewer=cast.reviewer2, actor=cast.coordinator)
    plan = [
        (first.pk, cast.reviewer.pk),
        (second.pk, expert.pk),  # works for a partner
        (second.pk, cast.reviewer2.pk),  # already assigned
        (first.pk, cast.reviewer.pk),  # twice in the plan
        (first.pk, cast.other_manager.pk),  # no reviewer
    ]
    with pytest.raises(ConditionsNotMet) as refused:
        review_assign_bulk(call_id=cast.call.pk, actor=cast.coordinator, plan=plan)
    assert refused.value.codes == [
        "conflict_of_interest",
        "already_assigned",
        "already_assigned",
        "not_a_reviewer",
    ]
    assert "Ana Horvat works for a centre of this project" in str(refused.value)
    assert Review.objects.count() == 1


def test_the_bulk_service_refuses_others_and_foreign_or_closed_proposals(cast, two_submitted):
    first, _second = two_submitted
    pair = [(first.pk, cast.reviewer.pk)]
    with pytest.raises(NotPermitted):
        review_assign_bulk(call_id=cast.call.pk, actor=cast.lead_manager, plan=pair)
    with pytest.raises(NotVisible):
        review_assign_bulk(call_id=CallFactory().pk, actor=cast.coordinator, plan=pair)
    draft = build_ready(cast)
    with pytest.raises(WrongState):
        review_assign_bulk(
            call_id=cast.call.pk, actor=cast.coordinator, plan=[(draft.pk, cast.reviewer.pk)]
        )
    assert not Review.objects.exists()
    assert review_assign_bulk(call_id=cast.call.pk, actor=cast.coordinator, plan=[]) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL; CI runs these on it"
)
def test_two_coordinators_confirming_the_same_plan_at_once(cast, two_submitted, monkeypatch):
    """The call row is locked before the checks: the second waits, then finds every review in
    place and is refused; nothing is assigned twice and no unique constraint blows up."""
    from tests.workflow.test_concurrency import race

    original = assignment.reviewer_memberships

    def slow_memberships(*args, **kwargs):
        time.sleep(0.3)  # both would pass their checks before either writes, without the lock
        return original(*args, **kwargs)

    monkeypatch.setattr(assignment, "reviewer_memberships", slow_memberships)
    first, second = two_submitted
    plan = [(first.pk, cast.reviewer.pk), (second.pk, cast.reviewer2.pk)]
    outcomes = race(
        *(
            lambda: review_assign_bulk(call_id=cast.call.pk, actor=cast.coordinator, plan=plan)
            for _ in range(2)
        )
    )
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["ConditionsNotMet", "list"]
    [refused] = [o for o in outcomes if isinstance(o, ConditionsNotMet)]
    assert refused.codes == ["already_assigned", "already_assigned"]
    assert Review.objects.count() == 2


def test_a_fractional_score_is_refused_not_truncated(cast):
    from decimal import Decimal

    from django.core.exceptions import ValidationError

    from tests.workflow.conftest import advance, build_ready
    from workflow import services
    from workflow.models import ReviewScore
    from workflow.states import ProjectState

    project = advance(cast, build_ready(cast), ProjectState.UNDER_REVIEW)
    review = services.review_assign(
        project_id=project.pk, reviewer=cast.reviewer, actor=cast.coordinator
    )
    criterion = cast.call.criteria.first()
    with pytest.raises(ValidationError) as refused:
        services.review_score(
            review_id=review.pk,
            actor=cast.reviewer,
            scores=[{"criterion": criterion.pk, "score": Decimal("8.5"), "comment": ""}],
        )
    assert "A whole number." in str(refused.value)
    assert not ReviewScore.objects.exists()
