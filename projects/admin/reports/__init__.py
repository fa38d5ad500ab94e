"""The reports in the coordinators' admin: the queue (`report:index`) and each report's page
(`report:inspect`) with its decisions (`report:transition`) and accepted costs (`report:costs`).
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet

from projects.admin._common import ReadOnlyViewSetMixin
from projects.admin.reports.page import ReportCostsView, ReportInspectView, ReportTransitionView
from projects.admin.reports.queue import (
    LIST_DISPLAY,
    SEARCH_FIELDS,
    ReportQueueFilterSet,
    ReportQueueView,
    report_queue,
)
from projects.models import Report

__all__ = ["ReportViewSet", "report_queue"]


class ReportViewSet(ReadOnlyViewSetMixin, ModelViewSet):
    model = Report
    name = "report"
    icon = "doc-full-inverse"
    url_prefix = "network/reports"
    menu_label = _("Reports")
    index_view_class = ReportQueueView
    inspect_view_class = ReportInspectView
    filterset_class = ReportQueueFilterSet
    list_display = LIST_DISPLAY
    search_fields = list(SEARCH_FIELDS)
    search_backend_name = None
    list_per_page = 50

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            transition_url_name=self.get_url_name("transition"),
            costs_url_name=self.get_url_name("costs"),
            **kwargs,
        )

    def get_urlpatterns(self):
        inspect = {"inspect_url_name": self.get_url_name("inspect")}
        return [
            *self.get_read_only_urlpatterns(),
            path(
                "inspect/<int:pk>/decisions/<slug:name>/",
                ReportTransitionView.as_view(**inspect),
                name="transition",
            ),
            path("inspect/<int:pk>/costs/", ReportCostsView.as_view(**inspect), name="costs"),
        ]
