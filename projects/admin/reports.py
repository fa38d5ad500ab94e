"""The queue of submitted reports: overdue flags, accept or return with feedback."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet

from projects.admin._common import ReadOnlyViewSetMixin
from projects.models import Report


class ReportViewSet(ReadOnlyViewSetMixin, ModelViewSet):
    model = Report
    name = "report"
    icon = "doc-full-inverse"
    url_prefix = "network/reports"
    menu_label = _("Reports")
    list_display = ["project", "kind", "state", "submitted_at"]
    list_filter = ["state", "kind"]
