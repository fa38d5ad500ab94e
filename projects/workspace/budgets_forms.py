"""Forms of the budget and grant-agreement pages: they read and check what a person typed; the
services decide (workflow.services.partnership_set_budget, partnership_accept_agreement).

A partner's budget is a formset of lines (category, description, amount) and its own
contribution. Without JavaScript, "Add another line" posts the form and gets it back with one
more empty row (the rows ticked "Remove" left out); nothing is saved until "Save the budget".
"""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from projects.models import BudgetCategory
from projects.models._fields import ZERO

MAX_LINES = 200  # as the JSON API (projects.api.serializers.MAX_ITEMS)
MAX_AMOUNT = Decimal("999999999999.99")  # the money columns: 14 digits, 2 after the point
CENT = Decimal("0.01")
ROW_FIELDS = ("category", "description", "amount", "DELETE")
# How the error summary names a line's fields ("Line 2, amount: …").
ROW_LABELS = {
    "category": _("category"),
    "description": _("description"),
    "amount": _("amount"),
}

# Euros as digits, with a point or a comma before at most two decimals, spaces between
# thousands allowed; "20,000" is refused rather than guessed (twenty thousand, or twenty?).
NUMBER = re.compile(r"^-?\d+(?:[.,]\d{1,2})?$")
TOO_PRECISE = re.compile(r"^-?\d+[.,]\d{3,}$")
SPACES = re.compile(r"[\s\u00a0\u202f']")


class AmountField(forms.CharField):
    """An amount in EUR: a Decimal with two places, never negative; None when left empty."""

    default_error_messages = {
        "required": _("Enter the amount in euros, for example 2500 or 2500.50."),
        "invalid": _("Write the amount in euros with digits only, for example 2500 or 2500.50."),
        "precision": _(
            "Write at most two decimals (cents), without a thousands separator: 20000, not 20,000."
        ),
        "negative": _("The amount cannot be negative."),
        "too_large": _("The amount is too large: at most 999,999,999,999.99 EUR."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("strip", True)
        super().__init__(**kwargs)

    def clean(self, value):
        text = SPACES.sub("", value or "")
        if not text:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        if len(text) > 20:  # far more digits than the column holds
            raise ValidationError(
                self.error_messages["too_large" if NUMBER.match(text[:20]) else "invalid"],
                code="invalid",
            )
        if TOO_PRECISE.match(text):
            raise ValidationError(self.error_messages["precision"], code="precision")
        if not NUMBER.match(text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        amount = Decimal(text.replace(",", ".")).quantize(CENT)
        if amount < 0:
            raise ValidationError(self.error_messages["negative"], code="negative")
        if amount > MAX_AMOUNT:
            raise ValidationError(self.error_messages["too_large"], code="too_large")
        return amount


class BudgetLineForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", _("Choose a category")), *BudgetCategory.choices],
        error_messages={
            "required": _("Choose a category."),
            "invalid_choice": _("Choose one of the categories in the list."),
        },
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=300,
        error_messages={
            "required": _("Describe the line, for example “Two technicians for three months”."),
            "max_length": _("Write at most 300 characters (this has %(show_value)d)."),
        },
    )
    amount = AmountField(label=_("Amount (EUR)"))


def removed(form):
    """Whether the row is ticked "Remove" (read from the data: the row may be invalid)."""
    return bool(form["DELETE"].data)


class BaseBudgetLineFormSet(forms.BaseFormSet):
    default_error_messages = {
        "missing_management_form": _(
            "The form was incomplete: reload the page and enter the budget again."
        ),
        "too_many_forms": _("A budget has at most %(num)d lines."),
    }

    def initial_form_count(self):
        # Every row may be left empty (it is then ignored), the saved ones included.
        return 0

    def lines(self):
        """The lines in the shape of partnership_set_budget, once valid."""
        return [
            {
                "category": form.cleaned_data["category"],
                "description": form.cleaned_data["description"],
                "amount": form.cleaned_data["amount"],
            }
            for form in self.forms
            if form.has_changed() and not removed(form)
        ]

    def readable_lines(self):
        """The lines that can be read already (for totals while typing): the valid ones."""
        return [
            {
                "category": form.cleaned_data["category"],
                "description": form.cleaned_data["description"],
                "amount": form.cleaned_data["amount"],
            }
            for form in self.forms
            if form.has_changed() and not removed(form) and form.is_valid()
        ]


BudgetLineFormSet = forms.formset_factory(
    BudgetLineForm,
    formset=BaseBudgetLineFormSet,
    extra=0,
    can_delete=True,
    max_num=MAX_LINES,
    absolute_max=MAX_LINES,
    validate_max=True,
)


class OwnContributionForm(forms.Form):
    own_contribution = AmountField(
        label=_("Own contribution (EUR)"),
        required=False,
        help_text=_(
            "What your centre pays itself; the grant requested is your total minus this. "
            "Left empty: 0."
        ),
    )


def prefix_for(partnership):
    return f"budget-{partnership.pk}"


def _money(amount):
    return f"{amount:.2f}"


def saved_data(partnership):
    """The form's data for a partnership's saved budget (one empty row when it has none)."""
    prefix = prefix_for(partnership)
    rows = [
        {"category": line.category, "description": line.description, "amount": _money(line.amount)}
        for line in partnership.budget_lines.all()
    ] or [{}]
    return _data(prefix, rows, own_contribution=_money(partnership.own_contribution))


def _data(prefix, rows, *, own_contribution):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": str(MAX_LINES),
        f"{prefix}-own_contribution": own_contribution,
    }
    for i, row in enumerate(rows):
        for name in ROW_FIELDS:
            if row.get(name):
                data[f"{prefix}-{i}-{name}"] = row[name]
    return data


def _posted_rows(data, prefix):
    try:
        total = int(data.get(f"{prefix}-TOTAL_FORMS", "0"))
    except ValueError:
        total = 0
    return [
        {name: data.get(f"{prefix}-{i}-{name}", "") for name in ROW_FIELDS}
        for i in range(max(0, min(total, MAX_LINES)))
    ]


class BudgetForms:
    """One partner's budget form: its lines (a formset) and its own contribution, sharing one
    prefix so that several budgets could sit on one page. `show_errors` is off when the form
    comes back to be completed (a line added) rather than checked."""

    def __init__(self, partnership, data, *, show_errors=True, added=False):
        self.partnership = partnership
        self.prefix = prefix_for(partnership)
        self.data = data
        self.lines_formset = BudgetLineFormSet(data, prefix=self.prefix)
        self.contribution = OwnContributionForm(data, prefix=self.prefix)
        self.show_errors = show_errors
        self.added = added  # a line was just added: focus goes to it

    @classmethod
    def saved(cls, partnership):
        return cls(partnership, saved_data(partnership), show_errors=False)

    @classmethod
    def with_line_added(cls, partnership, data):
        """The posted form again, the rows ticked "Remove" left out, one empty row more."""
        prefix = prefix_for(partnership)
        rows = [
            {name: row[name] for name in ("category", "description", "amount")}
            for row in _posted_rows(data, prefix)
            if not row["DELETE"]
        ]
        added = len(rows) < MAX_LINES
        if added:
            rows.append({})
        own = data.get(f"{prefix}-own_contribution", "")
        return cls(
            partnership, _data(prefix, rows, own_contribution=own), show_errors=False, added=added
        )

    def is_valid(self):
        # Both checked, so that every error shows at once.
        lines_valid = self.lines_formset.is_valid()
        return self.contribution.is_valid() and lines_valid

    def lines(self):
        return self.lines_formset.lines()

    def own_contribution(self):
        return self.contribution.cleaned_data["own_contribution"] or ZERO

    def readable(self):
        """(lines, own contribution) that can be read already, for the totals while typing;
        an own contribution that cannot be read counts as the saved one."""
        if self.contribution.is_valid():
            own = self.own_contribution()
        else:
            own = self.partnership.own_contribution
        return self.lines_formset.readable_lines(), own

    def complete(self):
        """Whether every value typed could be read (else the totals leave some out)."""
        return self.is_valid()

    def rows(self):
        """Each row with the ids the template and the error summary use."""
        for number, form in enumerate(self.lines_formset.forms, start=1):
            gone = removed(form)
            yield {
                "number": number,
                "form": form,
                "removed": gone,
                "errors": form.errors if self.show_errors and not gone else {},
                "last": number == len(self.lines_formset.forms),
            }

    def summary(self):
        """The error summary's entries: each message, leading to its field."""
        if not self.show_errors:
            return []
        errors = [
            {"code": "invalid", "message": str(message), "anchor": f"{self.prefix}-form"}
            for message in self.lines_formset.non_form_errors()
        ]
        for row in self.rows():
            for name, messages in row["errors"].items():
                for message in messages:
                    errors.append(
                        {
                            "code": "invalid",
                            "message": _("Line %(number)s, %(field)s: %(message)s")
                            % {
                                "number": row["number"],
                                "field": ROW_LABELS.get(name, name),
                                "message": message,
                            },
                            "anchor": row["form"][name].id_for_label
                            if name in row["form"].fields
                            else f"{self.prefix}-form",
                        }
                    )
        for name, messages in self.contribution.errors.items():
            for message in messages:
                errors.append(
                    {
                        "code": "invalid",
                        "message": _("Own contribution: %(message)s") % {"message": message},
                        "anchor": self.contribution[name].id_for_label
                        if name in self.contribution.fields
                        else f"{self.prefix}-form",
                    }
                )
        return errors


class AgreementForm(forms.Form):
    accept = forms.BooleanField(
        error_messages={
            "required": _("Tick the box to accept the grant agreement for your centre.")
        },
    )
