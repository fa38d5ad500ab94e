"""Duplicating a call as next year's (projects.call_services.call_duplicate)."""

from datetime import datetime
from decimal import Decimal

import pytest
from wagtail.models import ModelLogEntry

from projects.call_selectors import CALL_TIME_ZONE
from projects.call_services import call_duplicate, next_year_title, one_year_later
from projects.models import Call
from tests.factories import (
    AwardCriterionFactory,
    CallFactory,
    CallTierFactory,
    MembershipFactory,
    UserFactory,
    coordinator,
    reviewer,
)
from workflow.exceptions import ConditionsNotMet, NotPermitted, NotVisible

pytestmark = pytest.mark.django_db

QUESTIONS = [
    {
        "type": "long_text",
        "value": {"label": "Why now?", "help_text": "", "required": True, "word_limit": 300},
        "id": "5b2c1f9e-0000-4000-8000-000000000001",
    },
    {
        "type": "choice",
        "value": {
            "label": "Main discipline",
            "help_text": "",
            "required": False,
            "choices": ["Theatre", "Music"],
            "multiple": False,
        },
        "id": "5b2c1f9e-0000-4000-8000-000000000002",
    },
]


def brussels(*args):
    return datetime(*args, tzinfo=CALL_TIME_ZONE)


@pytest.fixture
def call():
    call = CallFactory(
        title="Joint Projects 2027",
        slug="joint-projects-2027",
        summary="Centres of three countries or more.",
        opens_at=brussels(2027, 1, 15, 9, 0),
        deadline=brussels(2027, 3, 31, 17, 0),
        budget=Decimal("750000.00"),
        max_grant=Decimal("60000.00"),
        min_reviews=3,
        overall_threshold=Decimal("14.50"),
        conflict_same_country=True,
        questions=QUESTIONS,
    )
    CallTierFactory(call=call, name="Small", max_grant=Decimal("20000.00"), sort_order=0)
    CallTierFactory(call=call, name="Large", max_grant=Decimal("60000.00"), sort_order=1)
    AwardCriterionFactory(
        call=call, name="Quality", max_score=10, threshold=6, weight=Decimal("2.00"), sort_order=0
    )
    AwardCriterionFactory(
        call=call, name="Reach", max_score=5, threshold=2, weight=Decimal("1.00"), sort_order=1
    )
    return call


def test_the_copy_takes_the_rules_tiers_and_criteria(call):
    copy = call_duplicate(call_id=call.pk, actor=coordinator())
    copy.refresh_from_db()
    assert copy.pk != call.pk
    for name in (
        "network_id",
        "kind",
        "summary",
        "budget",
        "min_partners",
        "min_countries",
        "max_grant",
        "max_cofinancing_rate",
        "max_duration_months",
        "prefinancing_rate",
        "min_reviews",
        "overall_threshold",
        "conflict_same_country",
    ):
        assert getattr(copy, name) == getattr(call, name), name
    assert list(copy.tiers.values_list("name", "max_grant", "sort_order")) == [
        ("Small", Decimal("20000.00"), 0),
        ("Large", Decimal("60000.00"), 1),
    ]
    assert list(copy.criteria.values_list("name", "max_score", "threshold", "weight")) == [
        ("Quality", 10, 6, Decimal("2.00")),
        ("Reach", 5, 2, Decimal("1.00")),
    ]
    # The source keeps its own parts.
    assert call.tiers.count() == 2 and call.criteria.count() == 2
    assert not copy.projects.exists()


def test_the_questions_are_copied_under_new_ids(call):
    copy = call_duplicate(call_id=call.pk, actor=coordinator())
    copy.refresh_from_db()
    copied = list(copy.questions.raw_data)
    assert [block["type"] for block in copied] == ["long_text", "choice"]
    assert copied[0]["value"]["label"] == "Why now?"
    assert copied[0]["value"]["word_limit"] == 300
    assert list(copy.questions[1].value["choices"]) == ["Theatre", "Music"]
    # New questions: last year's answers, keyed by question id, never match them.
    old_ids = {block["id"] for block in QUESTIONS}
    new_ids = {block["id"] for block in copied}
    assert len(new_ids) == 2 and not new_ids & old_ids


def test_the_dates_move_a_year_on_at_the_same_brussels_time(call):
    copy = call_duplicate(call_id=call.pk, actor=coordinator())
    copy.refresh_from_db()
    # 15 January is winter time, 31 March 2028 summer time: the clock time stays.
    assert copy.opens_at == brussels(2028, 1, 15, 9, 0)
    assert copy.deadline == brussels(2028, 3, 31, 17, 0)
    assert copy.deadline.astimezone(CALL_TIME_ZONE).hour == 17


def test_29_february_becomes_28_february():
    assert one_year_later(brussels(2028, 2, 29, 12, 0)) == brussels(2029, 2, 28, 12, 0)


def test_the_dates_and_title_given_are_used(call):
    copy = call_duplicate(
        call_id=call.pk,
        actor=coordinator(),
        title="Joint Projects 2028 – spring round",
        opens_at=brussels(2028, 2, 1, 9, 0),
        deadline=brussels(2028, 5, 1, 17, 0),
    )
    copy.refresh_from_db()
    assert copy.title == "Joint Projects 2028 – spring round"
    assert copy.slug == "joint-projects-2028-spring-round"
    assert copy.opens_at == brussels(2028, 2, 1, 9, 0)
    assert copy.deadline == brussels(2028, 5, 1, 17, 0)


def test_a_deadline_before_the_opening_is_refused(call):
    with pytest.raises(ConditionsNotMet) as refused:
        call_duplicate(
            call_id=call.pk,
            actor=coordinator(),
            opens_at=brussels(2028, 5, 1, 9, 0),
            deadline=brussels(2028, 2, 1, 17, 0),
        )
    assert refused.value.codes == ["deadline_before_opening"]
    assert Call.objects.count() == 1


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Joint Projects 2027", "Joint Projects 2028"),
        ("Staff mobility 2027–2028", "Staff mobility 2028–2029"),
        ("2030 Heritage call", "2031 Heritage call"),
        ("Call 12345 stays", "Call 12345 stays (copy)"),
        ("Heritage exchanges", "Heritage exchanges (copy)"),
    ],
)
def test_the_year_in_the_title_goes_up(title, expected):
    assert next_year_title(title) == expected


def test_the_year_goes_up_in_the_copy_title(call):
    copy = call_duplicate(call_id=call.pk, actor=coordinator())
    assert copy.title == "Joint Projects 2028"


def test_the_slug_is_unique(call):
    CallFactory(title="Taken", slug="joint-projects-2028")
    CallFactory(title="Taken too", slug="joint-projects-2028-2")
    user = coordinator()
    copy = call_duplicate(call_id=call.pk, actor=user)
    assert copy.slug == "joint-projects-2028-3"
    again = call_duplicate(call_id=call.pk, actor=user)
    assert again.slug == "joint-projects-2028-4"
    assert again.title == "Joint Projects 2028"


def test_the_copy_is_logged_with_who_made_it(call):
    user = coordinator()
    copy = call_duplicate(call_id=call.pk, actor=user)
    entry = ModelLogEntry.objects.for_instance(copy).get()
    assert entry.action == "wagtail.create"
    assert entry.user == user
    assert entry.data["duplicated_from"] == call.pk


@pytest.mark.parametrize(
    "make_user",
    [
        lambda: UserFactory(),
        lambda: reviewer(),
        lambda: MembershipFactory().user,
        lambda: UserFactory(is_staff=True),
    ],
    ids=["user", "reviewer", "centre-manager", "staff"],
)
def test_only_coordinators_duplicate(call, make_user):
    with pytest.raises(NotPermitted):
        call_duplicate(call_id=call.pk, actor=make_user())
    assert Call.objects.count() == 1


def test_a_superuser_duplicates(call):
    copy = call_duplicate(call_id=call.pk, actor=UserFactory(is_superuser=True, is_staff=True))
    assert copy.tiers.count() == 2


def test_an_unknown_call_is_not_visible():
    with pytest.raises(NotVisible):
        call_duplicate(call_id=987654, actor=coordinator())
