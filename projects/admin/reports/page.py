"""A report's page: narrative, indicators, costs per partner (reported and accepted, editable
through `report_costs_accept` until the project is settled), attachments, history, and Accept or
Return with feedback through `report_transition`. Accepting the final report completes the
project (the service runs the project's `complete`: final grant, balance or recovery).
"""

from decimal import Decimal

from django import forms
from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View
from django_countries import countries
from wagtail.admin import messages
from wagtail.admin.views.generic import InspectView
from wagtail.admin.widgets.button import HeaderButton

from projects.admin._common import (
    CoordinatorRequiredMixin,
    CoordinatorsOnlyMixin,
    report_form_errors,
    run_service,
    state_label,
    transition_label,
)
from projects.admin.payments.forms import AcceptedCostsForm
from projects.admin.reports.queue import report_due, report_flags
from projects.models import JointProject, Report
from projects.selectors import with_partners
from projects.workspace.reports_forms import COUNTS
from workflow import services
from workflow.conditions import money
from workflow.models import TransitionLog
from workflow.services.payments import costs_adjustable
from workflow.states import ReportState

DECISIONS = {"accept", "return"}


class ReportDecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Feedback"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded in the history and sent to the lead centre."),
    )

    def __init__(self, *args, name, **kwargs):
        kwargs.setdefault("prefix", name)
        super().__init__(*args, **kwargs)
        if name == "return":
            comment = self.fields["comment"]
            comment.required = True
            comment.help_text = _("What the lead centre must change before submitting again.")
            comment.error_messages["required"] = _("Say what must change: feedback is required.")


DECISION_HELP = {
    ("final", "accept"): _(
        "Accepting the final report completes the project: the final grant is settled on the "
        "accepted costs and the balance (or a recovery) is scheduled."
    ),
    ("final", "return"): _("The project goes back to reporting; the lead corrects the report."),
    ("interim", "accept"): _("The accepted costs count towards the final grant."),
    ("interim", "return"): _("The lead corrects the report and submits it again."),
}


class ReportInspectView(CoordinatorsOnlyMixin, InspectView):
    page_title = _("Report")
    template_name = "projects/admin/reports/report.html"
    transition_url_name = None
    costs_url_name = None

    def get_object(self, queryset=None):
        reports = Report.objects.prefetch_related("costs", "attachments")
        report = get_object_or_404(reports, pk=self.pk)
        report.project = with_partners(JointProject.objects.filter(pk=report.project_id)).get()
        return report

    def get_fields(self):
        return []

    def get_page_subtitle(self):
        return str(self.object)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": _("Reports")},
            {"url": "", "label": self.get_page_subtitle()},
        ]

    @cached_property
    def header_buttons(self):
        project_pk = quote(self.object.project_id)
        return [
            HeaderButton(
                _("Proposal page"),
                url=reverse("jointproject:inspect", args=[project_pk]),
                icon_name="form",
            ),
            HeaderButton(
                _("Agreements and payments"),
                url=reverse("payment:inspect", args=[project_pk]),
                icon_name="calendar-check",
            ),
        ]

    def indicators_context(self, report):
        indicators = report.indicators or {}
        audience = indicators.get("audience") or {}
        return {
            "counts": [
                (label, indicators[name]) for name, label, _h in COUNTS if name in indicators
            ],
            "audience_rows": sorted(
                ((str(countries.name(code)) or code, count) for code, count in audience.items()),
                key=lambda row: row[0],
            ),
            "outputs": indicators.get("outputs") or [],
        }

    def costs_context(self, report):
        project = report.project
        partners = project.confirmed_partnerships()
        centres = {p.pk: p.centre.name for p in project.partnerships.all()}
        costs = list(report.costs.all())
        form = AcceptedCostsForm(costs=costs, centres=centres)
        planned = {p.pk: p.total_cost for p in partners}
        return {
            "costs_editable": bool(costs) and costs_adjustable(report, project),
            "costs_form": form,
            "costs_url": reverse(self.costs_url_name, args=[report.pk]),
            "cost_rows": [
                {
                    "cost": cost,
                    "centre": centres.get(cost.partnership_id, ""),
                    "planned": planned.get(cost.partnership_id),
                    "field": field,
                }
                for cost, field in form.rows()
            ],
            "reported_total": sum((c.amount for c in costs), 0),
            "not_reported": [
                p.centre.name for p in partners if p.pk not in {c.partnership_id for c in costs}
            ],
        }

    def decisions(self, report):
        names = services.report_available_transitions(report=report, user=self.request.user)
        return [
            {
                "name": name,
                "label": _("Accept the report") if name == "accept" else _("Return the report"),
                "help": DECISION_HELP.get((report.kind, name), ""),
                "form": ReportDecisionForm(name=name),
                "url": reverse(self.transition_url_name, args=[report.pk, name]),
                "serious": name == "return",
            }
            for name in names
            if name in DECISIONS
        ]

    def history(self, report):
        logs = TransitionLog.objects.filter(
            content_type=ContentType.objects.get_for_model(Report), object_id=report.pk
        ).select_related("actor")
        return [
            {
                "log": log,
                "transition": transition_label(log.transition),
                "to_state": state_label(ReportState, log.to_state),
                "accepted_costs": money(Decimal(log.payload["accepted_costs"]))
                if log.transition == "accept_costs" and log.payload.get("accepted_costs")
                else "",
                "who": (log.actor.get_full_name() or log.actor.get_username()) if log.actor else "",
            }
            for log in logs.order_by("at", "pk")
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.object
        context.update(
            {
                "report": report,
                "project": report.project,
                "due": report_due(report),
                "flags": report_flags(report, timezone.localdate()),
                "attachments": list(report.attachments.all()),
                "decisions": self.decisions(report),
                "history": self.history(report),
                "next_url": self.request.get_full_path(),
                **self.indicators_context(report),
                **self.costs_context(report),
            }
        )
        return context


class ReportActionView(CoordinatorRequiredMixin, View):
    """A POST from a report's page: run one service, say what happened, go back."""

    http_method_names = ["post"]
    inspect_url_name = None

    @cached_property
    def report(self):
        return get_object_or_404(Report.objects.select_related("project"), pk=self.kwargs["pk"])

    def back(self):
        target = self.request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            target = reverse(self.inspect_url_name, args=[quote(self.report.pk)])
        return redirect(target)


class ReportTransitionView(ReportActionView):
    def post(self, request, pk, name):
        if name not in DECISIONS:
            raise Http404("No such decision.")
        report = self.report
        heading = _("“%(transition)s” was not possible:") % {"transition": transition_label(name)}
        form = ReportDecisionForm(request.POST, name=name)
        if not form.is_valid():
            report_form_errors(request, heading, form)
            return self.back()

        def decide():
            self.result = services.report_transition(
                report_id=report.pk,
                name=name,
                actor=request.user,
                comment=form.cleaned_data["comment"],
            )

        if run_service(request, decide, heading=heading):
            if report.is_final and name == "accept":
                project = JointProject.objects.get(pk=report.project_id)
                text = _(
                    "The final report is accepted: “%(project)s” is now “%(state)s”, with a final "
                    "grant of %(grant)s."
                ) % {
                    "project": project,
                    "state": project.get_state_display(),
                    "grant": money(project.final_grant or 0),
                }
            else:
                text = _("The report is now “%(state)s”.") % {
                    "state": self.result.get_state_display()
                }
            messages.success(request, text)
        return self.back()


class ReportCostsView(ReportActionView):
    def post(self, request, pk):
        report = self.report
        heading = _("The accepted costs were not saved:")
        costs = report.costs.select_related("partnership__centre")
        centres = {cost.partnership_id: cost.partnership.centre.name for cost in costs}
        form = AcceptedCostsForm(request.POST, costs=costs, centres=centres)
        if not form.is_valid():
            report_form_errors(request, heading, form)
            return self.back()

        def accept():
            services.report_costs_accept(
                report_id=report.pk, actor=request.user, accepted=form.accepted()
            )

        if run_service(request, accept, heading=heading):
            messages.success(request, _("The accepted costs are saved."))
        return self.back()
