"""The report form's input: narrative, indicators (PRODUCT.md §2), actual costs, attachments.

Forms only read and bound what a person typed; the services (`workflow.services.report_update`,
`projects.services.report_attachment_add`) decide. The bounds are the JSON API's
(`projects.api.serializers`), so the workspace never accepts what the API refuses.

Indicators are stored as Report.indicators: {"events", "audience" (country code → count),
"artists", "participants", "travellers", "volunteers", "outputs": [{"title", "url"}]}.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from projects.api.serializers import MAX_COUNT, MAX_ITEMS
from projects.workspace._common import InvalidInput, parse_amount

NARRATIVE_MAX_LENGTH = 50_000  # as ReportUpdateSerializer
MAX_AMOUNT = Decimal("999999999999.99")  # money fields: 14 digits, 2 after the point
EXTRA_ROWS = 2  # blank rows offered for more countries and outputs (no JavaScript needed)

# The counts of PRODUCT.md §2, in the order the form asks for them.
COUNTS = [
    ("events", gettext_lazy("Events"), gettext_lazy("Performances, exhibitions, workshops…")),
    (
        "artists",
        gettext_lazy("Artists involved"),
        gettext_lazy("Artists and performers who took part."),
    ),
    (
        "participants",
        gettext_lazy("Participants involved"),
        gettext_lazy("People who took part in the activities, artists excluded."),
    ),
    (
        "travellers",
        gettext_lazy("People who travelled between partners"),
        gettext_lazy("Staff, artists or participants who went to another partner's country."),
    ),
    ("volunteers", gettext_lazy("Volunteers"), ""),
]


def count_field(label, help_text=""):
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        required=False,
        min_value=0,
        max_value=MAX_COUNT,
        error_messages={
            "invalid": gettext_lazy("Write a whole number, for example 120."),
            "min_value": gettext_lazy("Write 0 or more."),
            "max_value": gettext_lazy("Write at most %(limit_value)s."),
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


def country_choices():
    return [("", _("Choose a country"))] + [(code, name) for code, name in countries]


class ReportForm(forms.Form):
    """Narrative, counts, audience in the partners' countries and actual costs per partner.

    `countries`: [(code, name)] of the confirmed partners (one audience field each);
    `partnerships`: the confirmed partnerships (one amount each, named cost_<id>).
    """

    narrative = forms.CharField(
        label=gettext_lazy("Narrative"),
        help_text=gettext_lazy(
            "What the partners did, with whom and for whom, and what came of it."
        ),
        required=False,
        max_length=NARRATIVE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args, countries=(), partnerships=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name, label, help_text in COUNTS:
            self.fields[name] = count_field(label, help_text)
        self.country_codes = [code for code, _name in countries]
        for code, name in countries:
            self.fields[f"audience_{code}"] = count_field(name)
        self.partnerships = list(partnerships)
        for partnership in self.partnerships:
            self.fields[f"cost_{partnership.pk}"] = forms.CharField(
                label=partnership.centre.name,
                required=False,
                max_length=40,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            )

    def audience_fields(self):
        return [self[f"audience_{code}"] for code in self.country_codes]

    def count_fields(self):
        return [self[name] for name, _label, _help in COUNTS]

    def cost_fields(self):
        return [(p, self[f"cost_{p.pk}"]) for p in self.partnerships]

    def clean(self):
        data = super().clean()
        for partnership in self.partnerships:
            name = f"cost_{partnership.pk}"
            if hasattr(self.data, "getlist") and len(self.data.getlist(name)) > 1:
                self.add_error(name, _("Give one amount for this partner."))
                continue
            if name in self.errors:
                continue
            try:
                amount = parse_amount(data.get(name, ""), field=name)
            except InvalidInput as exc:
                self.add_error(name, exc.message)
                continue
            if amount is not None and amount < 0:
                self.add_error(name, _("Costs cannot be negative."))
            elif amount is not None and amount > MAX_AMOUNT:
                self.add_error(name, _("This amount is too large."))
            else:
                data[name] = amount
        return data

    def indicators(self, audience_rows, outputs):
        """The indicators to store: the counts given, the audience per country, the outputs."""
        data = self.cleaned_data
        indicators = {
            name: data[name] for name, _label, _help in COUNTS if data.get(name) is not None
        }
        audience = {
            code: data[f"audience_{code}"]
            for code in self.country_codes
            if data.get(f"audience_{code}") is not None
        }
        audience.update(audience_rows)
        if audience:
            indicators["audience"] = audience
        if outputs:
            indicators["outputs"] = outputs
        return indicators

    def costs(self):
        """[{"partnership", "amount"}] for the partners whose costs are given (the services'
        shape); a partner left empty has not reported yet."""
        return [
            {"partnership": p.pk, "amount": self.cleaned_data[f"cost_{p.pk}"]}
            for p in self.partnerships
            if self.cleaned_data.get(f"cost_{p.pk}") is not None
        ]


class AudienceRowForm(forms.Form):
    """The audience in a country where no partner is."""

    country = forms.ChoiceField(
        label=gettext_lazy("Country"),
        required=False,
        choices=country_choices,
        error_messages={"invalid_choice": gettext_lazy("Choose a country from the list.")},
    )
    count = count_field(gettext_lazy("Audience"))

    def clean(self):
        data = super().clean()
        country, count = data.get("country"), data.get("count")
        if country and count is None and "count" not in self.errors:
            self.add_error("count", _("Write the audience in this country, or 0."))
        if count is not None and not country and "country" not in self.errors:
            self.add_error("country", _("Choose the country of this audience."))
        return data


class OutputRowForm(forms.Form):
    """Something the project produced (a film, a publication, a website), with its link."""

    title = forms.CharField(label=gettext_lazy("Title"), required=False, max_length=300)
    url = forms.URLField(
        label=gettext_lazy("Link"),
        required=False,
        max_length=2000,
        assume_scheme="https",
        error_messages={"invalid": gettext_lazy("Write a web address, e.g. https://example.org/")},
    )

    def clean(self):
        data = super().clean()
        if data.get("url") and not data.get("title") and "title" not in self.errors:
            self.add_error("title", _("Give this output a title."))
        return data


class BaseAudienceFormSet(forms.BaseFormSet):
    def __init__(self, *args, partner_codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.partner_codes = set(partner_codes)

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            code = form.cleaned_data.get("country")
            if not code:
                continue
            if code in seen or code in self.partner_codes:
                form.add_error("country", _("This country is listed twice."))
            seen.add(code)

    def audience(self):
        return {
            form.cleaned_data["country"]: form.cleaned_data["count"]
            for form in self.forms
            if form.cleaned_data.get("country") and form.cleaned_data.get("count") is not None
        }


class BaseOutputFormSet(forms.BaseFormSet):
    def outputs(self):
        outputs = []
        for form in self.forms:
            title = form.cleaned_data.get("title", "").strip()
            if title:
                output = {"title": title}
                if form.cleaned_data.get("url"):
                    output["url"] = form.cleaned_data["url"]
                outputs.append(output)
        return outputs


AudienceFormSet = forms.formset_factory(
    AudienceRowForm,
    formset=BaseAudienceFormSet,
    extra=0,
    max_num=len(countries),
    absolute_max=len(countries),
    validate_max=True,
)
OutputFormSet = forms.formset_factory(
    OutputRowForm,
    formset=BaseOutputFormSet,
    extra=0,
    max_num=MAX_ITEMS,
    absolute_max=MAX_ITEMS,
    validate_max=True,
)


class AttachmentForm(forms.Form):
    """A PDF or an image; what it really is, and its size, the service checks by content."""

    title = forms.CharField(
        label=gettext_lazy("Title (optional)"),
        help_text=gettext_lazy("Left empty: the file's name."),
        required=False,
        max_length=200,
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("A PDF, or a JPEG, PNG or WebP image; at most 10 MB."),
        error_messages={
            "required": gettext_lazy("Choose a file to attach."),
            "empty": gettext_lazy("The file is empty."),
        },
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,image/jpeg,image/png,image/webp"}
        ),
    )

    def add_service_errors(self, error):
        """The service's ValidationError ({"file": [...]} or {"title": [...]}) on the fields."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                target = field if field in self.fields else None
                for item in errors:
                    self.add_error(target, item)
        else:
            self.add_error("file", error)


class StartReportForm(forms.Form):
    kind = forms.ChoiceField(choices=[("interim", "interim"), ("final", "final")])


def validation_messages(error):
    """The plain messages of a ValidationError, whatever its shape."""
    if isinstance(error, ValidationError):
        return [str(message) for message in error.messages]
    return [str(error)]
