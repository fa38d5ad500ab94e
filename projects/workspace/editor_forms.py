"""Forms of the proposal editor: they read and check what a person typed; the services decide
(projects.services.project_create, projects.editor_services.project_section_save)."""

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from projects.models import Call, CallTier, Centre, JointProject, Theme
from workflow.conditions import TransitionInput
from workflow.conditions import duration as duration_rule

FIELD = JointProject._meta.get_field


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _model_char(name, *, required=False, rows=None, help_text=None):
    """A form field with the model field's label and length limit."""
    model_field = FIELD(name)
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput
    return forms.CharField(
        label=capfirst(model_field.verbose_name),  # still lazy: translated when shown
        max_length=model_field.max_length,
        required=required,
        widget=widget,
        help_text=help_text if help_text is not None else model_field.help_text,
        strip=True,
    )


# --- Start a proposal ---------------------------------------------------------------------------


class CallChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, call):
        deadline = date_format(timezone.localtime(call.deadline), "DATETIME_FORMAT")
        return _("%(title)s (deadline %(deadline)s)") % {"title": call.title, "deadline": deadline}


class TierChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, tier):
        return tier.name


class StartForm(forms.Form):
    """Which call (and tier), for which of the person's centres, under which working title.

    Every call may be posted, so that a closed one gets a clear refusal rather than "not one
    of the available choices"; only open calls are offered."""

    call = CallChoiceField(
        label=_("Call"),
        queryset=Call.objects.all(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose the call you apply to.")},
    )
    tier = TierChoiceField(
        label=_("Tier"),
        queryset=CallTier.objects.select_related("call"),
        required=False,
        help_text=_("Only for a call with tiers: each tier has its own rules."),
    )
    lead_centre = forms.ModelChoiceField(
        label=_("Lead centre"),
        queryset=Centre.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        help_text=_("Your centre that leads the project and answers for it."),
        error_messages={"required": _("Choose the centre that leads the project.")},
    )
    title = _model_char(
        "title",
        required=True,
        help_text=_("A working title; you can change it until you submit."),
    )

    def __init__(self, *args, open_calls, centres, **kwargs):
        super().__init__(*args, **kwargs)
        self.open_calls = list(open_calls)
        self.fields["call"].choices = [
            (call.pk, self.fields["call"].label_from_instance(call)) for call in self.open_calls
        ]
        tiered = [call for call in self.open_calls if call.tiers.all()]
        self.fields["tier"].choices = [("", _("No tier (the call has none)"))] + [
            (call.title, [(tier.pk, tier.name) for tier in call.tiers.all()]) for call in tiered
        ]
        self.has_tiers = bool(tiered)
        centres = list(centres)
        self.fields["lead_centre"].queryset = Centre.objects.filter(pk__in=[c.pk for c in centres])
        self.fields["lead_centre"].choices = [(c.pk, c.name) for c in centres]
        if len(centres) == 1:
            self.fields["lead_centre"].initial = centres[0].pk
        if len(self.open_calls) == 1:
            self.fields["call"].initial = self.open_calls[0].pk
        self.fields["title"].error_messages["required"] = _("Give the proposal a working title.")

    def clean_call(self):
        call = self.cleaned_data["call"]
        now = timezone.now()
        if now < call.opens_at:
            raise forms.ValidationError(
                _("The call “%(call)s” opens on %(date)s: choose an open call."),
                code="call_closed",
                params={
                    "call": call.title,
                    "date": date_format(timezone.localtime(call.opens_at), "DATETIME_FORMAT"),
                },
            )
        if now > call.deadline:
            raise forms.ValidationError(
                _("The call “%(call)s” closed on %(date)s: choose an open call."),
                code="call_closed",
                params={
                    "call": call.title,
                    "date": date_format(timezone.localtime(call.deadline), "DATETIME_FORMAT"),
                },
            )
        return call

    def clean(self):
        cleaned = super().clean()
        call, tier = cleaned.get("call"), cleaned.get("tier")
        if call is None:
            return cleaned
        if tier is not None and tier.call_id != call.pk:
            self.add_error(
                "tier",
                forms.ValidationError(
                    _("This tier belongs to another call: choose a tier of “%(call)s”."),
                    code="tier_of_other_call",
                    params={"call": call.title},
                ),
            )
        elif tier is None and call.tiers.exists():
            self.add_error(
                "tier",
                forms.ValidationError(
                    _("The call “%(call)s” has tiers: choose one."),
                    code="tier_required",
                    params={"call": call.title},
                ),
            )
        return cleaned


# --- The sections -------------------------------------------------------------------------------


class TitleForm(forms.Form):
    title = _model_char("title", required=True)
    acronym = _model_char(
        "acronym", help_text=_("Optional, a short name such as SHS (at most 30 characters).")
    )
    summary = _model_char(
        "summary",
        rows=5,
        help_text=_(
            "Public: shown in the Project Fair and, once funded, in the showcase. "
            "At most 2,000 characters."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].error_messages["required"] = _("Give the proposal a title.")


class ThemeChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, theme):
        return theme.label


class DescriptionForm(forms.Form):
    description = _model_char(
        "description",
        rows=12,
        help_text=_("What the centres will do together, for whom, and why together."),
    )
    themes = ThemeChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Choose every theme that applies."),
    )


class DatesForm(forms.Form):
    # Year-month-day only, as a date input sends it: "01/05/2027" is refused, not guessed.
    start_date = forms.DateField(
        label=_("Planned start"),
        required=False,
        widget=DateInput,
        input_formats=["%Y-%m-%d"],
        help_text=_("The day the joint work begins."),
    )
    end_date = forms.DateField(
        label=_("Planned end"),
        required=False,
        widget=DateInput,
        input_formats=["%Y-%m-%d"],
        help_text=_("The day the joint work ends."),
    )

    error_messages = {"invalid": _("Write the date as year-month-day, for example 2027-03-31.")}

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        for name in ("start_date", "end_date"):
            self.fields[name].error_messages["invalid"] = self.error_messages["invalid"]
        self.fields["end_date"].help_text = _(
            "The day the joint work ends. The call allows at most %(months)s months."
        ) % {"months": project.rules.max_duration_months}

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end:
            if end < start:
                self.add_error(
                    "end_date",
                    forms.ValidationError(
                        _("The project cannot end before it starts."), code="ends_before_start"
                    ),
                )
            else:
                # The call's duration rule itself, on a copy with the new dates: the same check
                # as submit, so the form never accepts what the submission would refuse.
                trial = JointProject(
                    call=self.project.call,
                    tier=self.project.tier,
                    start_date=start,
                    end_date=end,
                )
                failure = duration_rule(trial, TransitionInput())
                if failure is not None:
                    self.add_error(
                        "end_date", forms.ValidationError(failure.message, code=failure.code)
                    )
        # One date alone is saved as it is (save and come back): the section is in progress.
        return cleaned


class PartnersSoughtForm(forms.Form):
    sought_partner_profile = _model_char(
        "sought_partner_profile",
        rows=6,
        help_text=_(
            "Which centres you look for: countries, disciplines, what they would bring. "
            "Shown in the Project Fair while the partner search is open."
        ),
    )


class SubmitForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown in the project’s timeline to everyone who sees the project."),
    )
