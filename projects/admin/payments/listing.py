"""The funded projects, one row each: grant agreements accepted (n of m) and the payment schedule.

`funded_projects(params)` is the listing's filtering and search as a plain function, so that the
exports list exactly the rows the coordinator filtered.
"""

import django_filters
from django.contrib.admin.utils import quote
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.views.generic import IndexView

from projects.admin._common import CoordinatorsOnlyMixin
from projects.admin.exports import ExportButtonsMixin
from projects.admin.filters import search
from projects.admin.proposals import PlainColumn
from projects.models import Call, JointProject, Partnership, Payment, PaymentKind
from workflow.conditions import money
from workflow.states import PartnershipState, ProjectState

# Every state a project reaches once a grant was awarded, the early ends included.
FUNDED_STATES = [
    ProjectState.APPROVED,
    ProjectState.IN_PROGRESS,
    ProjectState.REPORTING,
    ProjectState.REPORT_SUBMITTED,
    ProjectState.COMPLETED,
    ProjectState.TERMINATED,
]
SEARCH_FIELDS = ("title", "acronym", "lead_centre__name")

AGREEMENTS_PENDING = "pending"
AGREEMENTS_ACCEPTED = "accepted"
PAYMENT_DUE = "due"
PAYMENT_OVERDUE = "overdue"


def _pending_agreements():
    return Partnership.objects.filter(
        project=OuterRef("pk"),
        state=PartnershipState.CONFIRMED,
        agreement_accepted_at__isnull=True,
    )


def _unpaid(**conditions):
    return Payment.objects.filter(project=OuterRef("pk"), paid_at__isnull=True, **conditions)


class FundedProjectFilterSet(WagtailFilterSet):
    call = django_filters.ModelChoiceFilter(
        label=_("Call"), queryset=Call.objects.order_by("-deadline")
    )
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=[(state.value, state.label) for state in FUNDED_STATES]
    )
    agreements = django_filters.ChoiceFilter(
        label=_("Grant agreements"),
        choices=[
            (AGREEMENTS_PENDING, _("Pending: the project waits for a partner")),
            (AGREEMENTS_ACCEPTED, _("Accepted by every partner")),
        ],
        method="filter_agreements",
    )
    payments = django_filters.ChoiceFilter(
        label=_("Payments"),
        choices=[
            (PAYMENT_DUE, _("A payment is due (not paid yet)")),
            (PAYMENT_OVERDUE, _("A payment is overdue")),
        ],
        method="filter_payments",
    )

    class Meta:
        model = JointProject
        fields = []

    def filter_agreements(self, queryset, name, value):
        if value == AGREEMENTS_PENDING:
            # As the admin home counts them: only an approved project waits for agreements.
            return queryset.filter(state=ProjectState.APPROVED).filter(
                Exists(_pending_agreements())
            )
        if value == AGREEMENTS_ACCEPTED:
            return queryset.exclude(Exists(_pending_agreements()))
        return queryset

    def filter_payments(self, queryset, name, value):
        if value == PAYMENT_DUE:
            return queryset.filter(Exists(_unpaid()))
        if value == PAYMENT_OVERDUE:
            return queryset.filter(Exists(_unpaid(due_date__lt=timezone.localdate())))
        return queryset


def funded_queryset():
    """The projects the listing shows (before filters), with what each row needs: the call and
    lead centre, the confirmed partners and those who accepted counted in SQL, the payments in
    one more query for the whole page."""
    confirmed = Q(partnerships__state=PartnershipState.CONFIRMED)
    return (
        JointProject.objects.filter(state__in=FUNDED_STATES)
        .select_related("call", "lead_centre")
        .annotate(
            partners_count=Count("partnerships", filter=confirmed),
            accepted_count=Count(
                "partnerships",
                filter=confirmed & Q(partnerships__agreement_accepted_at__isnull=False),
            ),
        )
        .prefetch_related(Prefetch("payments", queryset=Payment.objects.order_by("due_date", "pk")))
    )


def funded_projects(params, queryset=None):
    """The funded projects the listing shows for these GET parameters (filters and `q`), in its
    default order (newest first). Invalid filter values are ignored, as the listing ignores them."""
    queryset = funded_queryset() if queryset is None else queryset
    filters = FundedProjectFilterSet(data=params, queryset=queryset)
    if filters.is_valid():
        queryset = filters.qs
    return search(queryset, (params.get("q") or "").strip(), SEARCH_FIELDS)


# --- Cells ---------------------------------------------------------------------------------------


def payment_status(payment, today):
    if payment.paid_at is not None:
        return _("paid %(date)s") % {
            "date": date_format(timezone.localtime(payment.paid_at), "SHORT_DATE_FORMAT")
        }
    if payment.due_date < today:
        return _("overdue")
    return _("not paid")


def schedule_cell(project, kinds):
    """The project's payments of these kinds: the amount, then due and paid or not."""
    today = timezone.localdate()
    payments = [p for p in project.payments.all() if p.kind in kinds]
    if not payments:
        return "—"
    return format_html_join(
        mark_safe("<br>"),
        '<span class="ensemble-nowrap">{}{}</span><br>'
        '<span class="w-text-text-meta">{} · <span class="{}">{}</span></span>',
        (
            (
                f"{payment.get_kind_display()}: " if payment.kind == PaymentKind.RECOVERY else "",
                money(payment.amount),
                _("due %(date)s") % {"date": date_format(payment.due_date, "SHORT_DATE_FORMAT")},
                "ensemble-no" if not payment.is_paid and payment.due_date < today else "",
                payment_status(payment, today),
            )
            for payment in payments
        ),
    )


def agreements_cell(project):
    text = _("%(accepted)s of %(partners)s") % {
        "accepted": project.accepted_count,
        "partners": project.partners_count,
    }
    if project.partners_count and project.accepted_count == project.partners_count:
        return format_html('<span class="ensemble-yes">{}</span>', text)
    return text


def proposal_cell(project):
    return format_html(
        '<a href="{}">{}<span class="w-sr-only"> {}</span></a>',
        reverse("jointproject:inspect", args=[quote(project.pk)]),
        _("Proposal page"),
        project.acronym or project.title or project.pk,
    )


LIST_DISPLAY = [
    "title",
    "call",
    "state",
    PlainColumn("agreements", label=_("Agreements"), accessor=agreements_cell),
    PlainColumn(
        "awarded",
        label=_("Awarded"),
        accessor=lambda p: money(p.awarded_amount) if p.awarded_amount is not None else "—",
        classname="ensemble-nowrap",
    ),
    PlainColumn(
        "prefinancing",
        label=_("Pre-financing"),
        accessor=lambda p: schedule_cell(p, {PaymentKind.PREFINANCING}),
    ),
    PlainColumn(
        "balance",
        label=_("Balance or recovery"),
        accessor=lambda p: schedule_cell(p, {PaymentKind.BALANCE, PaymentKind.RECOVERY}),
    ),
    PlainColumn("proposal", label=_("Proposal"), accessor=proposal_cell),
]


class FundedProjectsPaginator(WagtailPaginator):
    # "2 funded projects" under the listing, not the model's "joint projects".
    verbose_name = _("funded project")
    verbose_name_plural = _("funded projects")


class PaymentIndexView(CoordinatorsOnlyMixin, ExportButtonsMixin, IndexView):
    export_listing_name = "payments"
    page_title = _("Agreements and payments")
    template_name = "projects/admin/payments/index.html"
    paginator_class = FundedProjectsPaginator

    def get_base_queryset(self):
        return funded_queryset()

    @cached_property
    def verbose_name_plural(self):
        return FundedProjectsPaginator.verbose_name_plural

    @cached_property
    def may_inspect(self):
        return self.user_has_any_permission({"view"})

    def get_inspect_url(self, instance):
        # Asked once a page, not once a row.
        if self.inspect_url_name and self.may_inspect:
            return reverse(self.inspect_url_name, args=(quote(instance.pk),))
        return None

    def _get_title_column(self, field_name, *args, **kwargs):
        # The title with the acronym, as the proposal's page names the project.
        kwargs.setdefault("accessor", lambda project: str(project))
        kwargs.setdefault("classname", "ensemble-title")
        return super()._get_title_column(field_name, *args, **kwargs)
