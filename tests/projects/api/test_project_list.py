"""The API's project list builds its rows without DRF's per-field machinery: the JSON must stay
what ProjectListSerializer (the documented schema) gives, field for field and in order."""

import json
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from projects.api.serializers import ProjectListSerializer
from projects.models import JointProject
from projects.selectors import project_figures
from tests.factories import BudgetLineFactory, CallTierFactory, CentreFactory, JointProjectFactory
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db


def varied(cast):
    """Rows that differ in every way a field's JSON can: no tier or a tier, no dates, an awarded
    amount with and without cents, a budget with cents, no budget (null rate), a public state."""
    tier = CallTierFactory(call=cast.call)
    funded = JointProjectFactory(call=cast.call, tier=tier, lead_centre=cast.lead_centre)
    BudgetLineFactory(partnership=funded.partnerships.get(), amount=Decimal("12345.67"))
    JointProject.objects.filter(pk=funded.pk).update(
        state=ProjectState.APPROVED, awarded_amount=Decimal("9000.5")
    )
    undated = JointProjectFactory(
        call=cast.call,
        lead_centre=cast.lead_centre,
        start_date=None,
        end_date=None,
        acronym="",
        summary="Ünïcode — «quotes» & <tags>",
    )
    JointProject.objects.filter(pk=undated.pk).update(awarded_amount=Decimal("0"))
    JointProjectFactory(call=cast.call, lead_centre=CentreFactory(country="HR"), with_lead=False)
    return [funded, undated]


@pytest.mark.parametrize("user", ["lead_manager", "coordinator"])
def test_the_list_is_what_the_list_serializer_gives(cast, user):
    varied(cast)
    client = APIClient()
    client.force_authenticate(getattr(cast, user))
    response = client.get("/api/v1/projects/")
    assert response.status_code == 200
    body = response.json()
    ids = [row["id"] for row in body["results"]]
    assert len(ids) == body["count"] >= 2
    projects = project_figures(
        JointProject.objects.filter(pk__in=ids).order_by("-created_at", "-id")
    )
    expected = json.loads(json.dumps(ProjectListSerializer(projects, many=True).data))
    assert body["results"] == expected
    # Same keys in the same order as the schema's serializer, not only equal dicts.
    assert [list(row) for row in body["results"]] == [list(row) for row in expected]


def test_the_list_filters_and_pages_as_before(cast):
    funded, undated = varied(cast)
    client = APIClient()
    client.force_authenticate(cast.coordinator)
    body = client.get("/api/v1/projects/", {"state": ProjectState.APPROVED}).json()
    assert [row["id"] for row in body["results"]] == [funded.pk]
    assert body["results"][0]["awarded_amount"] == "9000.50"
    assert body["results"][0]["total_cost"] == "12345.67"
    body = client.get("/api/v1/projects/", {"q": undated.title}).json()
    assert [row["id"] for row in body["results"]] == [undated.pk]
    assert body["results"][0]["start_date"] is None
    assert body["results"][0]["cofinancing_rate"] is None
    assert body["results"][0]["awarded_amount"] == "0.00"
