"""The coordinators' admin for networks, centres and calls (Wagtail viewsets).

Paths live under /admin/network/… so they never collide with Wagtail's own page-moderation
"workflows".
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from projects import selectors
from projects.models import Call, Centre, Network


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


class CentreIndexView(IndexView):
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


class CallIndexView(IndexView):
    def get_base_queryset(self):
        return selectors.calls_for_admin()


class CallViewSet(ModelViewSet):
    model = Call
    icon = "doc-full-inverse"
    url_prefix = "network/calls"
    index_view_class = CallIndexView
    list_display = ["title", "kind", "network", "opens_at", "deadline", "budget"]
    list_filter = ["kind", "network"]
    search_fields = ["title"]
    search_backend_name = None
    inspect_view_enabled = True


class NetworkAdminGroup(ModelViewSetGroup):
    menu_label = _("Network")
    menu_icon = "group"
    menu_order = 150
    items = (CallViewSet, CentreViewSet, NetworkViewSet)


@hooks.register("register_admin_viewset")
def register_network_admin():
    return NetworkAdminGroup()
