"""Bad input to the API is a 400 (or 404) with a JSON body, never a 500.

Table-driven: each row is a user, a request and the answer expected (status and the key of the
body that names the problem).
"""

import json

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cms import views as cms_views
from projects.api.parsers import MAX_DEPTH, nesting_depth
from tests.factories import UserFactory, reviewer
from tests.workflow.conftest import review
from workflow import services

pytestmark = pytest.mark.django_db

DEEP_ARRAY = "[" * 5000 + "]" * 5000
DEEP_OBJECT = '{"a":' * 5000 + "1" + "}" * 5000
TOO_DEEP = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
LONG = "x" * 20_001


def client_for(world, user):
    client = APIClient()
    if user != "anonymous":
        client.force_authenticate(getattr(world["cast"], user))
    return client


def send(world, user, method, url, body):
    """body: a str is sent as it is; anything else as JSON."""
    raw = body if isinstance(body, str) else json.dumps(body)
    return client_for(world, user).generic(
        method, url.format(**world), raw, content_type="application/json"
    )


# Every endpoint that reads a JSON body, with a user allowed to write there.
WRITE_ENDPOINTS = [
    ("anonymous", "POST", "/api/v1/auth/token/"),
    ("lead_manager", "POST", "/api/v1/projects/"),
    ("lead_manager", "PATCH", "/api/v1/projects/{draft}/"),
    ("lead_manager", "POST", "/api/v1/projects/{draft}/transitions/submit/"),
    ("lead_manager", "POST", "/api/v1/projects/{draft}/partnerships/"),
    ("coordinator", "POST", "/api/v1/projects/{reviewing}/reviews/"),
    ("lead_manager", "POST", "/api/v1/projects/{reporting}/reports/"),
    ("lead_manager", "POST", "/api/v1/partnerships/{partnership}/transitions/withdraw/"),
    ("lead_manager", "POST", "/api/v1/partnerships/{partnership}/mandate/"),
    ("lead_manager", "PUT", "/api/v1/partnerships/{partnership}/budget/"),
    ("lead_manager", "POST", "/api/v1/partnerships/{partnership}/agreement/"),
    ("reviewer", "PATCH", "/api/v1/reviews/{review}/"),
    ("reviewer", "POST", "/api/v1/reviews/{review}/transitions/submit/"),
    ("lead_manager", "PATCH", "/api/v1/reports/{report}/"),
    ("lead_manager", "POST", "/api/v1/reports/{report}/transitions/submit/"),
]


def test_deep_json_is_refused_on_every_endpoint(world):
    # One world for the whole table: building it is the slow part.
    wrong = []
    for user, method, url in WRITE_ENDPOINTS:
        for name, body in [("array", DEEP_ARRAY), ("object", DEEP_OBJECT), ("33", TOO_DEEP)]:
            response = send(world, user, method, url, body)
            if response.status_code != 400 or "nested deeper" not in response.json()["detail"]:
                wrong.append((method, url, name, response.status_code, response.content[:200]))
    assert not wrong


@pytest.mark.parametrize(
    "body",
    ['{"a": 1', "NaN", '{"username": Infinity}', "1" * 5000, '"\\ud800"x', "\ufeff{}"],
    ids=["truncated", "nan", "infinity", "huge-int", "trailing", "bom"],
)
def test_malformed_json_is_a_parse_error(db, body):
    response = APIClient().generic(
        "POST", "/api/v1/auth/token/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


def test_parse_errors_follow_the_language(db):
    response = APIClient().generic(
        "POST",
        "/api/v1/auth/token/",
        TOO_DEEP,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == (
        f"Le JSON imbriqué sur plus de {MAX_DEPTH} niveaux n'est pas accepté."
    )


def test_a_body_in_another_charset_that_does_not_decode_is_refused(world):
    response = client_for(world, "lead_manager").generic(
        "PATCH",
        f"/api/v1/reports/{world['report']}/",
        b'{"narrative": "\xff"}',
        content_type="application/json; charset=utf-8",
    )
    assert response.status_code == 400
    assert "utf-8" in response.json()["detail"]


def test_brackets_inside_strings_do_not_count_as_nesting(world):
    narrative = "[" * 5000 + '\\"{' * 100 + "\\\\"
    response = send(
        world, "lead_manager", "PATCH", "/api/v1/reports/{report}/", {"narrative": narrative}
    )
    assert response.status_code == 200, response.content[:300]
    assert response.json()["narrative"] == narrative


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("{}", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ('["[[[", "\\"[[", "\\\\", []]', 2),
        ('"\\\\\\"[["', 0),
        ("[" * 40, MAX_DEPTH + 1),  # the scan stops once past the limit
    ],
)
def test_nesting_depth(text, depth):
    assert nesting_depth(text) == depth


def test_a_body_larger_than_the_upload_limit_is_refused(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = send(
        world, "lead_manager", "PATCH", "/api/v1/reports/{report}/", {"narrative": "x" * 2000}
    )
    assert response.status_code == 400
    assert "larger than 1000 bytes" in response.json()["detail"]


def costs(world, *amounts):
    return [
        {"partnership": p, "amount": a} for p, a in zip(world["partners"], amounts, strict=False)
    ]


REPORT = ("lead_manager", "PATCH", "/api/v1/reports/{report}/")
REVIEW = ("reviewer", "PATCH", "/api/v1/reviews/{review}/")
BUDGET = ("lead_manager", "PUT", "/api/v1/partnerships/{partnership}/budget/")
PROJECT = ("lead_manager", "PATCH", "/api/v1/projects/{draft}/")
APPROVE = ("coordinator", "POST", "/api/v1/projects/{reviewing}/transitions/approve/")


def budget(amount="100.00", own="0.00", lines=1):
    return {
        "lines": [{"category": "travel", "amount": amount}] * lines,
        "own_contribution": own,
    }


# (name, endpoint, body (a function of the world's ids), the key naming the problem)
FIELD_ERRORS = [
    # The same partnership twice in a report's costs.
    (
        "duplicate-cost",
        REPORT,
        lambda w: {"costs": [{"partnership": w["partners"][0], "amount": "1.00"}] * 2},
        "costs",
    ),
    ("unknown-partnership", REPORT, lambda w: {"costs": [{"partnership": 999999, "amount": "1"}]}),
    (
        "other-projects-partnership",
        REPORT,
        lambda w: {"costs": [{"partnership": w["other_partnership"], "amount": "1"}]},
    ),
    ("huge-partnership-id", REPORT, lambda w: {"costs": [{"partnership": 10**30, "amount": "1"}]}),
    ("too-many-costs", REPORT, lambda w: {"costs": costs(w, "1") * 201}),
    ("negative-cost", REPORT, lambda w: {"costs": costs(w, "-0.01")}),
    ("nan-cost", REPORT, lambda w: {"costs": costs(w, "NaN")}),
    ("infinite-cost", REPORT, lambda w: {"costs": costs(w, "Infinity")}),
    ("1e999-cost", REPORT, lambda w: {"costs": costs(w, "1e999")}),
    ("1e999-number-cost", REPORT, lambda w: {"costs": costs(w, 1e300)}),
    ("too-many-digits-cost", REPORT, lambda w: {"costs": costs(w, "1000000000000.00")}),
    ("too-many-places-cost", REPORT, lambda w: {"costs": costs(w, "1.001")}),
    ("huge-events", REPORT, lambda w: {"indicators": {"events": 10**30}}, "indicators"),
    ("events-over-limit", REPORT, lambda w: {"indicators": {"events": 10_000_001}}, "indicators"),
    ("huge-audience", REPORT, lambda w: {"indicators": {"audience": {"FR": 10**30}}}, "indicators"),
    (
        "too-many-outputs",
        REPORT,
        lambda w: {"indicators": {"outputs": [{"title": "A film"}] * 201}},
        "indicators",
    ),
    (
        "long-country-code",
        REPORT,
        lambda w: {"indicators": {"audience": {"F" * 100_000: 1}}},
        "indicators",
    ),
    ("long-narrative", REPORT, lambda w: {"narrative": "x" * 50_001}, "narrative"),
    # Reviews: the same criterion twice, an unknown one, too many, too long.
    (
        "duplicate-score",
        REVIEW,
        lambda w: {"scores": [{"criterion": w["criteria"][0], "score": 5}] * 2},
        "scores",
    ),
    ("unknown-criterion", REVIEW, lambda w: {"scores": [{"criterion": 999999, "score": 5}]}),
    ("huge-criterion", REVIEW, lambda w: {"scores": [{"criterion": 10**30, "score": 5}]}),
    (
        "huge-score",
        REVIEW,
        lambda w: {"scores": [{"criterion": w["criteria"][0], "score": 10**30}]},
    ),
    (
        "too-many-scores",
        REVIEW,
        lambda w: {"scores": [{"criterion": w["criteria"][0], "score": 5}] * 201},
        "scores",
    ),
    ("long-review-comment", REVIEW, lambda w: {"comment": LONG}, "comment"),
    # Budgets.
    ("negative-line", BUDGET, lambda w: budget(amount="-1"), "lines"),
    ("nan-line", BUDGET, lambda w: budget(amount="NaN"), "lines"),
    ("infinite-contribution", BUDGET, lambda w: budget(own="-Infinity"), "own_contribution"),
    ("1e999-contribution", BUDGET, lambda w: budget(own="1e999"), "own_contribution"),
    ("too-many-lines", BUDGET, lambda w: budget(lines=201), "lines"),
    # Projects.
    ("long-title", PROJECT, lambda w: {"title": LONG}, "title"),
    ("long-description", PROJECT, lambda w: {"description": LONG}, "description"),
    ("long-profile", PROJECT, lambda w: {"sought_partner_profile": LONG}, "sought_partner_profile"),
    ("huge-tier", PROJECT, lambda w: {"tier": 10**30}, "tier"),
    ("negative-tier", PROJECT, lambda w: {"tier": -1}, "tier"),
    ("nul-title", PROJECT, lambda w: {"title": "a\x00b"}, "title"),
    ("year-10000", PROJECT, lambda w: {"end_date": "10000-01-01"}, "end_date"),
    ("huge-award", APPROVE, lambda w: {"awarded_amount": "1e999"}, "awarded_amount"),
    ("nan-award", APPROVE, lambda w: {"awarded_amount": "NaN"}, "awarded_amount"),
    ("long-comment", APPROVE, lambda w: {"comment": LONG}, "comment"),
    (
        "far-resubmission",
        APPROVE,
        lambda w: {"resubmission_date": "9999-12-31T23:59:59-23:00"},
        "resubmission_date",
    ),
]


def test_bad_values_are_field_errors(world):
    wrong = []
    for name, (user, method, url), body, *key in FIELD_ERRORS:
        response = send(world, user, method, url, body(world))
        errors = response.json()
        if (
            response.status_code != 400
            or not isinstance(errors, dict)
            or (key and key[0] not in errors)
            # The answer stays short whatever the input's size: values are not echoed back.
            or len(response.content) > 5000
        ):
            wrong.append((name, response.status_code, response.content[:300]))
    assert not wrong


def test_creating_with_huge_ids_is_a_field_error(world):
    cast = world["cast"]
    body = {"call": 10**30, "lead_centre": cast.lead_centre.pk, "title": "T"}
    response = send(world, "lead_manager", "POST", "/api/v1/projects/", body)
    assert response.status_code == 400
    assert "call" in response.json()
    response = send(
        world, "lead_manager", "POST", "/api/v1/projects/{draft}/partnerships/", {"centre": 2**63}
    )
    assert response.status_code == 400
    assert "centre" in response.json()
    response = send(
        world,
        "coordinator",
        "POST",
        "/api/v1/projects/{reviewing}/reviews/",
        {"reviewer": -(2**70)},
    )
    assert response.status_code == 400
    assert "reviewer" in response.json()


def test_good_bounded_values_are_accepted(world):
    """The limits leave room for real reports: the largest accepted values go through."""
    body = {
        "indicators": {
            "events": 10_000_000,
            "audience": {"FR": 10_000_000, "be": 0},
            "outputs": [{"title": "t" * 300, "url": "https://example.org/"}] * 200,
        },
        "costs": costs(world, "999999999999.99", "0", "1"),
    }
    response = send(world, *REPORT, body)
    assert response.status_code == 200, response.content[:500]
    assert response.json()["indicators"]["audience"] == {"FR": 10_000_000, "BE": 0}
    response = send(world, *PROJECT, {"description": "x" * 20_000})
    assert response.status_code == 200, response.content[:500]


def test_duplicate_costs_leave_the_report_as_it_was(world):
    send(world, *REPORT, {"costs": costs(world, "5.00")})
    response = send(world, *REPORT, {"costs": costs(world, "7.00") + costs(world, "8.00")})
    assert response.status_code == 400
    assert "twice" in json.dumps(response.json())
    report = client_for(world, "lead_manager").get(f"/api/v1/reports/{world['report']}/").json()
    assert [c["amount"] for c in report["costs"]] == ["5.00"]


# Errors raised outside the API's views: still JSON under /api/.
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/nope/",
        "/api/v1/projects/abc/",
        "/api/v1/reviews/1x/",
        "/api/nope",
        "/api/v1/projects/99999999/",
    ],
)
def test_not_found_under_the_api_is_json(db, url):
    client = APIClient()
    client.force_authenticate(UserFactory())
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_not_found_outside_the_api_is_still_a_page(client, site_tree):
    response = client.get("/en/nope/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_nul_byte_under_the_api_is_a_json_400(db):
    response = APIClient().get("/api/v1/projects/", {"q": "a\x00"})
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
    response = APIClient().get("/workspace/", {"q": "a\x00"})
    assert response.status_code == 400
    assert not response["Content-Type"].startswith("application/json")


def test_a_disallowed_host_under_the_api_is_a_json_400(db, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    response = APIClient().get("/api/v1/calls/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Bad request."}


def test_a_server_error_under_the_api_is_json():
    response = cms_views.server_error(RequestFactory().get("/api/v1/projects/"))
    assert response.status_code == 500
    assert json.loads(response.content) == {"detail": "Server error."}
    page = cms_views.server_error(RequestFactory().get("/en/"))
    assert page.status_code == 500
    assert b"<html" in page.content.lower()


def test_an_unexpected_exception_in_an_api_view_answers_json(db, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("projects.api.views.CallViewSet.list", boom)
    response = APIClient(raise_request_exception=False).get("/api/v1/calls/")
    assert response.status_code == 500
    assert response.json() == {"detail": "Server error."}


# GET /projects/{id}/reviews/ is paginated as its schema says, in a fixed number of queries.
def test_project_reviews_are_paginated(world):
    cast = world["cast"]
    coordinator = client_for(world, "coordinator")
    url = f"/api/v1/projects/{world['reviewing']}/reviews/"
    body = coordinator.get(url).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    assert body["results"][0]["id"] == world["review"]

    def count():
        coordinator.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert coordinator.get(url).status_code == 200
        return len(captured)

    small = count()
    review(cast, _project(world), reviewer(username="extra1"))
    for n in range(2, 6):
        services.review_assign(
            project_id=world["reviewing"],
            reviewer=reviewer(username=f"extra{n}"),
            actor=cast.coordinator,
        )
    large = count()
    assert coordinator.get(url).json()["count"] == 6
    assert large == small, f"{small} queries for 1 review, {large} for 6"


def _project(world):
    from projects.models import JointProject

    return JointProject.objects.get(pk=world["reviewing"])


def api_views(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if hasattr(pattern, "url_patterns"):
            yield from api_views(pattern.url_patterns, route)
        elif route.startswith("api/") and hasattr(pattern.callback, "cls"):
            yield route, pattern.callback


def test_every_api_view_parses_json_with_the_safe_parser():
    """A view that sets its own parsers must not bring back the unbounded JSON parser."""
    from django.urls import get_resolver

    from projects.api.parsers import SafeJSONParser

    checked = []
    for route, view in api_views(get_resolver().url_patterns):
        parsers = view.initkwargs.get("parser_classes", view.cls.parser_classes)
        for parser in parsers:
            if "json" in parser.media_type:
                assert issubclass(parser, SafeJSONParser), (route, parser)
        checked.append(route)
    assert any("mandate" in route for route in checked)
    assert any("auth/token" in route for route in checked)
