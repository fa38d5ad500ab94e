"""The OpenAPI schema is valid, and schema-driven fuzzing of every operation finds no 500."""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from rest_framework.authtoken.models import Token

from tests.workflow.conftest import advance, build_ready, write_final_report
from workflow.states import ProjectState


def generated_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(json.dumps(schema, default=str))


SCHEMA = generated_schema()
APP = get_wsgi_application()
fuzzed = schemathesis.openapi.from_dict(SCHEMA)


def test_the_schema_is_valid_openapi_3():
    validate(SCHEMA)
    paths = set(SCHEMA["paths"])
    for path in [
        "/api/v1/me/",
        "/api/v1/calls/{id}/ranking/",
        "/api/v1/projects/{id}/transitions/{name}/",
        "/api/v1/partnerships/{id}/budget/",
        "/api/v1/reviews/{id}/transitions/{name}/",
        "/api/v1/notifications/",
    ]:
        assert path in paths


@pytest.mark.django_db
def test_the_schema_and_docs_are_served(client):
    assert client.get("/api/v1/schema/").status_code == 200
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content


@pytest.fixture
def keep_the_test_connection():
    """The raw WSGI app closes database connections after each request (Django's test client
    does not): keep the test's connection, and its transaction, open."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(cast, keep_the_test_connection):
    """Data to hit (a draft, and a project in reporting with scored reviews, payments and a
    final report with costs) and a token per kind of user."""
    build_ready(cast)
    write_final_report(cast, advance(cast, build_ready(cast), ProjectState.REPORTING))
    return [
        Token.objects.create(user=user).key
        for user in (cast.lead_manager, cast.coordinator, cast.reviewer)
    ]


@fuzzed.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_no_operation_answers_500(case, tokens):
    for token in tokens:
        response = case.call(app=APP, headers={"Authorization": f"Token {token}"})
        assert response.status_code < 500, (case.method, case.formatted_path, response.text[:500])
