"""What a person types on a proposal's partners page and on the page to ask to join.

Forms only read and bound the input; the services of `workflow.services` decide (who may
invite, whether a centre is already in, whether the proposal is still open). A signed mandate
is checked by content here (projects/uploads.py) so that its error is shown next to the field;
the service checks the same file object again for free.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from projects import uploads

QUERY_MAX_LENGTH = 100


class PartnerSearchForm(forms.Form):
    """Find centres by name, country and discipline, optionally only in the countries the
    consortium does not cover yet. `countries`: [(code, name)]; `disciplines`: [Discipline]."""

    q = forms.CharField(
        label=_("Name of the centre, or part of it"),
        required=False,
        max_length=QUERY_MAX_LENGTH,
        error_messages={
            "max_length": _("Write at most %(limit_value)d characters of the name."),
        },
    )
    country = forms.ChoiceField(
        label=_("Country"),
        required=False,
        error_messages={"invalid_choice": _("Choose a country from the list.")},
    )
    discipline = forms.TypedChoiceField(
        label=_("Discipline"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose a discipline from the list.")},
    )
    new_countries = forms.BooleanField(
        label=_("Only countries not yet in this consortium"),
        help_text=_("Leaves out the countries of the confirmed partners and of those invited."),
        required=False,
    )

    def __init__(self, data=None, *, countries, disciplines, **kwargs):
        super().__init__(data, auto_id="search-%s", **kwargs)
        self.fields["country"].choices = [("", _("Any country")), *countries]
        self.fields["discipline"].choices = [
            ("", _("Any discipline")),
            *((str(d.pk), d.label) for d in disciplines),
        ]

    def clean_q(self):
        return " ".join(self.cleaned_data["q"].split())


class InviteForm(forms.Form):
    centre = forms.IntegerField(
        min_value=1,
        error_messages={
            "required": _("Choose a centre from the search results."),
            "invalid": _("Choose a centre from the search results."),
            "min_value": _("Choose a centre from the search results."),
        },
    )


class MandateForm(forms.Form):
    """A manager's declaration for their centre, and optionally the mandate signed on paper,
    as a PDF of at most 10 MB. One form per partnership: its fields' ids carry its number."""

    declaration = forms.BooleanField(
        error_messages={
            "required": _("Tick the declaration to sign the mandate for your centre."),
        },
    )
    file = forms.FileField(
        label=_("Signed mandate (optional)"),
        help_text=_("A PDF of at most 10 MB, if your centre signed a mandate on paper."),
        required=False,
        error_messages={
            "invalid": _("The file could not be read: choose it again."),
            "empty": _("The file is empty."),
        },
    )

    def __init__(self, data=None, files=None, *, partnership_id, **kwargs):
        super().__init__(data, files, auto_id=f"mandate-{partnership_id}-%s", **kwargs)

    def clean_file(self):
        file = self.cleaned_data.get("file")
        if file:
            try:
                uploads.check(
                    file, kinds=uploads.MANDATE_KINDS, max_bytes=uploads.MANDATE_MAX_BYTES
                )
            except ValidationError as error:
                raise ValidationError(error.messages) from None
        return file


class JoinForm(forms.Form):
    """Which of my centres (those I manage and that are not in the proposal yet) asks to join.
    `centres`: [Centre]."""

    centre = forms.TypedChoiceField(
        label=_("The centre that asks to join"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the centre that asks to join."),
            "invalid_choice": _("Choose one of the centres you manage."),
        },
    )

    def __init__(self, data=None, *, centres, **kwargs):
        super().__init__(data, auto_id="join-%s", **kwargs)
        self.fields["centre"].choices = [(str(c.pk), c.name) for c in centres]
        if data is None and len(centres) == 1:
            self.initial["centre"] = str(centres[0].pk)
