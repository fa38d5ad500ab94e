"""What a call has committed, read the same way by the approval's `call_budget` condition,
the call's page and the ranking: awarded amounts of approved and later projects, and a
terminated project's final grant (the rest of its award went back to the call)."""

from decimal import Decimal

import pytest

from tests.factories import CallFactory, JointProjectFactory
from workflow.conditions import TransitionInput, call_budget
from workflow.selectors import call_awarded_total
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db


@pytest.fixture
def call():
    call = CallFactory(budget=Decimal("100000"))
    for state, awarded, final in (
        (ProjectState.APPROVED, "30000", None),
        (ProjectState.COMPLETED, "20000", "18000"),  # completed: its award stays committed
        (ProjectState.TERMINATED, "40000", "10000"),  # terminated: its final grant only
        (ProjectState.REJECTED, None, None),
        (ProjectState.UNDER_REVIEW, None, None),
    ):
        JointProjectFactory(
            call=call,
            state=state,
            awarded_amount=Decimal(awarded) if awarded else None,
            final_grant=Decimal(final) if final else None,
        )
    return call


def test_the_committed_total_counts_awards_and_terminated_final_grants(call):
    assert call_awarded_total(call) == Decimal("60000")


def test_an_approval_fits_what_the_terminated_project_gave_back(call):
    candidate = JointProjectFactory(call=call, state=ProjectState.UNDER_REVIEW)
    assert call_budget(candidate, TransitionInput(awarded_amount=Decimal("40000"))) is None
    failure = call_budget(candidate, TransitionInput(awarded_amount=Decimal("40000.01")))
    assert failure.code == "call_budget"
