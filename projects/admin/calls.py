"""The calls' viewset, with a link to each call's ranking."""

from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet

from projects import selectors
from projects.models import Call
from workflow import permissions


class CallIndexView(IndexView):
    def get_base_queryset(self):
        return selectors.calls_for_admin()

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if permissions.is_coordinator(self.request.user):
            url = reverse("jointproject:ranking", args=[quote(instance.pk)])
            buttons.append(MenuItem(_("Ranking"), url=url, icon_name="list-ol", priority=25))
        return buttons


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
