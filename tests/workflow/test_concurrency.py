"""Concurrent conflicting transitions never double-apply (PostgreSQL row locks).

The service holds the project row lock from the first read to the commit. To make the race
real rather than lucky, a slow condition is slipped into the rules: without the lock both
threads would pass their checks before either writes.
"""

import threading
import time

import pytest
from django.db import connection, connections

from projects.models import Partnership
from tests.factories import CentreFactory, MembershipFactory, UserFactory
from tests.workflow.conftest import advance, build_ready, review
from workflow import conditions, services
from workflow.exceptions import WorkflowError, WrongState
from workflow.models import TransitionLog
from workflow.states import PartnershipState, ProjectState

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL; CI runs these on it"
    ),
]


def slow(rule, seconds=0.3):
    def slowed(obj, data):
        time.sleep(seconds)
        return rule(obj, data)

    return slowed


def race(*calls):
    """Run the calls at the same moment, each in its own thread and database connection."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except WorkflowError as error:
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_coordinators_approving_at_once(cast, monkeypatch):
    project = advance(cast, build_ready(cast), ProjectState.UNDER_REVIEW)
    review(cast, project, cast.reviewer)
    review(cast, project, cast.reviewer2)
    rules = conditions.RULES[("project", "approve")]
    monkeypatch.setitem(conditions.RULES, ("project", "approve"), [slow(rules[0]), *rules[1:]])
    second_coordinator = type(cast.coordinator).objects.create(username="coordinator2")
    second_coordinator.groups.set(cast.coordinator.groups.all())

    def approve(user, amount):
        return lambda: services.project_transition(
            project_id=project.pk, name="approve", actor=user, awarded_amount=amount
        )

    outcomes = race(approve(cast.coordinator, 20000), approve(second_coordinator, 15000))

    won = [o for o in outcomes if not isinstance(o, Exception)]
    lost = [o for o in outcomes if isinstance(o, Exception)]
    assert len(won) == 1 and len(lost) == 1
    assert isinstance(lost[0], WrongState) and lost[0].status == 409
    assert TransitionLog.objects.filter(project=project, transition="approve").count() == 1
    project.refresh_from_db()
    assert project.state == ProjectState.APPROVED
    assert project.awarded_amount == won[0].awarded_amount


def test_partners_accepting_while_the_lead_submits(cast, monkeypatch):
    project = build_ready(cast)
    invited = []
    for name, country in (("Kulturhaus Graz", "AT"), ("Dom Kultury Kraków", "PL")):
        manager = UserFactory(username=f"manager-{country}")
        centre = CentreFactory(name=name, country=country)
        MembershipFactory(centre=centre, user=manager)
        partnership = services.partnership_invite(
            project_id=project.pk, centre_id=centre.pk, actor=cast.lead_manager
        )
        # Signed ahead, so the submit's conditions hold whichever side wins the race.
        services.partnership_sign_mandate(
            partnership_id=partnership.pk, actor=manager, declaration=True
        )
        invited.append((partnership, manager))
    rules = conditions.RULES[("project", "submit")]
    monkeypatch.setitem(conditions.RULES, ("project", "submit"), [slow(rules[0]), *rules[1:]])
    accept_rules = conditions.RULES[("partnership", "accept")]
    monkeypatch.setitem(
        conditions.RULES, ("partnership", "accept"), [slow(r) for r in accept_rules]
    )

    def accept(partnership, manager):
        return lambda: services.partnership_transition(
            partnership_id=partnership.pk, name="accept", actor=manager
        )

    outcomes = race(
        accept(*invited[0]),
        lambda: services.project_transition(
            project_id=project.pk, name="submit", actor=cast.lead_manager
        ),
        accept(*invited[1]),
    )

    project.refresh_from_db()
    assert not isinstance(outcomes[1], Exception), outcomes[1]
    assert project.state == ProjectState.SUBMITTED
    for (partnership, _manager), outcome in zip(invited, (outcomes[0], outcomes[2]), strict=True):
        partnership = Partnership.objects.get(pk=partnership.pk)
        logs = list(
            TransitionLog.objects.filter(
                content_type__model="partnership", object_id=partnership.pk
            ).values_list("transition", flat=True)
        )
        if isinstance(outcome, Exception):
            # The submit came first: the invitation was declined, the late accept refused.
            assert isinstance(outcome, WrongState)
            assert partnership.state == PartnershipState.DECLINED
            assert logs == ["invite", "sign_mandate", "decline"]
        else:
            # The accept came first: the partner is in, and the submit did not decline it.
            assert partnership.state == PartnershipState.CONFIRMED
            assert logs == ["invite", "sign_mandate", "accept"]
    assert TransitionLog.objects.filter(project=project, transition="submit").count() == 1


def test_concurrent_approvals_of_one_call_stay_within_its_budget(cast, monkeypatch):
    """Four approvals of different proposals at once, room in the call for two: the budget
    check sums the call's awards, so it must hold the call row, not just each project's."""
    from decimal import Decimal

    from django.db.models import Sum

    from projects.models import JointProject

    cast.call.budget = Decimal("10500.00")
    cast.call.save()
    projects = []
    for _ in range(4):
        project = advance(cast, build_ready(cast), ProjectState.UNDER_REVIEW)
        review(cast, project, cast.reviewer)
        review(cast, project, cast.reviewer2)
        projects.append(project)
    rules = conditions.RULES[("project", "approve")]
    # Slow every rule down: without the call lock all four read the same committed total.
    monkeypatch.setitem(conditions.RULES, ("project", "approve"), [slow(r, 0.1) for r in rules])

    def approve(project):
        return lambda: services.project_transition(
            project_id=project.pk,
            name="approve",
            actor=cast.coordinator,
            awarded_amount=Decimal("5000.00"),
        )

    outcomes = race(*(approve(p) for p in projects))

    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 2, outcomes
    assert all(o.status == 422 and [f.code for f in o.failures] == ["call_budget"] for o in refused)
    committed = JointProject.objects.filter(call=cast.call).aggregate(t=Sum("awarded_amount"))["t"]
    assert committed == Decimal("10000.00")
    assert JointProject.objects.filter(call=cast.call, state=ProjectState.APPROVED).count() == 2
