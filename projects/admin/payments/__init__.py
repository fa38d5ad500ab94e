"""Grant agreements and payments of the funded projects: a listing with one row per project
(`payment:index`), and per project a page (`payment:inspect`) to start it once every partner
accepted the grant agreement, mark its payments paid and adjust the accepted costs.

The viewset lists JointProject rows under its own name: the proposals' viewset keeps the
project's admin URLs (edit links, permissions), this one only adds its screens.
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet

from projects.admin._common import ReadOnlyViewSetMixin
from projects.admin.payments.listing import (
    LIST_DISPLAY,
    SEARCH_FIELDS,
    FundedProjectFilterSet,
    PaymentIndexView,
    funded_projects,
)
from projects.admin.payments.screen import MarkPaidView, PaymentScreenView, ProjectStartView
from projects.models import JointProject

__all__ = ["PaymentViewSet", "funded_projects"]


class PaymentViewSet(ReadOnlyViewSetMixin, ModelViewSet):
    model = JointProject
    name = "payment"
    icon = "calendar-check"
    url_prefix = "network/payments"
    menu_label = _("Payments")
    index_view_class = PaymentIndexView
    inspect_view_class = PaymentScreenView
    filterset_class = FundedProjectFilterSet
    list_display = LIST_DISPLAY
    search_fields = list(SEARCH_FIELDS)
    search_backend_name = None
    list_per_page = 50

    def register_admin_url_finder(self):
        pass  # a project's "edit" link is its proposal page (the proposals' viewset)

    def register_permissions(self):
        pass  # the proposals' viewset registers JointProject's permissions

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            start_url_name=self.get_url_name("start"),
            mark_paid_url_name=self.get_url_name("mark_paid"),
            **kwargs,
        )

    def get_urlpatterns(self):
        inspect = {"inspect_url_name": self.get_url_name("inspect")}
        return [
            *self.get_read_only_urlpatterns(),
            path("inspect/<int:pk>/start/", ProjectStartView.as_view(**inspect), name="start"),
            path(
                "payments/<int:pk>/mark-paid/",
                MarkPaidView.as_view(**inspect),
                name="mark_paid",
            ),
        ]
