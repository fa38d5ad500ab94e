"""The networks' viewset."""

from wagtail.admin.viewsets.model import ModelViewSet

from projects.models import Network


class NetworkViewSet(ModelViewSet):
    model = Network
    icon = "globe"
    url_prefix = "network/networks"
    list_display = ["name", "kind", "country"]
    list_filter = ["kind", "country"]
    search_fields = ["name"]
    search_backend_name = None
    form_fields = ["name", "slug", "kind", "country", "website", "description"]
    inspect_view_enabled = True
