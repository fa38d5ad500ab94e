"""What a coordinator sends with a transition from a proposal's page: the decision forms."""

from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflow.conditions import money
from workflow.services.projects import RESUBMISSION_DAYS

TRANSITION_HELP = {
    "start_review": _("The proposal is checked as eligible; reviewers score it."),
    "request_changes": _("The lead revises the proposal and submits it again by the date."),
    "approve": _(
        "Award a grant: more than 0, at most the requested grant, within the call's budget."
    ),
    "reject": _("The decision is final; the comment is sent to the lead and the partners."),
    "start": _("Every partner has accepted the grant agreement; the pre-financing is scheduled."),
    "return_report": _("The lead corrects the final report and submits it again."),
    "terminate": _("The grant agreement ends early; the final grant is settled."),
    "complete": _("The final report is accepted; the balance (or a recovery) is scheduled."),
}


# Transitions that refuse, or end, something: shown with Wagtail's "serious" button.
SERIOUS_TRANSITIONS = {"reject", "terminate", "request_changes", "return_report"}
COMMENT_REQUIRED = {"request_changes", "reject", "return_report", "terminate"}
COMMENT_REQUIRED_MESSAGE = _("A comment explaining the decision is required.")


class TransitionForm(forms.Form):
    """What a coordinator sends with a transition. The service checks the rules; the form only
    parses the input (and marks as required what the conditions will require)."""

    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded in the history and sent to the lead and the partners."),
    )

    def __init__(self, *args, name, project, **kwargs):
        kwargs.setdefault("prefix", name)
        super().__init__(*args, **kwargs)
        self.name = name
        if name in COMMENT_REQUIRED:
            comment = self.fields["comment"]
            comment.required = True
            comment.error_messages["required"] = COMMENT_REQUIRED_MESSAGE
        if name == "approve":
            comment = self.fields.pop("comment")
            # The requested grant is read for the page only (prefetched there), not for a POST.
            requested = None if self.is_bound else project.requested_grant
            self.fields["awarded_amount"] = forms.DecimalField(
                label=_("Awarded amount (EUR)"),
                max_digits=14,
                decimal_places=2,
                initial=requested,
                help_text=_("Requested: %(requested)s.") % {"requested": money(requested)}
                if requested is not None
                else "",
            )
            self.fields["override_reason"] = forms.CharField(
                label=_("Override reason"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("Needed only to approve a proposal that scores below a threshold."),
            )
            self.fields["comment"] = comment
        if name == "request_changes":
            self.fields["resubmission_date"] = forms.DateField(
                label=_("Resubmit by"),
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                help_text=_("The end of that day; leave empty for %(days)s days from now.")
                % {"days": RESUBMISSION_DAYS},
            )

    def clean_resubmission_date(self):
        date = self.cleaned_data.get("resubmission_date")
        if date and date < timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the past."))
        return date

    def service_kwargs(self):
        data = self.cleaned_data
        kwargs = {"comment": data.get("comment", "")}
        if self.name == "approve":
            kwargs["awarded_amount"] = data["awarded_amount"]
            kwargs["override_reason"] = data["override_reason"]
        if self.name == "request_changes" and data.get("resubmission_date"):
            kwargs["resubmission_date"] = timezone.make_aware(
                datetime.combine(data["resubmission_date"], time(23, 59, 59))
            )
        return kwargs
