"""The ranking's materialised inputs (ProposalScore), recomputed wherever they change.

The ranking of a call sorts on each proposal's mean weighted score and requested grant; computing
them on every read means aggregating every review score and budget line of the call (thousands of
proposals at network scale). They are written here instead, in the transaction of the change
that moves them, and the ranking reads one row per proposal (`workflow.selectors`).

Callers: the review, partnership and project services (one project, whose row they already
hold locked), the signals on calls and award criteria (a call's scores), the demo seeding and the
`ranking_refresh` command (every call), and the migration that created the table.
"""

from collections import defaultdict
from decimal import Decimal

from django.apps import apps as global_apps
from django.db.models import Count, Sum

from workflow.selectors import RANKED_STATES, TWO_PLACES, _score_from
from workflow.states import PartnershipState, ReviewState

BATCH = 1000
FIELDS = ["call", "mean_score", "above_threshold", "reviews", "requested_grant"]


def ranking_refresh(*, project_ids=None, call_ids=None, apps=None):
    """Recompute the ProposalScore rows of the proposals `project_ids` and/or of the calls
    `call_ids` (neither given: every call): a row for each ranked one, none for the others. A
    fixed number of queries whatever the number of proposals. `apps` is a migration's model
    registry (default: the current models). Returns the number of rows written."""
    get = (apps or global_apps).get_model
    JointProject = get("projects", "JointProject")
    AwardCriterion = get("projects", "AwardCriterion")
    Partnership = get("projects", "Partnership")
    Review = get("workflow", "Review")
    ReviewScore = get("workflow", "ReviewScore")
    ProposalScore = get("workflow", "ProposalScore")

    projects = JointProject.objects.all()
    if project_ids is not None:
        projects = projects.filter(pk__in=list(project_ids))
    if call_ids is not None:
        projects = projects.filter(call_id__in=list(call_ids))
    # Proposals out of the ranking (drafts, withdrawn) have no row.
    ProposalScore.objects.filter(project__in=projects.exclude(state__in=RANKED_STATES)).delete()
    projects = projects.filter(state__in=RANKED_STATES)
    rows = list(projects.values_list("id", "call_id", "call__overall_threshold"))
    if not rows:
        return 0
    # Small sets are filtered by their ids; a whole call or network by a subquery.
    subset = [pk for pk, _, _ in rows] if len(rows) <= BATCH else projects.values("pk")

    criteria = defaultdict(list)
    for criterion in AwardCriterion.objects.filter(
        call_id__in={call_id for _, call_id, _ in rows}
    ).order_by("call_id", "sort_order", "pk"):
        criteria[criterion.call_id].append(criterion)
    per_project = defaultdict(dict)
    for row in (
        ReviewScore.objects.filter(review__project__in=subset, review__state=ReviewState.SUBMITTED)
        .values("review__project_id", "criterion_id")
        .annotate(total=Sum("score"), count=Count("id"))
        .order_by()
    ):
        per_project[row["review__project_id"]][row["criterion_id"]] = (row["total"], row["count"])
    review_counts = dict(
        Review.objects.filter(project__in=subset, state=ReviewState.SUBMITTED)
        .values("project_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("project_id", "n")
    )
    requested = defaultdict(Decimal)
    for project_id, own, cost in (
        Partnership.objects.filter(project__in=subset, state=PartnershipState.CONFIRMED)
        .annotate(cost=Sum("budget_lines__amount"))
        .order_by()
        .values_list("project_id", "own_contribution", "cost")
    ):
        requested[project_id] += max((cost or Decimal(0)) - own, Decimal(0))

    scores = []
    for project_id, call_id, overall_threshold in rows:
        score = _score_from(
            criteria[call_id],
            per_project.get(project_id, {}),
            review_counts.get(project_id, 0),
            overall_threshold,
        )
        scores.append(
            ProposalScore(
                project_id=project_id,
                call_id=call_id,
                mean_score=score.mean,
                above_threshold=score.above_threshold,
                reviews=score.reviews,
                requested_grant=requested[project_id].quantize(TWO_PLACES),
            )
        )
    ProposalScore.objects.bulk_create(
        scores,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["project"],
        update_fields=FIELDS,
    )
    return len(scores)


def ranking_refresh_scores(*, call_id):
    """After a call's criteria or overall threshold changed: only proposals with a submitted
    review have a score to recompute (the others score nothing whatever the criteria)."""
    from workflow.models import ProposalScore, Review

    reviewed = set(
        Review.objects.filter(project__call_id=call_id, state=ReviewState.SUBMITTED).values_list(
            "project_id", flat=True
        )
    )
    reviewed.update(
        ProposalScore.objects.filter(call_id=call_id, reviews__gt=0).values_list(
            "project_id", flat=True
        )
    )
    return ranking_refresh(project_ids=reviewed)


def ranking_refresh_project(project):
    """The hook of the project, partnership and review services, inside their transaction and
    after their change (the project row is locked)."""
    if project.state in RANKED_STATES:
        ranking_refresh(project_ids=[project.pk])
    else:  # a draft has nothing to compute; a withdrawn proposal leaves the ranking
        from workflow.models import ProposalScore

        ProposalScore.objects.filter(project_id=project.pk).delete()
