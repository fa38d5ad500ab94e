"""The sections of a proposal's admin page shaped from what the page loaded: partners and
mandates, the budget by category, the submit conditions, the scores per criterion. No query
here (the proposal comes from `selectors.proposal_for_page`)."""

from decimal import ROUND_HALF_UP, Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from projects.admin._common import percent
from projects.budgets_selectors import SHOWN_STATES
from projects.models import BudgetCategory
from projects.models._fields import ZERO
from projects.workspace.editor.eligibility import eligibility
from workflow.states import PartnershipState, ProjectState, ReviewState

TWO_PLACES = Decimal("0.01")


def person(user):
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def partnerships_in_order(project):
    """The lead first, then the partners by centre name."""
    return sorted(project.partnerships.all(), key=lambda p: (not p.is_lead, p.centre.name))


def partner_rows(project):
    """Each partnership with who signed its mandate (and the signed PDF, through the
    permission-checked download) and who accepted the grant agreement."""
    return [
        {
            "partnership": p,
            "mandate_by": person(p.mandate_signed_by),
            "mandate_url": reverse("workspace:mandate_file", args=[p.pk]) if p.mandate_file else "",
            "agreement_by": person(p.agreement_accepted_by),
        }
        for p in partnerships_in_order(project)
    ]


def _rate(requested, total):
    return (requested / total).quantize(Decimal("0.0001")) if total else None


def budget_table(project):
    """Partners × budget categories (only the categories the proposal uses), each partner's
    total, own contribution, requested grant and rate; the totals count the confirmed partners
    only, as the proposal's figures and the submit conditions do."""
    partnerships = [p for p in partnerships_in_order(project) if p.state in SHOWN_STATES]
    used = {line.category for p in partnerships for line in p.budget_lines.all()}
    categories = [c for c in BudgetCategory if c in used]
    rows = []
    column_totals = dict.fromkeys(categories, ZERO)
    own_total = ZERO
    for p in partnerships:
        by_category = dict.fromkeys(categories, ZERO)
        for line in p.budget_lines.all():
            by_category[line.category] += line.amount
        counted = p.state == PartnershipState.CONFIRMED
        if counted:
            own_total += p.own_contribution
            for category, amount in by_category.items():
                column_totals[category] += amount
        total, requested = p.total_cost, p.requested_grant
        rows.append(
            {
                "partnership": p,
                "counted": counted,
                "amounts": [by_category[c] for c in categories],
                "total": total,
                "own": p.own_contribution,
                "requested": requested,
                "rate": percent(_rate(requested, total)),
            }
        )
    rules = project.rules
    rate = project.cofinancing_rate
    requested = project.requested_grant
    return {
        "categories": [c.label for c in categories],
        "rows": rows,
        "totals": [column_totals[c] for c in categories],
        "total": project.total_cost,
        "own": own_total,
        "requested": requested,
        "rate": percent(rate),
        "max_rate": percent(rules.max_cofinancing_rate),
        "max_grant": rules.max_grant,
        "over_rate": rate is not None and rate > rules.max_cofinancing_rate,
        "over_grant": requested > rules.max_grant,
        "pending": any(not row["counted"] for row in rows),
    }


def eligibility_section(project, submitted_at):
    """The submit conditions as the workspace's check page evaluates them (the service's own
    rules, without running the transition). Once submitted, "the call accepts submissions" was
    met when the proposal was submitted (the service checked it then); re-checking it after
    the deadline would fail every submitted proposal."""
    result = eligibility(project)
    items = result["items"]
    if project.state not in ProjectState.editable():
        for item in items:
            if item["code"] == "call_closed":
                item["met"] = True
                item["message"] = ""
                item["label"] = _("Submitted while the call accepted submissions")
                item["detail"] = (
                    _("Submitted on %(date)s")
                    % {"date": date_format(timezone.localtime(submitted_at), "DATETIME_FORMAT")}
                    if submitted_at
                    else ""
                )
    failed = [item["code"] for item in items if not item["met"]]
    return {
        "items": items,
        "met": len(items) - len(failed),
        "total": len(items),
        "failed": failed,
    }


def _mean(values):
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def score_grid(reviews, criteria, scores):
    """Each review's score per criterion (submitted reviews only: a review being written is
    not a score yet), and each criterion's mean over the submitted reviews against its
    threshold. Sets `criterion_scores` on each review; returns the criteria's rows."""
    submitted = [r for r in reviews if r.state == ReviewState.SUBMITTED]
    for review in reviews:
        review.criterion_scores = [
            scores.get((review.pk, c.pk)) if review.state == ReviewState.SUBMITTED else None
            for c in criteria
        ]
    rows = []
    for criterion in criteria:
        values = [scores[(r.pk, criterion.pk)] for r in submitted if (r.pk, criterion.pk) in scores]
        mean = _mean(values)
        rows.append(
            {
                "criterion": criterion,
                "mean": mean,
                "below": mean is not None and mean < criterion.threshold,
            }
        )
    return rows
