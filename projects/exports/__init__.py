"""Exports of the coordinators' listings as CSV or XLSX.

A listing (projects/exports/listings.py) says which rows a set of filters selects and which
columns they have; the admin's listings and this module read the same filters, so an export
holds exactly the filtered rows. Small exports stream straight to the browser; larger ones
(an estimated second or more) run as a background task that reports its progress on an
ExportJob and leaves a private file for whoever asked for it.
"""

import csv
import datetime
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from typing import Any

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.text import slugify

from projects.models import ExportFormat, ExportJob, ExportState
from workflow import permissions
from workflow.exceptions import NotPermitted, WrongState

# Rows a second the slowest listing (proposals, with figures and partner countries) is
# written at on PostgreSQL, measured with `seed_demo --scale 50`: a CSV of 2,000 rows takes
# about a second there, so from that size on the export runs in the background.
BACKGROUND_FROM_ROWS = 2000
BATCH = 500
PROGRESS_EVERY = BATCH

CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Column:
    header: Any  # a (lazy) string
    value: Callable[[Any], Any]


@dataclass(frozen=True)
class Listing:
    """One exportable listing. `rows(params)` returns the filtered rows (a queryset or a list);
    `columns(params)` the columns (they may depend on the filters: a call's own questions);
    `prepare(batch)` loads what a batch of rows needs in a fixed number of queries."""

    name: str
    title: Any
    rows: Callable[[dict], Any]
    columns: Callable[[dict], list]
    prepare: Callable[[list], list] = field(default=lambda batch: batch)
    # What is wrong with the filters for this listing (a message), or None.
    problem: Callable[[dict], Any] = field(default=lambda params: None)

    def count(self, params):
        rows = self.rows(params)
        return rows.count() if hasattr(rows, "count") and not isinstance(rows, list) else len(rows)

    def filename(self, fmt):
        stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M")
        return f"{slugify(force_str(self.title))}-{stamp}.{fmt}"


def listing_get(name):
    """The listing of that name, or KeyError."""
    from projects.exports.listings import LISTINGS

    return LISTINGS[name]


def clean_params(query):
    """The filters of a request's GET parameters, as a plain JSON-able dict (the page number,
    the export format and Wagtail's fragment markers are not filters)."""
    ignored = {"p", "page", "export", "_w_filter_fragment"}
    return {key: value for key, value in query.items() if key not in ignored and value != ""}


def _batches(rows, size=BATCH):
    iterator = rows.iterator(chunk_size=size) if hasattr(rows, "iterator") else iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def table(listing, params):
    """The header row, then one row of cell values per exported row, batch by batch."""
    columns = listing.columns(params)
    yield [force_str(column.header) for column in columns]
    for batch in _batches(listing.rows(params)):
        for row in listing.prepare(batch):
            yield [column.value(row) for column in columns]


def csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    if isinstance(value, (datetime.date, Decimal, int)):
        return str(value)
    return force_str(value)


def xlsx_cell(value):
    if isinstance(value, datetime.datetime):
        # Spreadsheets have no time zones: the local (Brussels) time, as the admin shows it.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if value is None or isinstance(value, (datetime.date, Decimal, int, float, bool)):
        return value
    return force_str(value)


class Echo:
    """csv.writer's file: hands each formatted row back instead of storing it (streaming)."""

    def write(self, value):
        return value


def csv_stream(rows):
    """CSV lines one by one (a byte-order mark first, so spreadsheet programs read UTF-8)."""
    writer = csv.writer(Echo())
    yield "\ufeff"
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])


def write(rows, fmt, output, *, progress=None):
    """Write the rows to a binary file object in the format; `progress(n)` every so often."""
    written = -1  # the header row is not a data row

    def counted(rows):
        nonlocal written
        for row in rows:
            written += 1
            if progress and written and written % PROGRESS_EVERY == 0:
                progress(written)
            yield row

    if fmt == ExportFormat.CSV:
        for line in csv_stream(counted(rows)):
            output.write(line.encode("utf-8"))
    else:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title="Export")
        for row in counted(rows):
            sheet.append([xlsx_cell(value) for value in row])
        workbook.save(output)
    return max(written, 0)


def _check(actor, listing_name, fmt):
    if not permissions.is_coordinator(actor):
        raise NotPermitted("Only coordinators export the back-office's listings.")
    if fmt not in ExportFormat.values:
        raise ValueError(f"Unknown format: {fmt}")
    return listing_get(listing_name)


def export_is_large(*, listing_name, params):
    return listing_get(listing_name).count(params) >= BACKGROUND_FROM_ROWS


def export_start(*, listing_name, params, fmt, actor):
    """Queue the export of a listing's filtered rows as a background task (after the commit);
    returns the ExportJob whose progress and file the admin shows."""
    listing = _check(actor, listing_name, fmt)
    with transaction.atomic():
        job = ExportJob.objects.create(
            requested_by=actor,
            listing=listing.name,
            params=params,
            format=fmt,
            total_rows=listing.count(params),
            filename=listing.filename(fmt),
        )
        from projects.tasks import run_export

        transaction.on_commit(lambda: run_export.enqueue(job.pk))
    return job


def export_run(*, job_id):
    """The task's work: write the file, saying how far it has got; a failure is recorded on
    the job (and the file is never half-saved)."""
    claimed = ExportJob.objects.filter(pk=job_id, state=ExportState.QUEUED).update(
        state=ExportState.RUNNING
    )
    if not claimed:  # run already, or by another worker
        return None
    job = ExportJob.objects.get(pk=job_id)
    listing = listing_get(job.listing)

    def progress(done):
        ExportJob.objects.filter(pk=job.pk).update(done_rows=done)

    try:
        with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as output:
            done = write(table(listing, job.params), job.format, output, progress=progress)
            output.seek(0)
            job.file.save(job.filename, File(output), save=False)
    except Exception as error:  # any failure is the job's, shown to its owner
        ExportJob.objects.filter(pk=job.pk).update(
            state=ExportState.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportState.DONE,
        file=job.file.name,
        done_rows=done,
        total_rows=done,
        finished_at=timezone.now(),
    )
    return job.pk


def export_job_for(*, job_id, actor):
    """The job, for the one who asked for it (superusers too); None otherwise."""
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is None or not (job.requested_by_id == actor.pk or actor.is_superuser):
        return None
    return job


def export_job_delete(*, job_id, actor):
    job = export_job_for(job_id=job_id, actor=actor)
    if job is None:
        raise NotPermitted("Only the one who asked for an export deletes it.")
    if job.state in (ExportState.QUEUED, ExportState.RUNNING):
        raise WrongState("The export is still running.", state=job.state)
    if job.file:
        job.file.delete(save=False)
    job.delete()
