"""Reads of the workspace's budget and grant-agreement pages (issue 7, items 4 and 7).

Every figure comes from the models' own properties (JointProject.total_cost, requested_grant,
cofinancing_rate; Partnership.total_cost, requested_grant), the call's rules and the submit
conditions of workflow.conditions: nothing here re-states a formula of theirs.
"""

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.db.models import Prefetch
from django.http import Http404

from projects.models import BudgetLine, JointProject, Partnership, PaymentKind
from projects.models._fields import ZERO
from workflow import conditions, permissions
from workflow.services.projects import CENT, PAYMENT_DUE_DAYS, grant_rate
from workflow.states import PartnershipState, ProjectState

# Partnerships whose budget is shown: those taking part or asked to (not the declined or gone).
SHOWN_STATES = (*PartnershipState.pending(), PartnershipState.CONFIRMED)
# The submit conditions about money, run on the figures shown (saved or being typed).
BUDGET_CONDITIONS = (conditions.budget_empty, conditions.max_grant, conditions.cofinancing_rate)


def project_for_budget(user, pk):
    """The project with its call and rules, its partnerships (centre, who accepted the grant
    agreement, budget lines) and payments, in a fixed number of queries; 404 when the user may
    not see it."""
    partnerships = Partnership.objects.select_related(
        "centre", "agreement_accepted_by"
    ).prefetch_related("budget_lines")
    project = (
        JointProject.objects.filter(pk=pk)
        .select_related("call", "tier", "lead_centre")
        .prefetch_related(Prefetch("partnerships", queryset=partnerships), "payments")
        .first()
    )
    if project is None or not permissions.can_view_project(user, project):
        raise Http404("No such project.")
    return project


def shown_partnerships(project):
    return [p for p in project.partnerships.all() if p.state in SHOWN_STATES]


def sees_budget_lines(user, project, partnership, *, reviewer=False):
    """Whose lines a person reads: the centre its own; the lead centre, the coordinators and the
    proposal's reviewers every partner's. Others (another partner, a visitor of a funded
    project) read each partner's totals only."""
    roles = permissions.roles_of(user)
    return (
        roles.is_coordinator
        or reviewer
        or roles.member_of(partnership.centre_id)
        or roles.member_of(project.lead_centre_id)
    )


def may_edit_budget(user, project, partnership):
    """On this page a centre edits its own budget only (the lead reads the others'), while the
    proposal is editable: the service's rule (workflow.permissions.can_edit_budget, any member
    of the centre) narrowed to the centre itself, as issue 7 asks."""
    return (
        project.state in ProjectState.editable()
        and partnership.state in SHOWN_STATES
        and permissions.can_edit_budget(user, partnership)
        and permissions.roles_of(user).member_of(partnership.centre_id)
    )


def with_unsaved_budget(project, partnership, *, lines, own_contribution):
    """Put a budget being typed in place of `partnership`'s saved one, in memory only, so the
    models' properties compute the totals it would give. Nothing is saved: the budget lines are
    unsaved instances, handed to the partnership as its prefetched lines (what
    projects.selectors.with_partners loads)."""
    partnership.own_contribution = own_contribution
    unsaved = [
        BudgetLine(
            partnership=partnership,
            category=line["category"],
            description=line.get("description", ""),
            amount=line["amount"],
        )
        for line in lines
    ]
    queryset = BudgetLine.objects.none()
    queryset._result_cache = unsaved
    queryset._prefetch_done = True
    partnership.__dict__.setdefault("_prefetched_objects_cache", {})["budget_lines"] = queryset
    return project


@dataclass
class Totals:
    total_cost: Decimal
    requested_grant: Decimal
    rate_percent: Decimal | None
    max_grant: Decimal
    max_rate_percent: Decimal
    failures: list
    partners: list  # (partnership, counted) pairs, in the page's order


def budget_totals(project, partnerships):
    """The proposal's figures (confirmed partners count), each partner's, and the submit
    conditions about money that fail with them."""
    rate = project.cofinancing_rate
    rules = project.rules
    return Totals(
        total_cost=project.total_cost,
        requested_grant=project.requested_grant,
        rate_percent=rate * 100 if rate is not None else None,
        max_grant=rules.max_grant,
        max_rate_percent=rules.max_cofinancing_rate * 100,
        failures=[
            failure
            for condition in BUDGET_CONDITIONS
            if (failure := condition(project, conditions.TransitionInput()))
        ],
        partners=[(p, p.state == PartnershipState.CONFIRMED) for p in partnerships],
    )


# --- The grant agreement ---------------------------------------------------------------------


@dataclass
class Share:
    partnership: Partnership
    grant: Decimal  # the part of the awarded grant passed to this partner
    prefinancing: Decimal  # its part of the pre-financing payment


@dataclass
class Agreement:
    awarded: Decimal | None
    prefinancing: Decimal | None  # the project's pre-financing (scheduled or planned)
    prefinancing_scheduled: object  # the Payment once the project started, else None
    prefinancing_rate_percent: Decimal
    grant_rate_percent: Decimal
    due_days: int
    shares: list
    accepted: int
    open: bool  # the partners may accept now (the project is approved)


def _split(total, weights, lead_index):
    """`total` split in proportion to `weights`, each part rounded down to the cent; the cents
    left over go to the lead, so the parts add up to the total exactly."""
    whole = sum(weights, ZERO)
    if not total or not whole:
        return [ZERO for _ in weights]
    parts = [(total * weight / whole).quantize(CENT, rounding=ROUND_DOWN) for weight in weights]
    if lead_index is not None:
        parts[lead_index] += total - sum(parts, ZERO)
    return parts


def grant_agreement(project):
    """Each confirmed partner's share of the awarded grant, in proportion to the grant it
    requested (its budget minus its own contribution), and of the pre-financing the network
    pays when the project starts (the call's pre-financing rate of the awarded grant, as
    workflow.services.projects schedules it; the scheduled payment once there is one)."""
    confirmed = project.confirmed_partnerships()
    awarded = project.awarded_amount
    scheduled = next(
        (p for p in project.payments.all() if p.kind == PaymentKind.PREFINANCING), None
    )
    rate = project.call.prefinancing_rate
    if scheduled is not None:
        prefinancing = scheduled.amount
    elif awarded is not None:
        prefinancing = (awarded * rate).quantize(CENT, rounding=ROUND_DOWN)
    else:
        prefinancing = None
    lead_index = next((i for i, p in enumerate(confirmed) if p.is_lead), None)
    requested = [p.requested_grant for p in confirmed]
    grants = _split(awarded or ZERO, requested, lead_index)
    prefinancings = _split(prefinancing or ZERO, requested, lead_index)
    return Agreement(
        awarded=awarded,
        prefinancing=prefinancing,
        prefinancing_scheduled=scheduled,
        prefinancing_rate_percent=rate * 100,
        grant_rate_percent=(grant_rate(project) * 100).quantize(Decimal("0.1")),
        due_days=PAYMENT_DUE_DAYS,
        shares=[
            Share(partnership=p, grant=g, prefinancing=f)
            for p, g, f in zip(confirmed, grants, prefinancings, strict=True)
        ],
        accepted=sum(1 for p in confirmed if p.agreement_accepted),
        open=project.state == ProjectState.APPROVED,
    )
