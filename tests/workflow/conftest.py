"""A small network and a proposal ready for each step of its lifecycle, built via the services."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from projects.models import BudgetCategory
from projects.services import project_create
from tests.factories import (
    AwardCriterionFactory,
    CallFactory,
    CentreFactory,
    MembershipFactory,
    UserFactory,
    coordinator,
    reviewer,
)
from workflow import services


@dataclass
class Cast:
    lead_manager: object
    lead_staff: object
    partner_manager: object
    partner2_manager: object
    other_manager: object
    reviewer: object
    reviewer2: object
    coordinator: object
    lead_centre: object
    partner_centre: object
    partner2_centre: object
    other_centre: object
    call: object


@pytest.fixture
def cast(db):
    call = CallFactory(min_partners=3, min_countries=2, max_grant=Decimal("100000"), min_reviews=2)
    AwardCriterionFactory(call=call, name="Quality", max_score=10, threshold=5)
    AwardCriterionFactory(call=call, name="Reach", max_score=10, threshold=4)
    call.overall_threshold = Decimal("12")
    call.save()
    centres = {
        "lead": CentreFactory(name="Maison de la culture de Lyon", country="FR"),
        "partner": CentreFactory(name="Centre culturel de Liège", country="BE"),
        "partner2": CentreFactory(name="Kulturni centar Zagreb", country="HR"),
        "other": CentreFactory(name="Kulturhaus Graz", country="AT"),
    }

    def member(centre, username, role="manager"):
        user = UserFactory(username=username)
        MembershipFactory(centre=centres[centre], user=user, role=role)
        return user

    return Cast(
        lead_manager=member("lead", "lead"),
        lead_staff=member("lead", "member", role="staff"),
        partner_manager=member("partner", "partner"),
        partner2_manager=member("partner2", "partner2"),
        other_manager=member("other", "other"),
        reviewer=reviewer(username="reviewer"),
        reviewer2=reviewer(username="reviewer2"),
        coordinator=coordinator(username="coordinator"),
        lead_centre=centres["lead"],
        partner_centre=centres["partner"],
        partner2_centre=centres["partner2"],
        other_centre=centres["other"],
        call=call,
    )


BUDGET = [
    {"category": BudgetCategory.STAFF, "description": "Team", "amount": Decimal("8000.00")},
    {"category": BudgetCategory.TRAVEL, "description": "Travel", "amount": Decimal("2000.00")},
]


def build_draft(cast, **fields):
    return project_create(
        actor=cast.lead_manager,
        call=cast.call,
        lead_centre=cast.lead_centre,
        title="Shared Stages",
        acronym="SHS",
        summary="Three centres share their stages.",
        start_date=fields.pop("start_date", cast.call.deadline.date()),
        end_date=fields.pop(
            "end_date", cast.call.deadline.date().replace(year=cast.call.deadline.year + 1)
        ),
        **fields,
    )


def add_partner(cast, project, centre, manager):
    partnership = services.partnership_invite(
        project_id=project.pk, centre_id=centre.pk, actor=cast.lead_manager
    )
    services.partnership_sign_mandate(
        partnership_id=partnership.pk, actor=manager, declaration=True
    )
    services.partnership_transition(partnership_id=partnership.pk, name="accept", actor=manager)
    services.partnership_set_budget(
        partnership_id=partnership.pk,
        actor=manager,
        lines=BUDGET,
        own_contribution=Decimal("2000.00"),
    )
    return partnership


def build_ready(cast):
    """A draft that meets every submit condition: 3 centres, 3 countries, mandates, budgets."""
    project = build_draft(cast)
    lead = project.partnerships.get()
    services.partnership_sign_mandate(
        partnership_id=lead.pk, actor=cast.lead_manager, declaration=True
    )
    services.partnership_set_budget(
        partnership_id=lead.pk,
        actor=cast.lead_manager,
        lines=BUDGET,
        own_contribution=Decimal("2000.00"),
    )
    add_partner(cast, project, cast.partner_centre, cast.partner_manager)
    add_partner(cast, project, cast.partner2_centre, cast.partner2_manager)
    return project


def review(cast, project, user, scores=(8, 7)):
    criteria = list(cast.call.criteria.all())
    r = services.review_assign(project_id=project.pk, reviewer=user, actor=cast.coordinator)
    services.review_score(
        review_id=r.pk,
        actor=user,
        scores=[
            {"criterion": c.pk, "score": s, "comment": ""}
            for c, s in zip(criteria, scores, strict=True)
        ],
    )
    services.review_transition(review_id=r.pk, name="submit", actor=user)
    return r


def advance(cast, project, to):
    """Move a ready proposal along the main path until it reaches state `to`."""
    from workflow.states import ProjectState as S

    steps = [
        (
            S.SUBMITTED,
            lambda: services.project_transition(
                project_id=project.pk, name="submit", actor=cast.lead_manager
            ),
        ),
        (
            S.UNDER_REVIEW,
            lambda: services.project_transition(
                project_id=project.pk, name="start_review", actor=cast.coordinator
            ),
        ),
        (S.APPROVED, lambda: _approve(cast, project)),
        (S.IN_PROGRESS, lambda: _start(cast, project)),
        (
            S.REPORTING,
            lambda: services.project_transition(
                project_id=project.pk, name="begin_reporting", actor=cast.coordinator
            ),
        ),
        (S.REPORT_SUBMITTED, lambda: _submit_final_report(cast, project)),
        (
            S.COMPLETED,
            lambda: services.project_transition(
                project_id=project.pk, name="complete", actor=cast.coordinator
            ),
        ),
    ]
    for _target, step in steps:
        step()
        project.refresh_from_db()
        if project.state == to:
            return project
    raise AssertionError(f"{to} is not on the main path")


def _approve(cast, project):
    review(cast, project, cast.reviewer)
    review(cast, project, cast.reviewer2)
    services.project_transition(
        project_id=project.pk,
        name="approve",
        actor=cast.coordinator,
        awarded_amount=Decimal("20000.00"),
    )


def _start(cast, project):
    managers = {
        cast.lead_centre.pk: cast.lead_manager,
        cast.partner_centre.pk: cast.partner_manager,
        cast.partner2_centre.pk: cast.partner2_manager,
    }
    for partnership in project.partnerships.filter(state="confirmed"):
        services.partnership_accept_agreement(
            partnership_id=partnership.pk, actor=managers[partnership.centre_id]
        )
    services.project_transition(project_id=project.pk, name="start", actor=cast.coordinator)


def write_final_report(cast, project, amount=Decimal("10000.00")):
    report = services.report_create(project_id=project.pk, actor=cast.lead_manager, kind="final")
    services.report_update(
        report_id=report.pk,
        actor=cast.lead_manager,
        narrative="We toured three cities.",
        indicators={"events": 12, "audience": {"FR": 900, "BE": 400}},
        costs=[
            {"partnership": p.pk, "amount": amount}
            for p in project.partnerships.filter(state="confirmed")
        ],
    )
    return report


def _submit_final_report(cast, project):
    write_final_report(cast, project)
    services.project_transition(
        project_id=project.pk, name="submit_report", actor=cast.lead_manager
    )
