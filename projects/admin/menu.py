"""The admin menu's one group, "Grants": proposals (with their rankings, reached from each call)
and the network's records (calls, centres, networks), for coordinators and superusers only.

Model permissions are not enough here: a staff member who may edit calls or centres through
their groups still neither sees the menu nor opens any of its views unless they coordinate.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.urls import URLPattern
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSetGroup

from projects.admin.calls import CallViewSet
from projects.admin.centres import CentreViewSet
from projects.admin.exports import ExportJobViewSet
from projects.admin.networks import NetworkViewSet
from projects.admin.payments import PaymentViewSet
from projects.admin.proposals import JointProjectViewSet
from projects.admin.reports import ReportViewSet
from workflow import permissions


def coordinators_only(view):
    """Refuse the view to anyone but coordinators and superusers (PermissionDenied: Wagtail's
    "no permission" redirect to the dashboard). Wagtail's own admin-access check runs first."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not permissions.is_coordinator(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return guarded


class GrantsViewSetMixin:
    """Every URL of the viewset behind `coordinators_only`, and its menu item hidden from
    everyone else. Names and URL prefixes stay the viewset's own."""

    def get_urlpatterns(self):
        return [
            URLPattern(
                pattern.pattern,
                coordinators_only(pattern.callback),
                pattern.default_args,
                pattern.name,
            )
            if isinstance(pattern, URLPattern)
            else pattern
            for pattern in super().get_urlpatterns()
        ]

    @cached_property
    def menu_item_class(self):
        base = super().menu_item_class

        def is_shown(item, request):
            return permissions.is_coordinator(request.user) and base.is_shown(item, request)

        return type(base.__name__, (base,), {"is_shown": is_shown})


class GrantsProposalsViewSet(GrantsViewSetMixin, JointProjectViewSet):
    menu_label = _("Proposals")


class GrantsCallViewSet(GrantsViewSetMixin, CallViewSet):
    pass


class GrantsCentreViewSet(GrantsViewSetMixin, CentreViewSet):
    pass


class GrantsNetworkViewSet(GrantsViewSetMixin, NetworkViewSet):
    pass


class GrantsPaymentViewSet(GrantsViewSetMixin, PaymentViewSet):
    pass


class GrantsReportViewSet(GrantsViewSetMixin, ReportViewSet):
    pass


class GrantsExportJobViewSet(GrantsViewSetMixin, ExportJobViewSet):
    pass


class GrantsAdminGroup(ModelViewSetGroup):
    """The one menu of the coordinators' back-office. The rankings are reached per call (the
    calls' listing, "Ranking" in each row's menu) and from each proposal's page."""

    menu_label = _("Grants")
    menu_icon = "folder-open-inverse"
    menu_name = "grants"
    menu_order = 140
    items = (
        GrantsProposalsViewSet,
        GrantsCallViewSet,
        GrantsReportViewSet,
        GrantsPaymentViewSet,
        GrantsExportJobViewSet,
        GrantsCentreViewSet,
        GrantsNetworkViewSet,
    )
