"""Property: whatever body anyone sends to a write endpoint, the API never answers 5xx.

The schema-driven fuzzing of test_schema.py sends bodies shaped by the schema; this one sends
the odd ones the schema does not describe: nesting thousands deep, huge numbers, NaN, long and
invalid strings, wrong types under the right field names, other charsets.
"""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from tests.projects.api.test_bad_input import WRITE_ENDPOINTS

pytestmark = pytest.mark.django_db

# The names the API's inputs use, so odd values reach the serializers' fields.
FIELDS = [
    "username",
    "password",
    "call",
    "tier",
    "lead_centre",
    "title",
    "acronym",
    "summary",
    "description",
    "start_date",
    "end_date",
    "sought_partner_profile",
    "comment",
    "awarded_amount",
    "override_reason",
    "resubmission_date",
    "centre",
    "reviewer",
    "due_date",
    "kind",
    "declaration",
    "file",
    "lines",
    "category",
    "amount",
    "own_contribution",
    "accept",
    "scores",
    "criterion",
    "score",
    "narrative",
    "indicators",
    "events",
    "audience",
    "artists",
    "outputs",
    "url",
    "costs",
    "partnership",
]

ODD_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.sampled_from([0, 1, -1, 2**31, 2**63, 10**30, 1e308, -1e308, 0.5]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(
        [
            "",
            "NaN",
            "Infinity",
            "-Infinity",
            "1e999",
            "-0.01",
            "1.001",
            "0x10",
            "a\x00b",
            "\ud800",
            "FR",
            "9999-12-31",
            "10000-01-01",
            "2027-02-30",
            "9999-12-31T23:59:59-23:00",
            "travel",
            "final",
            "x" * 60_000,
        ]
    ),
    st.text(max_size=20),
)
JSON_VALUES = st.recursive(
    ODD_SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=4), children, max_size=4),
    ),
    max_leaves=12,
)


def deep(n, opener, closer, middle=""):
    return opener * n + middle + closer * n


BODIES = st.one_of(
    st.dictionaries(st.sampled_from(FIELDS), JSON_VALUES, max_size=5).map(json.dumps),
    JSON_VALUES.map(json.dumps),
    st.integers(1, 50_000).map(lambda n: deep(n, "[", "]")),
    st.integers(1, 50_000).map(lambda n: deep(n, '{"a":', "}", "0")),
    st.integers(1, 50_000).map(lambda n: '{"indicators": ' + deep(n, "[", "]") + "}"),
    st.sampled_from(
        [
            "",
            "NaN",
            "[",
            '{"a": 1e999}',
            '{"events": 1' + "0" * 5000 + "}",
            '{"title": "\\ud800", "narrative": "\\udfff", "comment": "\\ud800"}',
            '{"costs": [{"partnership": 1, "amount": 1e999}]}',
            "\ufeff{}",
            "\x00",
        ]
    ),
)
CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-16",
        "application/json; charset=latin-1",
        "application/json; charset=bz2_codec",
        "application/x-www-form-urlencoded",
        "text/plain",
    ]
)
USERS = ["anonymous", "lead_manager", "coordinator", "reviewer"]


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    endpoint=st.sampled_from(WRITE_ENDPOINTS),
    user=st.sampled_from(USERS),
    body=BODIES,
    content_type=CONTENT_TYPES,
)
def test_no_body_makes_a_write_endpoint_answer_5xx(world, endpoint, user, body, content_type):
    _, method, url = endpoint
    client = APIClient()
    if user != "anonymous":
        client.force_authenticate(getattr(world["cast"], user))
    response = client.generic(
        method,
        url.format(**world),
        body.encode("utf-8", "surrogatepass"),
        content_type=content_type,
    )
    assert response.status_code < 500, (method, url, user, body[:200], response.content[:300])
    assert response["Content-Type"] == "application/json", response["Content-Type"]
