"""The main API endpoints run a fixed number of queries whatever the data size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from projects.api.authentication import token_for
from tests.factories import (
    BudgetLineFactory,
    CentreFactory,
    JointProjectFactory,
    PartnershipFactory,
)
from tests.workflow.conftest import build_ready
from workflow import services

pytestmark = pytest.mark.django_db


def queries(client, url):
    client.get(url)  # warm per-process caches (content types, roles)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured)


def grow(cast, projects, partners_each):
    for _ in range(projects):
        project = JointProjectFactory(call=cast.call, lead_centre=cast.lead_centre)
        for _ in range(partners_each):
            partnership = PartnershipFactory(project=project, centre=CentreFactory())
            BudgetLineFactory(partnership=partnership)


@pytest.mark.parametrize("user", ["lead_manager", "coordinator"])
def test_project_list(cast, user):
    client = APIClient()
    client.force_authenticate(getattr(cast, user))
    grow(cast, projects=2, partners_each=1)
    small = queries(client, "/api/v1/projects/")
    grow(cast, projects=20, partners_each=4)
    large = queries(client, "/api/v1/projects/")
    assert large == small, f"{small} queries for 2 projects, {large} for 22"


def test_project_detail(cast):
    client = APIClient()
    client.force_authenticate(cast.lead_manager)
    project = build_ready(cast)  # 3 partners, a dozen log rows
    url = f"/api/v1/projects/{project.pk}/"
    small = queries(client, url)
    for _ in range(6):
        centre = CentreFactory()
        services.partnership_invite(
            project_id=project.pk, centre_id=centre.pk, actor=cast.lead_manager
        )
    large = queries(client, url)
    assert large == small, f"{small} queries with 3 partners, {large} with 9"


def test_review_queue_and_notifications(cast, django_capture_on_commit_callbacks):
    client = APIClient()
    client.force_authenticate(cast.lead_staff)
    with django_capture_on_commit_callbacks(execute=True):
        build_ready(cast)
    small = queries(client, "/api/v1/notifications/")
    with django_capture_on_commit_callbacks(execute=True):
        build_ready(cast)
        build_ready(cast)
    assert queries(client, "/api/v1/notifications/") == small


def test_a_token_request_reads_token_and_user_in_one_query_and_roles_in_one(cast):
    """The fixed cost of every API call: the token comes with its user (select_related), the
    expiry check reads nothing more, and the roles (groups and memberships) are one query."""
    key = token_for(cast.lead_manager).key
    client = APIClient()
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/projects/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200, response.content
    sql = [query["sql"] for query in captured]
    auth = [query for query in sql if "authtoken_token" in query or '"auth_user"' in query]
    assert len(auth) == 2, auth
    assert '"auth_user"' in auth[0] and "authtoken_token" in auth[0]  # one query, joined
    assert "auth_user_groups" in auth[1] and "projects_membership" in auth[1]  # roles
    assert sum("auth_user_groups" in query for query in sql) == 1
