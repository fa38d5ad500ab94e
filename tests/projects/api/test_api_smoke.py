"""The API end to end: token, a proposal from creation to approval, refusals' status codes."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from tests.workflow.conftest import build_ready, review

pytestmark = pytest.mark.django_db


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_token_auth_and_me(cast):
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "lead", "password": "correct-horse-battery"},
        format="json",
    )
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    me = client.get("/api/v1/me/").json()
    assert me["username"] == "lead"
    assert me["memberships"] == [
        {"centre": cast.lead_centre.pk, "centre_name": cast.lead_centre.name, "role": "manager"}
    ]
    assert me["roles"] == []
    assert APIClient().get("/api/v1/me/").status_code == 401


def test_a_proposal_through_the_api(cast):
    lead = client_for(cast.lead_manager)
    response = lead.post(
        "/api/v1/projects/",
        {
            "call": cast.call.pk,
            "lead_centre": cast.lead_centre.pk,
            "title": "Night Voices",
            "acronym": "NIV",
            "summary": "Stories after dark.",
            "start_date": "2027-03-01",
            "end_date": "2028-02-28",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    project = response.json()
    assert project["state"] == "draft"
    assert "open_partner_search" in project["available_transitions"]
    assert [p["role"] for p in project["partnerships"]] == ["lead"]

    # Submitting now fails several conditions at once, and says which.
    response = lead.post(f"/api/v1/projects/{project['id']}/transitions/submit/", {}, format="json")
    assert response.status_code == 422
    codes = {error["code"] for error in response.json()["errors"]}
    assert {"min_partners", "min_countries", "mandate_missing", "budget_empty"} <= codes

    # Invite a partner, who accepts.
    response = lead.post(
        f"/api/v1/projects/{project['id']}/partnerships/",
        {"centre": cast.partner_centre.pk},
        format="json",
    )
    assert response.status_code == 201
    partnership = response.json()
    assert partnership["state"] == "invited"
    partner = client_for(cast.partner_manager)
    response = partner.post(
        f"/api/v1/partnerships/{partnership['id']}/transitions/accept/", {}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["state"] == "confirmed"
    response = partner.put(
        f"/api/v1/partnerships/{partnership['id']}/budget/",
        {
            "lines": [{"category": "travel", "description": "Trains", "amount": "4000.00"}],
            "own_contribution": "1000.00",
        },
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["requested_grant"] == "3000.00"
    response = partner.post(
        f"/api/v1/partnerships/{partnership['id']}/mandate/", {"declaration": True}, format="json"
    )
    assert response.json()["mandate_signed"] is True

    detail = lead.get(f"/api/v1/projects/{project['id']}/").json()
    assert detail["total_cost"] == "4000.00"
    assert [entry["transition"] for entry in detail["history"]][:2] == ["create", "create"]


def test_refusals_have_their_status(cast):
    project = build_ready(cast)
    url = f"/api/v1/projects/{project.pk}/transitions/"
    # 404: a draft of another centre is invisible.
    assert (
        client_for(cast.other_manager).post(url + "submit/", {}, format="json").status_code == 404
    )
    # 403: staff of the lead centre sees the proposal but may not commit the centre.
    assert client_for(cast.lead_staff).post(url + "submit/", {}, format="json").status_code == 403
    # 409: approving a draft.
    assert client_for(cast.coordinator).post(url + "approve/", {}, format="json").status_code == 409
    # 404: no such transition.
    assert client_for(cast.coordinator).post(url + "fly/", {}, format="json").status_code == 404
    # 400: malformed input.
    response = client_for(cast.coordinator).post(
        url + "approve/", {"awarded_amount": "lots"}, format="json"
    )
    assert response.status_code == 400
    assert "awarded_amount" in response.json()


def test_approval_and_ranking(cast):
    from workflow import services

    project = build_ready(cast)
    services.project_transition(project_id=project.pk, name="submit", actor=cast.lead_manager)
    services.project_transition(project_id=project.pk, name="start_review", actor=cast.coordinator)
    review(cast, project, cast.reviewer, scores=(9, 8))
    review(cast, project, cast.reviewer2, scores=(7, 6))
    coordinator = client_for(cast.coordinator)
    ranking = coordinator.get(f"/api/v1/calls/{cast.call.pk}/ranking/").json()
    row = ranking["results"][0]
    assert row["mean_score"] == "15.00"
    assert row["above_threshold"] is True
    assert row["requested_grant"] == "24000.00"
    assert (
        client_for(cast.lead_manager).get(f"/api/v1/calls/{cast.call.pk}/ranking/").status_code
        == 403
    )

    response = coordinator.post(
        f"/api/v1/projects/{project.pk}/transitions/approve/",
        {"awarded_amount": "20000.00"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["state"] == "approved"
    assert response.json()["awarded_amount"] == "20000.00"
    assert Decimal(response.json()["requested_grant"]) == Decimal("24000.00")
