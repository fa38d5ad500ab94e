"""Open data (issue 9, item 7): the 360Giving package and the CSV of the funded grants."""

import csv
import io
import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from projects.models import JointProject, PaymentKind
from projects.open_data import CSV_HEADER, GRANT_ID_PREFIX
from tests.factories import (
    BudgetLineFactory,
    CentreFactory,
    JointProjectFactory,
    PartnershipFactory,
    PaymentFactory,
)
from tests.workflow.conftest import advance, build_ready, cast  # noqa: F401
from workflow.states import ProjectState

# A copy of ../shared/data/360giving (CC BY 4.0, 360Giving): the checkout holds what CI reads.
SCHEMAS = Path(__file__).resolve().parent / "data" / "360giving"
JSON_URL = "/open-data/360giving.json"
CSV_URL = "/open-data/grants.csv"


def package_validator():
    """The package schema with the local grant schema under both its URLs: never the network."""
    grant = json.loads((SCHEMAS / "360-giving-schema.json").read_text())
    package = json.loads((SCHEMAS / "360-giving-package-schema.json").read_text())
    resource = DRAFT202012.create_resource(grant)
    registry = Registry().with_resources(
        [
            (grant["$id"], resource),
            (grant["$id"].replace("/1.4.3/", "/1.4.2/"), resource),
        ]
    )
    return Draft202012Validator(
        package, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.streaming
    return b"".join(response.streaming_content).decode(), response


def fetch_json(client):
    body, response = fetch(client, JSON_URL)
    return json.loads(body), response


def fetch_csv(client):
    body, response = fetch(client, CSV_URL)
    return list(csv.reader(io.StringIO(body))), response


def grant_of(package, project):
    return next(g for g in package["grants"] if g["id"] == f"{GRANT_ID_PREFIX}{project.pk}")


def set_state(project, state, awarded=Decimal("20000.00")):
    # The state field is protected (transitions only): tests that need many grants set it in
    # one UPDATE instead of walking each through the workflow.
    JointProject.objects.filter(pk=project.pk).update(state=state, awarded_amount=awarded)


def funded(n, state=ProjectState.IN_PROGRESS):
    projects = []
    for _ in range(n):
        project = JointProjectFactory()
        partner = PartnershipFactory(project=project, centre=CentreFactory(country="DE"))
        BudgetLineFactory(partnership=partner, amount=Decimal("5000.00"))
        PaymentFactory(project=project, paid_at=timezone.now())
        set_state(project, state)
        projects.append(project)
    return projects


@pytest.fixture
def grant(cast):  # noqa: F811
    """A grant through the workflow: approved (20 000 awarded), started, partly paid."""
    project = advance(cast, build_ready(cast), ProjectState.IN_PROGRESS)
    now = timezone.now()
    # Starting the project scheduled its pre-financing and balance: pay the first only.
    project.payments.all().delete()
    PaymentFactory(
        project=project, kind=PaymentKind.PREFINANCING, amount=Decimal("12000.00"), paid_at=now
    )
    PaymentFactory(project=project, kind=PaymentKind.BALANCE, amount=Decimal("8000.00"))
    PaymentFactory(
        project=project, kind=PaymentKind.RECOVERY, amount=Decimal("1500.00"), paid_at=now
    )
    PaymentFactory(project=project, kind=PaymentKind.RECOVERY, amount=Decimal("700.00"))
    return project


def test_package_validates_against_the_360giving_schema_offline(client, grant):
    # Every optional field we fill: the recipient's website too.
    grant.lead_centre.website = "https://maison-lyon.example.org/"
    grant.lead_centre.save()
    funded(2)
    package, _response = fetch_json(client)
    errors = [e.message for e in package_validator().iter_errors(package)]
    assert errors == []
    assert len(package["grants"]) == 3
    assert package["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert package["version"] == "1.4"
    recipient = grant_of(package, grant)["recipientOrganization"][0]
    assert recipient["url"] == "https://maison-lyon.example.org/"


def test_validator_checks_dates_really(client, grant):
    """The format checker is on: a malformed date must fail (otherwise the test above is moot)."""
    package, _response = fetch_json(client)
    package["grants"][0]["dateModified"] = "yesterday"
    assert list(package_validator().iter_errors(package))


def test_figures_of_a_hand_built_grant(client, cast, grant):  # noqa: F811
    package, _response = fetch_json(client)
    record = grant_of(package, grant)
    # Three partners, each 10 000 of costs minus 2 000 of their own: 24 000 requested.
    assert record["amountAppliedFor"] == 24000.0
    assert record["amountAwarded"] == 20000.0
    # Paid 12 000 out, 1 500 paid back; the unpaid balance and recovery do not count.
    assert record["amountDisbursed"] == 10500.0
    assert record["currency"] == "EUR"
    assert record["title"] == "Shared Stages"
    assert record["description"] == "Three centres share their stages."
    assert record["recipientOrganization"][0]["name"] == "Maison de la culture de Lyon"
    assert record["recipientOrganization"][0]["addressCountry"] == "France"
    assert record["beneficiaryLocation"] == [
        {"countryCode": "BE", "name": "Belgium"},
        {"countryCode": "FR", "name": "France"},
        {"countryCode": "HR", "name": "Croatia"},
    ]
    assert record["fundingOrganization"][0]["name"] == cast.call.network.name
    assert record["grantProgramme"] == [{"code": cast.call.slug, "title": cast.call.title}]
    approved = grant.history.get(transition="approve").at
    assert record["awardDate"] == approved.isoformat().replace("+00:00", "Z")
    assert record["plannedDates"] == [
        {"startDate": grant.start_date.isoformat(), "endDate": grant.end_date.isoformat()}
    ]


def test_only_decided_grants_appear(client, grant):
    shown = {state: funded(1, state)[0] for state in ProjectState.funded()}
    shown[ProjectState.TERMINATED] = funded(1, ProjectState.TERMINATED)[0]
    hidden = [
        funded(1, state)[0]
        for state in [
            ProjectState.DRAFT,
            ProjectState.OPEN_FOR_PARTNERS,
            ProjectState.SUBMITTED,
            ProjectState.UNDER_REVIEW,
            ProjectState.CHANGES_REQUESTED,
            ProjectState.REJECTED,
            ProjectState.WITHDRAWN,
        ]
    ]
    package, _response = fetch_json(client)
    ids = {g["id"] for g in package["grants"]}
    assert ids == {f"{GRANT_ID_PREFIX}{p.pk}" for p in [grant, *shown.values()]}
    assert not ids & {f"{GRANT_ID_PREFIX}{p.pk}" for p in hidden}


def test_csv_matches_the_json(client, grant):
    funded(3)
    package, _response = fetch_json(client)
    rows, response = fetch_csv(client)
    assert response["Content-Type"].startswith("text/csv")
    assert rows[0] == CSV_HEADER
    by_id = {row[0]: dict(zip(CSV_HEADER, row, strict=True)) for row in rows[1:]}
    assert len(by_id) == len(package["grants"]) == 4
    for record in package["grants"]:
        row = by_id[record["id"]]
        assert row["Title"] == record["title"]
        assert float(row["Amount Applied For"]) == record["amountAppliedFor"]
        assert float(row["Amount Awarded"]) == record["amountAwarded"]
        assert float(row["Amount Disbursed"]) == record["amountDisbursed"]
        assert row["Award Date"] == record["awardDate"]
        assert row["Beneficiary Location:Country Code"].split(";") == [
            location["countryCode"] for location in record["beneficiaryLocation"]
        ]
    assert by_id[f"{GRANT_ID_PREFIX}{grant.pk}"]["Beneficiary Location:Country Code"] == "BE;FR;HR"
    total = sum(float(row["Amount Awarded"]) for row in by_id.values())
    assert total == sum(g["amountAwarded"] for g in package["grants"])


@pytest.mark.parametrize("url", [JSON_URL, CSV_URL])
def test_headers_state_licence_freshness_and_caching(client, grant, url):
    _body, response = fetch(client, url)
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["Link"] == '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'
    assert response["Last-Modified"]
    again = client.get(url, headers={"if-modified-since": response["Last-Modified"]})
    assert again.status_code == 304


def test_last_updated_follows_the_latest_change(client, grant):
    funded(1)
    later = timezone.now() + timedelta(days=3)
    JointProject.objects.filter(pk=grant.pk).update(updated_at=later)
    package, _response = fetch_json(client)
    assert package["modified"] == later.isoformat().replace("+00:00", "Z")
    assert grant_of(package, grant)["dateModified"] == package["modified"]


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        fetch(client, url)
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("url", [JSON_URL, CSV_URL])
def test_query_count_does_not_grow_with_the_grants(client, url):
    funded(2)
    small = count_queries(client, url)
    funded(10)
    assert count_queries(client, url) == small


@pytest.mark.django_db
def test_no_grant_no_crash(client):
    rows, _response = fetch_csv(client)
    assert rows == [CSV_HEADER]
