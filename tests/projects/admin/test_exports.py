"""Exports of the coordinators' listings: the filtered rows as CSV and XLSX, small ones at
once, large ones as a background job with its progress and a private download."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from projects import exports
from projects.models import ExportJob, ExportState
from tests.factories import CentreFactory, JointProjectFactory, UserFactory, coordinator
from tests.factories.auth import verified_login
from tests.workflow.conftest import advance, build_ready, review
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db


def read_csv(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def read_xlsx(response):
    content = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def start_url(listing, fmt, **params):
    return reverse("export:start", args=[listing, fmt]), params


@pytest.fixture
def logged_in(client):
    user = coordinator(username="exporter")
    verified_login(client, user)
    return user


def test_a_proposals_csv_holds_exactly_the_filtered_rows(client, logged_in):
    fr, be = CentreFactory(country="FR"), CentreFactory(country="BE")
    JointProjectFactory(lead_centre=fr, title="Alpha, with a comma")
    JointProjectFactory(lead_centre=fr, title="Beta")
    JointProjectFactory(lead_centre=be, title="Gamma")
    url, params = start_url("proposals", "csv", lead_country="FR")
    response = client.get(url, params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    header, body = rows[0], rows[1:]
    assert "Requested grant (EUR)" in header and "Partner countries" in header
    titles = sorted(row[header.index("Title")] for row in body)
    assert titles == ["Alpha, with a comma", "Beta"]


def test_a_proposals_xlsx_has_numbers_for_money(client, logged_in, cast):
    project = build_ready(cast)
    url, params = start_url("proposals", "xlsx", call=cast.call.pk)
    response = client.get(url, params)
    assert response.status_code == 200
    rows = read_xlsx(response)
    header, (row,) = rows[0], rows[1:]
    assert row[header.index("ID")] == project.pk
    # 3 partners × (10,000 − 2,000 own contribution)
    assert Decimal(str(row[header.index("Requested grant (EUR)")])) == Decimal("24000")
    assert row[header.index("Partner countries")] == "BE, FR, HR"


def test_the_ranking_exports_read_back_as_the_api_ranking(client, logged_in, cast):
    scores = [(9, 8), (6, 5), (8, 4)]
    for index, (first, second) in enumerate(scores):
        project = advance(cast, build_ready(cast), ProjectState.UNDER_REVIEW)
        project.title = f"Proposal {index}"
        project.save(update_fields=["title"])
        review(cast, project, cast.reviewer, scores=(first, second))
        review(cast, project, cast.reviewer2, scores=(first, second - 1))
    api = client.get(reverse("api:call-ranking", args=[cast.call.pk])).json()["results"]
    url, params = start_url("ranking", "csv", call=cast.call.pk)
    csv_rows = read_csv(client.get(url, params))
    url, params = start_url("ranking", "xlsx", call=cast.call.pk)
    xlsx_rows = read_xlsx(client.get(url, params))
    for rows in (csv_rows, xlsx_rows):
        header, body = rows[0], rows[1:]
        assert len(body) == len(api) == 3
        for line, expected in zip(body, api, strict=True):
            # A spreadsheet leaves empty trailing cells out of its rows.
            got = dict(zip(header, line + [None] * (len(header) - len(line)), strict=True))
            assert (
                got["Proposal ID"] == expected["project"]
                or int(got["Proposal ID"]) == (expected["project"])
            )
            assert Decimal(str(got["Mean weighted score"])) == Decimal(expected["mean_score"])
            assert Decimal(str(got["Requested grant (EUR)"])) == Decimal(
                expected["requested_grant"]
            )
            assert Decimal(str(got["Cumulative requested (EUR)"])) == Decimal(
                expected["cumulative_requested"]
            )
            assert str(got["Above the thresholds"]).lower() in (
                ("yes", "true") if expected["above_threshold"] else ("no", "false")
            )


def test_bad_export_requests_are_4xx(client, logged_in):
    assert client.get(reverse("export:start", args=["nothing", "csv"])).status_code == 404
    assert client.get(reverse("export:start", args=["proposals", "pdf"])).status_code == 404
    ranking = reverse("export:start", args=["ranking", "csv"])
    assert client.get(ranking).status_code == 400
    assert client.get(ranking, {"call": "abc"}).status_code == 400
    assert client.get(ranking, {"call": "999999"}).status_code == 400


def test_exports_refuse_non_coordinators(client):
    verified_login(client, UserFactory(is_staff=True))
    response = client.get(reverse("export:start", args=["proposals", "csv"]))
    assert response.status_code in (302, 403)
    assert not response.get("Content-Disposition")


def test_a_large_export_runs_as_a_job_with_progress_and_a_private_file(
    client, logged_in, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(exports, "BACKGROUND_FROM_ROWS", 3)
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 2)
    for _ in range(5):
        JointProjectFactory()
    seen = []
    real_update = ExportJob.objects.filter

    url, params = start_url("proposals", "csv")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.get(url, params)
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("export:inspect", args=[job.pk])
    assert job.state == ExportState.QUEUED and job.total_rows == 5
    page = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' in page and "0 of 5 rows written" in page

    def spy(*args, **kwargs):
        queryset = real_update(*args, **kwargs)
        seen.append(ExportJob.objects.values_list("done_rows", flat=True).get())
        return queryset

    monkeypatch.setattr(ExportJob.objects, "filter", spy)
    for callback in callbacks:
        callback()  # the task (the immediate backend runs it here)
    monkeypatch.undo()
    job.refresh_from_db()
    assert job.state == ExportState.DONE and job.done_rows == 5 and job.progress == 100
    assert 2 in seen or 4 in seen  # progress was written along the way

    page = client.get(reverse("export:inspect", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' not in page
    download = reverse("export:download", args=[job.pk])
    assert download in page
    file_response = client.get(download)
    assert file_response.status_code == 200
    assert len(read_csv(file_response)) == 6

    # Another coordinator neither sees nor downloads it.
    verified_login(client, coordinator(username="someone-else"))
    assert client.get(download).status_code == 404
    assert client.get(reverse("export:inspect", args=[job.pk])).status_code == 404
    assert job.filename not in client.get(reverse("export:index")).content.decode()


def test_a_failed_job_says_so(client, logged_in, monkeypatch):
    job = exports.export_start(listing_name="proposals", params={}, fmt="csv", actor=logged_in)
    monkeypatch.setattr(exports, "table", lambda *a, **k: (_ for _ in ()).throw(OSError("disk")))
    with pytest.raises(OSError):
        exports.export_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == ExportState.FAILED and "disk" in job.error
    assert (
        "The export failed" in client.get(reverse("export:inspect", args=[job.pk])).content.decode()
    )
    assert exports.export_run(job_id=job.pk) is None  # never run twice


def test_the_centres_listing_exports_its_filtered_rows(client, logged_in):
    CentreFactory(name="Lyon", country="FR")
    CentreFactory(name="Liège", country="BE")
    url, params = start_url("centres", "csv", country="BE")
    rows = read_csv(client.get(url, params))
    assert [row[1] for row in rows[1:]] == ["Liège"]


def test_the_networks_listing_exports_its_searched_rows(client, logged_in):
    from tests.factories import NetworkFactory

    NetworkFactory(name="Réseau des maisons")
    NetworkFactory(name="Kulturnetz")
    html = client.get(reverse("network:index")).content.decode()
    assert reverse("export:start", args=["networks", "xlsx"]) in html
    url, params = start_url("networks", "csv", q="kultur")
    rows = read_csv(client.get(url, params))
    assert [row[1] for row in rows[1:]] == ["Kulturnetz"]


def test_the_calls_listing_exports_its_filtered_rows_with_figures(client, logged_in):
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import CallFactory

    now = timezone.now()
    open_call = CallFactory(title="Open call", opens_at=now - timedelta(days=3))
    CallFactory(
        title="Closed call", opens_at=now - timedelta(days=90), deadline=now - timedelta(days=1)
    )
    JointProjectFactory(call=open_call)
    html = client.get(reverse("call:index")).content.decode()
    assert reverse("export:start", args=["calls", "csv"]) in html
    url, params = start_url("calls", "csv", status="open")
    rows = read_csv(client.get(url, params))
    header, body = rows[0], rows[1:]
    assert [row[header.index("Title")] for row in body] == ["Open call"]
    assert body[0][header.index("Proposals")] == "1"
    assert body[0][header.index("Status")] == "Open"


def test_the_payments_and_reports_listings_export_their_rows(client, logged_in, cast):
    from tests.workflow.conftest import advance, build_ready

    project = advance(cast, build_ready(cast), ProjectState.REPORT_SUBMITTED)
    for listing, index in (("payments", "payment:index"), ("reports", "report:index")):
        html = client.get(reverse(index)).content.decode()
        assert reverse("export:start", args=[listing, "xlsx"]) in html
    rows = read_csv(client.get(*start_url("payments", "csv", q=project.acronym)))
    header, (row,) = rows[0], rows[1:]
    assert int(row[header.index("ID")]) == project.pk
    prefinancing = project.payments.get(kind="prefinancing")
    assert Decimal(row[header.index("Pre-financing (EUR)")]) == prefinancing.amount
    assert row[header.index("Grant agreements accepted")] == "3"
    rows = read_csv(client.get(*start_url("reports", "csv", state="submitted")))
    header, (row,) = rows[0], rows[1:]
    assert row[header.index("Kind")] == "Final report" and row[header.index("State")] == "Submitted"
