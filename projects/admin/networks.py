"""The networks' viewset."""

from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet

from projects.admin.exports import ExportButtonsMixin
from projects.models import Network


class NetworkIndexView(ExportButtonsMixin, IndexView):
    export_listing_name = "networks"


class NetworkViewSet(ModelViewSet):
    model = Network
    icon = "globe"
    url_prefix = "network/networks"
    index_view_class = NetworkIndexView
    list_display = ["name", "kind", "country"]
    list_filter = ["kind", "country"]
    search_fields = ["name"]
    search_backend_name = None
    form_fields = ["name", "slug", "kind", "country", "website", "description"]
    inspect_view_enabled = True
