"""The centres' viewset, with their member counts."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet

from projects import selectors
from projects.admin.exports import ExportButtonsMixin
from projects.models import Centre


class CentreIndexView(ExportButtonsMixin, IndexView):
    export_listing_name = "centres"

    def get_base_queryset(self):
        return selectors.centres_for_admin()


class CentreViewSet(ModelViewSet):
    model = Centre
    icon = "home"
    url_prefix = "network/centres"
    index_view_class = CentreIndexView
    list_display = [
        "name",
        "city",
        "country",
        "network",
        "membership_kind",
        Column("member_count", label=_("Members"), sort_key="member_count"),
    ]
    list_filter = ["country", "network", "membership_kind", "has_label"]
    search_fields = ["name", "city"]
    search_backend_name = None
    list_per_page = 50
    inspect_view_enabled = True
