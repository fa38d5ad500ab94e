"""Exports of the coordinators' listings: CSV and XLSX, the large ones as background tasks."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet

from projects.admin._common import ReadOnlyViewSetMixin
from projects.models import ExportJob


class ExportJobViewSet(ReadOnlyViewSetMixin, ModelViewSet):
    model = ExportJob
    name = "export"
    icon = "download"
    url_prefix = "network/exports"
    menu_label = _("Exports")
    list_display = ["listing", "format", "state", "created_at"]
