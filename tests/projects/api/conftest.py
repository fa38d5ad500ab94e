"""Data every API input test hits: a project in each state that takes input."""

import pytest

from tests.workflow.conftest import advance, build_ready
from workflow import services
from workflow.states import ProjectState


@pytest.fixture
def world(cast):
    """A draft, a project under review with an assigned review, and one in reporting with a
    draft final report; the ids every row needs."""
    draft = build_ready(cast)
    reviewing = advance(cast, build_ready(cast), ProjectState.UNDER_REVIEW)
    assigned = services.review_assign(
        project_id=reviewing.pk, reviewer=cast.reviewer, actor=cast.coordinator
    )
    reporting = advance(cast, build_ready(cast), ProjectState.REPORTING)
    report = services.report_create(project_id=reporting.pk, actor=cast.lead_manager, kind="final")
    partners = list(reporting.partnerships.order_by("pk").values_list("pk", flat=True))
    criteria = list(cast.call.criteria.order_by("pk").values_list("pk", flat=True))
    return {
        "cast": cast,
        "draft": draft.pk,
        "reviewing": reviewing.pk,
        "review": assigned.pk,
        "reporting": reporting.pk,
        "report": report.pk,
        "partnership": draft.partnerships.get(role="lead").pk,
        "partners": partners,
        "criteria": criteria,
        "other_partnership": draft.partnerships.exclude(role="lead").first().pk,
    }
