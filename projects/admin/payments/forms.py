"""What a coordinator sends about money: the day a payment was made, the accepted costs per
partner. The forms only parse the input; the services (workflow/services/payments.py) decide,
and their refusals are shown as messages."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.models import PaymentKind
from workflow.conditions import money


class MarkPaidForm(forms.Form):
    paid_on = forms.DateField(
        label=_("Paid on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, payment, **kwargs):
        # One form per unpaid payment on the page: the prefix keeps their ids apart.
        kwargs.setdefault("prefix", f"payment-{payment.pk}")
        kwargs.setdefault("initial", {"paid_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        if payment.kind == PaymentKind.RECOVERY:
            self.fields["paid_on"].label = _("Received on")


class AcceptedCostsForm(forms.Form):
    """One amount per partner who reported costs, prefilled with what is accepted so far (or,
    before anything is, with what the partner reported)."""

    def __init__(self, *args, costs, centres, **kwargs):
        kwargs.setdefault("prefix", "costs")
        super().__init__(*args, **kwargs)
        self.costs = list(costs)
        for cost in self.costs:
            centre = centres.get(cost.partnership_id, cost.partnership_id)
            self.fields[self.field_name(cost)] = forms.DecimalField(
                label=_("Accepted costs of %(centre)s (EUR)") % {"centre": centre},
                max_digits=14,
                decimal_places=2,
                initial=cost.accepted_amount if cost.accepted_amount is not None else cost.amount,
                help_text=_("Reported: %(amount)s.") % {"amount": money(cost.amount)},
            )

    @staticmethod
    def field_name(cost):
        return f"accepted_{cost.partnership_id}"

    def rows(self):
        """(cost, bound field) per partner, for the costs table."""
        return [(cost, self[self.field_name(cost)]) for cost in self.costs]

    def accepted(self):
        return {
            cost.partnership_id: self.cleaned_data[self.field_name(cost)] for cost in self.costs
        }
