"""Exports of the coordinators' listings: the buttons every listing shows, the download of a
small export, the background job of a large one (its page shows the progress and the file)."""

import io

from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpResponseBadRequest,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views import View
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button

from projects import exports
from projects.admin._common import ReadOnlyViewSetMixin
from projects.files import stored_file_response
from projects.models import ExportFormat, ExportJob, ExportState
from workflow import permissions


def export_url(listing_name, fmt, params):
    """The address that exports `listing_name` filtered by `params` (a QueryDict or dict)."""
    query = exports.clean_params(params)
    url = reverse("export:start", args=[listing_name, fmt])
    if not query:
        return url
    encoded = QueryDict(mutable=True)
    encoded.update(query)
    return f"{url}?{encoded.urlencode()}"


class ExportButtonsMixin:
    """For an IndexView: "Download CSV / XLSX" of the rows the current filters select."""

    export_listing_name = None

    def export_params(self):
        return self.request.GET

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        for fmt, label, priority in (
            (ExportFormat.XLSX, _("Download XLSX"), 90),
            (ExportFormat.CSV, _("Download CSV"), 100),
        ):
            url = export_url(self.export_listing_name, fmt, self.export_params())
            buttons.append(Button(label, url=url, icon_name="download", priority=priority))
        return buttons


class ExportStartView(View):
    """GET /admin/network/exports/<listing>/<format>/?<filters>: the file itself when small,
    else a background job and its page."""

    http_method_names = ["get"]

    def get(self, request, listing, fmt):
        if not permissions.is_coordinator(request.user):
            raise PermissionDenied
        if fmt not in ExportFormat.values:
            raise Http404("No such format.")
        try:
            chosen = exports.listing_get(listing)
        except KeyError:
            raise Http404("No such listing.") from None
        params = exports.clean_params(request.GET)
        if problem := chosen.problem(params):
            return HttpResponseBadRequest(str(problem))
        if chosen.count(params) >= exports.BACKGROUND_FROM_ROWS:
            job = exports.export_start(
                listing_name=listing, params=params, fmt=fmt, actor=request.user
            )
            messages.success(
                request,
                _("The export runs in the background; this page shows when it is ready."),
            )
            return redirect("export:inspect", job.pk)
        return self.download(chosen, params, fmt)

    def download(self, listing, params, fmt):
        filename = listing.filename(fmt)
        rows = exports.table(listing, params)
        if fmt == ExportFormat.CSV:
            response = StreamingHttpResponse(
                exports.csv_stream(rows), content_type=exports.CONTENT_TYPES[fmt]
            )
        else:
            # Below BACKGROUND_FROM_ROWS rows: a workbook of a few hundred kilobytes at most.
            output = io.BytesIO()
            exports.write(rows, fmt, output)
            output.seek(0)
            response = FileResponse(output, content_type=exports.CONTENT_TYPES[fmt])
        response["Content-Disposition"] = content_disposition_header(True, filename)
        response["Cache-Control"] = "private, no-store"
        return response


class ExportDownloadView(View):
    """A finished job's file, for the one who asked for it."""

    http_method_names = ["get"]

    def get(self, request, pk):
        job = exports.export_job_for(job_id=pk, actor=request.user)
        if job is None or job.state != ExportState.DONE or not job.file:
            raise Http404("No such export.")
        return stored_file_response(
            job.file, content_type=exports.CONTENT_TYPES[job.format], filename=job.filename
        )


class ExportJobIndexView(IndexView):
    def get_base_queryset(self):
        # Each coordinator sees the exports they asked for.
        return ExportJob.objects.filter(requested_by=self.request.user)


class ExportJobInspectView(InspectView):
    template_name = "projects/admin/export_job.html"

    def get_object(self, queryset=None):
        job = exports.export_job_for(job_id=self.pk, actor=self.request.user)
        if job is None:
            raise Http404("No such export.")
        return job

    def get_fields(self):
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.object
        context.update(
            {
                "job": job,
                "running": job.state in (ExportState.QUEUED, ExportState.RUNNING),
                "download_url": reverse("export:download", args=[job.pk])
                if job.state == ExportState.DONE
                else None,
            }
        )
        return context


class ExportJobViewSet(ReadOnlyViewSetMixin, ModelViewSet):
    model = ExportJob
    name = "export"
    icon = "download"
    url_prefix = "network/exports"
    menu_label = _("Exports")
    index_view_class = ExportJobIndexView
    inspect_view_class = ExportJobInspectView
    list_display = [
        "filename",
        "format",
        "state",
        Column("progress", label=_("Progress"), accessor=lambda job: f"{job.progress} %"),
        "created_at",
    ]
    list_filter = ["state", "format"]

    def get_urlpatterns(self):
        return [
            *self.get_read_only_urlpatterns(),
            path("<int:pk>/download/", ExportDownloadView.as_view(), name="download"),
            path("run/<slug:listing>/<slug:fmt>/", ExportStartView.as_view(), name="start"),
        ]
