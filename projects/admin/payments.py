"""Grant agreements and payments: who accepted, the payment schedule, mark paid, accepted costs."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet

from projects.admin._common import ReadOnlyViewSetMixin
from projects.models import Payment


class PaymentViewSet(ReadOnlyViewSetMixin, ModelViewSet):
    model = Payment
    name = "payment"
    icon = "credit-card"
    url_prefix = "network/payments"
    menu_label = _("Payments")
    list_display = ["project", "kind", "amount", "due_date", "paid_at"]
    list_filter = ["kind"]
