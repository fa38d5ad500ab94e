"""Reads about calls for the coordinators' screens: the calls' listing with its figures, and one
call's overview (rules, deadlines, proposals by state, budget), each in a fixed number of queries.

What a call has committed: the awarded amount of every proposal approved and further on the
funded path (approved, in progress, reporting, report submitted, completed). A terminated project
counts its final grant instead: the agreement ended early and settled that amount, and the rest
of its award went back to the call.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import models
from django.db.models import Case, Count, F, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from projects.models import BudgetLine, Call, JointProject, Partnership
from projects.models._fields import ZERO
from workflow.states import PartnershipState, ProjectState

# Calls' dates are shown, and shifted, in the secretariat's time (PRODUCT.md §2).
CALL_TIME_ZONE = ZoneInfo("Europe/Brussels")

COMMITTED_STATES = [
    ProjectState.APPROVED,
    ProjectState.IN_PROGRESS,
    ProjectState.REPORTING,
    ProjectState.REPORT_SUBMITTED,
    ProjectState.COMPLETED,
]

MONEY = models.DecimalField(max_digits=16, decimal_places=2)


class CallStatus(models.TextChoices):
    UPCOMING = "upcoming", _("Upcoming")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


def call_status(call, at=None):
    at = at or timezone.now()
    if at < call.opens_at:
        return CallStatus.UPCOMING
    if at <= call.deadline:
        return CallStatus.OPEN
    return CallStatus.CLOSED


def calls_with_status(calls, status, at=None):
    """`calls` narrowed to those `status` (upcoming, open or closed) now."""
    at = at or timezone.now()
    if status == CallStatus.UPCOMING:
        return calls.filter(opens_at__gt=at)
    if status == CallStatus.OPEN:
        return calls.filter(opens_at__lte=at, deadline__gte=at)
    if status == CallStatus.CLOSED:
        return calls.filter(deadline__lt=at)
    return calls


def committed_amount(prefix=""):
    """The amount a project commits from its call's budget, as an SQL expression (`prefix`
    reaches the project from another model, e.g. "projects__")."""
    return Case(
        When(
            **{f"{prefix}state__in": COMMITTED_STATES},
            then=Coalesce(F(f"{prefix}awarded_amount"), Value(ZERO)),
        ),
        When(
            **{f"{prefix}state": ProjectState.TERMINATED},
            then=Coalesce(F(f"{prefix}final_grant"), F(f"{prefix}awarded_amount"), Value(ZERO)),
        ),
        default=Value(ZERO),
        output_field=MONEY,
    )


def calls_for_admin_listing():
    """The calls with their network, number of proposals (every state: the count the proposals'
    listing shows for the call) and committed amount, in one query."""
    return Call.objects.select_related("network").annotate(
        proposal_count=Count("projects"),
        committed=Coalesce(Sum(committed_amount("projects__")), Value(ZERO), output_field=MONEY),
    )


@dataclass
class StateCount:
    state: str
    label: str
    count: int


@dataclass
class CallOverview:
    """One call's page: its rules, dates, proposals by state and budget."""

    call: Call
    status: str
    status_label: str
    schedule_note: str
    tiers: list
    criteria: list
    questions_count: int
    by_state: list = field(default_factory=list)
    proposals: int = 0
    committed: Decimal = ZERO
    requested_under_review: Decimal = ZERO
    under_review: int = 0

    @property
    def available(self):
        return self.call.budget - self.committed

    @property
    def committed_rate(self):
        """The committed share of the budget (None for a call without a budget)."""
        if not self.call.budget:
            return None
        return self.committed / self.call.budget

    @property
    def over_budget(self):
        return self.committed > self.call.budget


def call_for_overview(pk):
    """The call of an overview, with its network, tiers and criteria (three queries)."""
    return (
        Call.objects.select_related("network")
        .prefetch_related("tiers", "criteria")
        .filter(pk=pk)
        .first()
    )


def schedule_note(call, at=None):
    """When the call opens or closes, counted in calendar days in Brussels."""
    at = at or timezone.now()
    status = call_status(call, at)
    today = at.astimezone(CALL_TIME_ZONE).date()
    if status == CallStatus.UPCOMING:
        days = (call.opens_at.astimezone(CALL_TIME_ZONE).date() - today).days
        if days == 0:
            return str(_("opens today"))
        return ngettext("opens in %(days)d day", "opens in %(days)d days", days) % {"days": days}
    if status == CallStatus.OPEN:
        days = (call.deadline.astimezone(CALL_TIME_ZONE).date() - today).days
        if days == 0:
            return str(_("closes today"))
        return ngettext("closes in %(days)d day", "closes in %(days)d days", days) % {"days": days}
    return str(_("closed"))


def requested_under_review(call):
    """The grant requested by the call's proposals under review: for each confirmed partner,
    its budget less its own contribution, never below zero (JointProject.requested_grant),
    summed in one query."""
    cost = (
        BudgetLine.objects.filter(partnership=OuterRef("pk"))
        .order_by()
        .values("partnership")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    partners = Partnership.objects.filter(
        project__call=call,
        project__state=ProjectState.UNDER_REVIEW,
        state=PartnershipState.CONFIRMED,
    ).annotate(cost=Coalesce(Subquery(cost, output_field=MONEY), Value(ZERO), output_field=MONEY))
    total = partners.aggregate(
        total=Sum(
            Greatest(F("cost") - F("own_contribution"), Value(ZERO), output_field=MONEY),
            output_field=MONEY,
        )
    )["total"]
    return (total or ZERO).quantize(ZERO)


def call_overview(call, at=None):
    """Everything the call's page shows, for a call from `call_for_overview`: two queries more
    (the proposals by state with their committed amounts, and the requested grant under
    review), whatever the number of proposals."""
    at = at or timezone.now()
    status = call_status(call, at)
    overview = CallOverview(
        call=call,
        status=status,
        status_label=CallStatus(status).label,
        schedule_note=schedule_note(call, at),
        tiers=list(call.tiers.all()),
        criteria=list(call.criteria.all()),
        questions_count=len(call.questions.raw_data),
    )
    rows = {
        row["state"]: row
        for row in JointProject.objects.filter(call=call)
        .order_by()
        .values("state")
        .annotate(
            count=Count("id"),
            committed=Coalesce(Sum(committed_amount()), Value(ZERO), output_field=MONEY),
        )
    }
    for state in ProjectState:
        row = rows.get(state.value)
        if row:
            overview.by_state.append(StateCount(state.value, state.label, row["count"]))
            overview.proposals += row["count"]
            overview.committed += row["committed"]
    overview.under_review = rows.get(ProjectState.UNDER_REVIEW, {}).get("count", 0)
    overview.requested_under_review = requested_under_review(call)
    return overview
