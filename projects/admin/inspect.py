"""A proposal's page (the inspect view) with its decision and reviewer-assignment forms."""

from datetime import datetime, time
from decimal import Decimal

from django import forms
from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic import InspectView
from wagtail.admin.widgets.button import HeaderButton

from projects import selectors
from projects.admin._common import (
    CoordinatorsOnlyMixin,
    percent,
    state_label,
    transition_label,
)
from projects.admin.reviews import reviewer_assignment_context
from projects.models import JointProject
from workflow import services
from workflow.conditions import money
from workflow.selectors import (
    project_history,
    project_reviews_with_score,
)
from workflow.services.projects import RESUBMISSION_DAYS
from workflow.states import (
    PartnershipState,
    ProjectState,
    ReportState,
    ReviewState,
)

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

# The states of each kind of object in the transition log, to name them in the history.
STATES_BY_MODEL = {
    "jointproject": ProjectState,
    "partnership": PartnershipState,
    "review": ReviewState,
    "report": ReportState,
}


def log_details(payload):
    """The decision's figures a transition log carries, worded for people."""
    details = []
    for key, label in (
        ("awarded_amount", _("Awarded")),
        ("final_grant", _("Final grant")),
        ("accepted_costs", _("Accepted costs")),
    ):
        if payload.get(key) not in (None, "", "None"):
            details.append((label, money(Decimal(payload[key]))))
    if payload.get("override_reason"):
        details.append((_("Override reason"), payload["override_reason"]))
    if payload.get("resubmission_date"):
        date = timezone.localtime(datetime.fromisoformat(payload["resubmission_date"]))
        details.append((_("Resubmit by"), date_format(date, "DATETIME_FORMAT")))
    if payload.get("file"):
        details.append((_("Signed PDF"), _("uploaded")))
    if payload.get("automatic"):
        details.append((_("Automatic"), _("when the proposal was submitted")))
    return details


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


class JointProjectInspectView(CoordinatorsOnlyMixin, InspectView):
    page_title = _("Proposal")
    ranking_url_name = None
    transition_url_name = None
    assign_url_name = None

    def get_object(self, queryset=None):
        projects = selectors.with_partners(JointProject.objects.all())
        return get_object_or_404(projects, pk=self.pk)

    def get_fields(self):
        return []  # the template lays the page out itself

    @cached_property
    def ranking_url(self):
        return reverse(self.ranking_url_name, args=[quote(self.object.call_id)])

    @cached_property
    def header_buttons(self):
        return [HeaderButton(_("Ranking of the call"), url=self.ranking_url, icon_name="list-ol")]

    def get_transition_forms(self):
        project, user = self.object, self.request.user
        return [
            {
                "name": name,
                "label": transition_label(name),
                "help": TRANSITION_HELP.get(name, ""),
                "form": TransitionForm(name=name, project=project),
                "url": reverse(self.transition_url_name, args=[quote(project.pk), name]),
                "serious": name in SERIOUS_TRANSITIONS,
            }
            for name in services.project_available_transitions(project=project, user=user)
        ]

    def get_history(self):
        rows = []
        # The content types from Django's per-process cache: building one per row
        # (select_related) cost more than the rest of the history.
        logs = project_history(self.object, user=self.request.user).select_related(None)
        for log in logs.select_related("actor"):
            content_type = ContentType.objects.get_for_id(log.content_type_id)
            states = STATES_BY_MODEL.get(content_type.model)
            rows.append(
                {
                    "log": log,
                    "subject": content_type.name,
                    "transition": transition_label(log.transition),
                    "from_state": state_label(states, log.from_state) if states else "",
                    "to_state": state_label(states, log.to_state) if states else log.to_state,
                    "details": log_details(log.payload or {}),
                }
            )
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        project = self.object
        # The reviews with their weighted totals and the mean score: two queries, not six.
        reviews, score = project_reviews_with_score(project)
        context.update(
            {
                "project": project,
                "limits": {
                    "max_grant": money(project.rules.max_grant),
                    "max_rate": percent(project.rules.max_cofinancing_rate),
                },
                "figures": [
                    (_("Total eligible cost"), money(project.total_cost)),
                    (_("Requested grant"), money(project.requested_grant)),
                    (_("Co-financing rate"), percent(project.cofinancing_rate)),
                    (
                        _("Awarded amount"),
                        money(project.awarded_amount) if project.awarded_amount else "—",
                    ),
                    (
                        _("Final grant"),
                        money(project.final_grant) if project.final_grant is not None else "—",
                    ),
                ],
                "partnerships": sorted(
                    project.partnerships.all(), key=lambda p: (not p.is_lead, p.centre.name)
                ),
                "reviews": reviews,
                "score": score,
                "history": self.get_history(),
                "transitions": self.get_transition_forms(),
                **reviewer_assignment_context(
                    project,
                    user=self.request.user,
                    url=reverse(self.assign_url_name, args=[quote(project.pk)]),
                ),
                "ranking_url": self.ranking_url,
            }
        )
        return context
