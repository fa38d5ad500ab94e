"""A funded project's agreements and payments: who accepted the grant agreement and when, "Start
the project" once every partner did, the payment schedule with "Mark paid", and the final
report's accepted costs per partner until the project is settled."""

from decimal import ROUND_DOWN

from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views import View
from wagtail.admin import messages
from wagtail.admin.views.generic import InspectView
from wagtail.admin.widgets.button import HeaderButton

from projects.admin._common import (
    CoordinatorRequiredMixin,
    CoordinatorsOnlyMixin,
    ProjectActionView,
    percent,
    report_form_errors,
    run_service,
)
from projects.admin.payments.forms import AcceptedCostsForm, MarkPaidForm
from projects.admin.payments.listing import FUNDED_STATES
from projects.models import JointProject, Partnership, Payment, Report, ReportKind
from workflow import permissions, services
from workflow.conditions import money
from workflow.models import TransitionLog
from workflow.services.payments import costs_adjustable
from workflow.services.projects import CENT
from workflow.states import PartnershipState, ProjectState


def _who(user):
    return (user.get_full_name() or user.get_username()) if user else ""


class PaymentScreenView(CoordinatorsOnlyMixin, InspectView):
    page_title = _("Agreements and payments")
    template_name = "projects/admin/payments/project.html"
    start_url_name = None
    mark_paid_url_name = None

    def get_object(self, queryset=None):
        partnerships = Partnership.objects.select_related("centre", "agreement_accepted_by")
        projects = (
            JointProject.objects.filter(state__in=FUNDED_STATES)
            .select_related("call", "lead_centre")
            .prefetch_related(
                Prefetch("partnerships", queryset=partnerships),
                Prefetch("payments", queryset=Payment.objects.order_by("due_date", "pk")),
            )
        )
        return get_object_or_404(projects, pk=self.pk)

    def get_fields(self):
        return []  # the template lays the page out itself

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": self.page_title},
            {"url": "", "label": self.get_page_subtitle()},
        ]

    @cached_property
    def proposal_url(self):
        return reverse("jointproject:inspect", args=[quote(self.object.pk)])

    @cached_property
    def header_buttons(self):
        return [HeaderButton(_("Proposal page"), url=self.proposal_url, icon_name="form")]

    def payment_rows(self, project):
        """The schedule, each payment with who recorded it paid (one query for the log)."""
        payments = list(project.payments.all())
        recorded = {
            log.object_id: log
            for log in TransitionLog.objects.filter(
                project=project,
                content_type=ContentType.objects.get_for_model(Payment),
                transition="mark_paid",
            ).select_related("actor")
        }
        today = timezone.localdate()
        rows = []
        for payment in payments:
            log = recorded.get(payment.pk)
            rows.append(
                {
                    "payment": payment,
                    "overdue": not payment.is_paid and payment.due_date < today,
                    "recorded_by": _who(log.actor) if log else "",
                    "form": None if payment.is_paid else MarkPaidForm(payment=payment),
                    "url": reverse(self.mark_paid_url_name, args=[payment.pk]),
                }
            )
        return rows

    def costs_context(self, project, partnerships):
        """The final report's costs per partner, editable while they may still change."""
        report = (
            Report.objects.filter(project=project, kind=ReportKind.FINAL)
            .prefetch_related("costs")
            .first()
        )
        if report is None:
            return {"final_report": None}
        report.project = project
        centres = {p.pk: p.centre.name for p in partnerships}
        costs = list(report.costs.all())
        editable = costs_adjustable(report, project) and bool(costs)
        form = AcceptedCostsForm(costs=costs, centres=centres)
        return {
            "final_report": report,
            "final_report_url": reverse("report:inspect", args=[report.pk]),
            "costs_editable": editable,
            "costs_form": form,
            "costs_url": reverse("report:costs", args=[report.pk]),
            "cost_rows": [
                {"cost": cost, "centre": centres.get(cost.partnership_id, ""), "field": field}
                for cost, field in form.rows()
            ],
            "reported_total": sum((c.amount for c in costs), 0),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        project = self.object
        partnerships = list(project.partnerships.all())
        confirmed = sorted(
            (p for p in partnerships if p.state == PartnershipState.CONFIRMED),
            key=lambda p: (not p.is_lead, p.centre.name),
        )
        pending = [p for p in confirmed if not p.agreement_accepted]
        payments = self.payment_rows(project)
        planned = None
        if project.state == ProjectState.APPROVED and project.awarded_amount:
            planned = money(
                (project.awarded_amount * project.call.prefinancing_rate).quantize(
                    CENT, rounding=ROUND_DOWN
                )
            )
        paid = sum((row["payment"].amount for row in payments if row["payment"].is_paid), 0)
        context.update(
            {
                "project": project,
                "proposal_url": self.proposal_url,
                "partners": confirmed,
                "pending": pending,
                "accepted_count": len(confirmed) - len(pending),
                "can_start": project.state == ProjectState.APPROVED
                and not pending
                and permissions.can_run_project_transition(self.request.user, project, "start"),
                "start_url": reverse(self.start_url_name, args=[quote(project.pk)]),
                "payments": payments,
                "planned_prefinancing": planned,
                "figures": [
                    (_("Awarded grant"), money(project.awarded_amount or 0)),
                    (_("Pre-financing rate"), percent(project.call.prefinancing_rate)),
                    (
                        _("Final grant"),
                        money(project.final_grant) if project.final_grant is not None else "—",
                    ),
                    (_("Paid or received"), money(paid)),
                ],
                "next_url": self.request.get_full_path(),
                **self.costs_context(project, partnerships),
            }
        )
        return context


class ProjectStartView(ProjectActionView):
    """ "Start the project" from its payments page: the service checks every agreement."""

    def post(self, request, pk):
        heading = _("The project could not start:")

        def start():
            self.result = services.project_transition(
                project_id=self.project.pk, name="start", actor=request.user
            )

        if run_service(request, start, heading=heading):
            messages.success(
                request,
                _("“%(project)s” has started; the pre-financing is scheduled.")
                % {"project": self.result},
            )
        return self.back()


class MarkPaidView(CoordinatorRequiredMixin, View):
    http_method_names = ["post"]
    inspect_url_name = None

    def post(self, request, pk):
        payment = get_object_or_404(Payment, pk=pk)
        back = redirect(reverse(self.inspect_url_name, args=[quote(payment.project_id)]))
        heading = _("The payment could not be marked paid:")
        form = MarkPaidForm(request.POST, payment=payment)
        if not form.is_valid():
            report_form_errors(request, heading, form)
            return back
        paid_on = form.cleaned_data["paid_on"]

        def mark_paid():
            services.payment_mark_paid(payment_id=payment.pk, actor=request.user, paid_on=paid_on)

        if run_service(request, mark_paid, heading=heading):
            messages.success(
                request,
                _("%(kind)s of %(amount)s marked paid on %(date)s.")
                % {
                    "kind": payment.get_kind_display(),
                    "amount": money(payment.amount),
                    "date": date_format(paid_on, "DATE_FORMAT"),
                },
            )
        return back
