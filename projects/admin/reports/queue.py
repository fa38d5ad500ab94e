"""The reports queue: submitted reports first (the oldest first), then returned, drafts and
accepted ones; each row flagged when the final report is overdue or waits for resubmission.

`report_queue(params)` is the queue's filtering and search as a plain function, so that the
exports list exactly the rows the coordinator filtered.
"""

from datetime import timedelta

import django_filters
from django.contrib.admin.utils import quote
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views.generic import IndexView

from projects.admin._common import CoordinatorsOnlyMixin
from projects.admin.exports import ExportButtonsMixin
from projects.admin.filters import search
from projects.admin.proposals import PlainColumn
from projects.models import Call, JointProject, Report, ReportKind
from workflow.scheduled import REPORT_DUE_DAYS
from workflow.states import ProjectState, ReportState

SEARCH_FIELDS = ("project__title", "project__acronym", "project__lead_centre__name")
OVERDUE = "yes"
# A report is written while the project runs; after that it is settled or terminated.
RUNNING = [ProjectState.IN_PROGRESS, ProjectState.REPORTING]


def overdue_condition(today):
    """A final report the lead has not (re)submitted although it was due (the project's end +
    REPORT_DUE_DAYS, as the reminders and the admin home count it)."""
    return Q(
        kind=ReportKind.FINAL,
        state__in=ReportState.editable(),
        project__state__in=RUNNING,
        project__end_date__lt=today - timedelta(days=REPORT_DUE_DAYS),
    )


def needs_attention(today):
    """Overdue, or returned and waiting for the lead to submit it again."""
    return overdue_condition(today) | Q(state=ReportState.RETURNED, project__state__in=RUNNING)


class ReportQueueFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(label=_("State"), choices=ReportState.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ReportKind.choices)
    call = django_filters.ModelChoiceFilter(
        label=_("Call"), field_name="project__call", queryset=Call.objects.order_by("-deadline")
    )
    overdue = django_filters.ChoiceFilter(
        label=_("Overdue"),
        choices=[(OVERDUE, _("Overdue, or returned and waiting for resubmission"))],
        method="filter_overdue",
    )

    class Meta:
        model = Report
        fields = []

    def filter_overdue(self, queryset, name, value):
        if value == OVERDUE:
            return queryset.filter(needs_attention(timezone.localdate()))
        return queryset


def queue_queryset():
    """Submitted reports first (the oldest first: they have waited longest), then returned,
    drafts, and accepted ones last."""
    order = Case(
        When(state=ReportState.SUBMITTED, then=Value(0)),
        When(state=ReportState.RETURNED, then=Value(1)),
        When(state=ReportState.DRAFT, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return (
        Report.objects.select_related("project__call", "project__lead_centre")
        .annotate(queue_order=order)
        .order_by("queue_order", F("submitted_at").asc(nulls_last=True), "created_at", "pk")
    )


def report_queue(params, queryset=None):
    """The reports the queue shows for these GET parameters (filters and `q`), in its order.
    Invalid filter values are ignored, as the queue ignores them."""
    queryset = queue_queryset() if queryset is None else queryset
    filters = ReportQueueFilterSet(data=params, queryset=queryset)
    if filters.is_valid():
        queryset = filters.qs
    return search(queryset, (params.get("q") or "").strip(), SEARCH_FIELDS)


def report_due(report, today=None):
    """The final report's due date and whether it is overdue; None for interim reports."""
    project = report.project
    if not report.is_final or project.end_date is None:
        return None
    due = project.end_date + timedelta(days=REPORT_DUE_DAYS)
    today = today or timezone.localdate()
    late = report.state in ReportState.editable() and project.state in RUNNING and due < today
    return {"date": due, "late": late}


def report_flags(report, today):
    """What the coordinator should notice about a report, as short labels."""
    flags = []
    due = report_due(report, today)
    if due and due["late"]:
        flags.append(
            _("Overdue since %(date)s") % {"date": date_format(due["date"], "SHORT_DATE_FORMAT")}
        )
    if report.state == ReportState.RETURNED and report.project.state in RUNNING:
        flags.append(_("Waiting for resubmission"))
    return flags


def flags_cell(report):
    flags = report_flags(report, timezone.localdate())
    if not flags:
        return ""
    return format_html_join(
        mark_safe("<br>"), '<span class="ensemble-no">{}</span>', ((flag,) for flag in flags)
    )


def _datetime(value):
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT") if value else "—"


LIST_DISPLAY = [
    "project",
    "kind",
    "state",
    PlainColumn("call", label=_("Call"), accessor=lambda report: report.project.call.title),
    PlainColumn(
        "lead_centre", label=_("Lead centre"), accessor=lambda r: r.project.lead_centre.name
    ),
    PlainColumn(
        "submitted_at",
        label=_("Submitted"),
        accessor=lambda report: _datetime(report.submitted_at),
        classname="ensemble-nowrap",
    ),
    PlainColumn("flags", label=_("Overdue"), accessor=flags_cell),
    PlainColumn(
        "proposal",
        label=_("Proposal"),
        accessor=lambda report: format_html(
            '<a href="{}">{}<span class="w-sr-only"> {}</span></a>',
            reverse("jointproject:inspect", args=[quote(report.project_id)]),
            _("Proposal page"),
            report.project.acronym or report.project.title or report.project_id,
        ),
    ),
]


def final_reports_missing(today):
    """Projects in their reporting period, past the due date, without a final report at all:
    no row in the queue can flag them."""
    finals = Report.objects.filter(project=OuterRef("pk"), kind=ReportKind.FINAL)
    return (
        JointProject.objects.filter(
            state=ProjectState.REPORTING,
            end_date__lt=today - timedelta(days=REPORT_DUE_DAYS),
        )
        .exclude(Exists(finals))
        .count()
    )


class ReportQueueView(CoordinatorsOnlyMixin, ExportButtonsMixin, IndexView):
    export_listing_name = "reports"
    page_title = _("Reports")
    template_name = "projects/admin/reports/index.html"

    def get_base_queryset(self):
        return queue_queryset()

    @cached_property
    def may_inspect(self):
        return self.user_has_any_permission({"view"})

    def get_inspect_url(self, instance):
        if self.inspect_url_name and self.may_inspect:
            return reverse(self.inspect_url_name, args=(quote(instance.pk),))
        return None

    def _get_title_column(self, field_name, *args, **kwargs):
        kwargs.setdefault("accessor", lambda report: str(report.project))
        kwargs.setdefault("classname", "ensemble-title")
        return super()._get_title_column(field_name, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["missing_final_reports"] = final_reports_missing(timezone.localdate())
        context["reporting_url"] = (
            f"{reverse('jointproject:index')}?{urlencode({'state': ProjectState.REPORTING})}"
        )
        return context
