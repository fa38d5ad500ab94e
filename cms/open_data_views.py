"""Open data of the funded grants: a 360Giving 1.4 data package and the same data as CSV.

Both stream: the grants are read in chunks (projects.open_data.approved_grants) and written one
by one, so an export of every grant never holds them all in memory."""

import csv
import json

from django.http import HttpResponseNotModified, StreamingHttpResponse
from django.urls import path
from django.utils import timezone, translation
from django.utils.http import http_date, parse_http_date_safe
from django.views.decorators.http import require_safe

from projects import open_data
from projects.exports import Echo

CACHE_CONTROL = "public, max-age=300"
LICENSE_LINK = f'<{open_data.LICENSE_URL}>; rel="license"'


def _headers(response, modified):
    response["Cache-Control"] = CACHE_CONTROL
    # The CSV has no place for its licence, so both formats state it here too.
    response["Link"] = LICENSE_LINK
    if modified:
        response["Last-Modified"] = http_date(modified.timestamp())
    return response


def _not_modified(request, modified):
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return bool(modified and since and int(modified.timestamp()) <= since)


def _records():
    # Country names in English whatever the visitor's language: the same URL, the same data.
    with translation.override("en"):
        for project in open_data.approved_grants():
            yield open_data.grant_record(project)


def _package(modified):
    yield '{"grants": ['
    for index, grant in enumerate(_records()):
        yield ("," if index else "") + "\n" + json.dumps(grant, ensure_ascii=False)
    tail = {
        "version": open_data.SCHEMA_VERSION,
        "license": open_data.LICENSE_URL,
        "modified": (modified or timezone.now()).isoformat().replace("+00:00", "Z"),
    }
    yield "\n]," + json.dumps(tail, ensure_ascii=False)[1:] + "\n"


def _rows():
    writer = csv.writer(Echo())
    yield writer.writerow(open_data.CSV_HEADER)
    for grant in _records():
        yield writer.writerow(open_data.csv_row(grant))


@require_safe
def grants_360giving(request):
    modified = open_data.last_modified()
    if _not_modified(request, modified):
        return _headers(HttpResponseNotModified(), modified)
    response = StreamingHttpResponse(
        _package(modified), content_type="application/json; charset=utf-8"
    )
    return _headers(response, modified)


@require_safe
def grants_csv(request):
    modified = open_data.last_modified()
    if _not_modified(request, modified):
        return _headers(HttpResponseNotModified(), modified)
    response = StreamingHttpResponse(_rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="grants.csv"'
    return _headers(response, modified)


urlpatterns = [
    path("360giving.json", grants_360giving, name="open_data_360giving"),
    path("grants.csv", grants_csv, name="open_data_grants_csv"),
]
