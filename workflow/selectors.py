"""Reads of the workflow: scores, rankings, histories, inboxes."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum

from workflow.models import Review, ReviewScore, TransitionLog
from workflow.states import PartnershipState, ProjectState, ReviewState

TWO_PLACES = Decimal("0.01")
RANKED_STATES = [
    state
    for state in ProjectState
    if state not in (ProjectState.DRAFT, ProjectState.OPEN_FOR_PARTNERS, ProjectState.WITHDRAWN)
]


@dataclass(frozen=True)
class Score:
    mean: Decimal | None  # mean over submitted reviews of Σ score × weight
    above_threshold: bool
    reviews: int


def _score_from(criteria, per_criterion, reviews, overall_threshold):
    """per_criterion: {criterion id: (sum of scores, number of scores)}."""
    if not reviews:
        return Score(mean=None, above_threshold=False, reviews=0)
    mean = Decimal(0)
    passes = True
    for criterion in criteria:
        total, count = per_criterion.get(criterion.pk, (0, 0))
        criterion_mean = Decimal(total) / count if count else Decimal(0)
        mean += criterion_mean * criterion.weight
        passes = passes and criterion_mean >= criterion.threshold
    mean = mean.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    return Score(mean=mean, above_threshold=passes and mean >= overall_threshold, reviews=reviews)


def project_score(project):
    call = project.call
    rows = (
        ReviewScore.objects.filter(review__project=project, review__state=ReviewState.SUBMITTED)
        .values("criterion_id")
        .annotate(total=Sum("score"), count=Count("id"))
    )
    per_criterion = {row["criterion_id"]: (row["total"], row["count"]) for row in rows}
    reviews = project.reviews.filter(state=ReviewState.SUBMITTED).count()
    return _score_from(list(call.criteria.all()), per_criterion, reviews, call.overall_threshold)


def call_ranking(call):
    """Proposals of a call, best mean weighted score first, with the cumulative requested grant.

    A fixed number of queries whatever the number of proposals (aggregates in SQL, ranking in
    Python over one row per proposal).
    """
    from projects.models import BudgetLine, JointProject, Partnership

    criteria = list(call.criteria.all())
    projects = list(
        JointProject.objects.filter(call=call, state__in=RANKED_STATES).values(
            "id", "title", "acronym", "state", "awarded_amount"
        )
    )
    per_project = defaultdict(dict)
    for row in (
        ReviewScore.objects.filter(review__project__call=call, review__state=ReviewState.SUBMITTED)
        .values("review__project_id", "criterion_id")
        .annotate(total=Sum("score"), count=Count("id"))
    ):
        per_project[row["review__project_id"]][row["criterion_id"]] = (row["total"], row["count"])
    review_counts = dict(
        Review.objects.filter(project__call=call, state=ReviewState.SUBMITTED)
        .values("project_id")
        .annotate(n=Count("id"))
        .values_list("project_id", "n")
    )
    costs = dict(
        BudgetLine.objects.filter(
            partnership__project__call=call, partnership__state=PartnershipState.CONFIRMED
        )
        .values("partnership_id")
        .annotate(total=Sum("amount"))
        .values_list("partnership_id", "total")
    )
    requested = defaultdict(Decimal)
    for partnership_id, project_id, own in Partnership.objects.filter(
        project__call=call, state=PartnershipState.CONFIRMED
    ).values_list("id", "project_id", "own_contribution"):
        requested[project_id] += max(costs.get(partnership_id, Decimal(0)) - own, Decimal(0))

    rows = []
    for project in projects:
        score = _score_from(
            criteria,
            per_project.get(project["id"], {}),
            review_counts.get(project["id"], 0),
            call.overall_threshold,
        )
        rows.append(
            {
                "project": project["id"],
                "title": project["title"],
                "acronym": project["acronym"],
                "state": project["state"],
                "reviews": score.reviews,
                "mean_score": score.mean,
                "above_threshold": score.above_threshold,
                "requested_grant": requested[project["id"]].quantize(TWO_PLACES),
                "awarded_amount": project["awarded_amount"],
            }
        )
    rows.sort(
        key=lambda row: (
            row["mean_score"] is None,
            -(row["mean_score"] or 0),
            row["requested_grant"],
            row["project"],
        )
    )
    cumulative = Decimal(0)
    for row in rows:
        cumulative += row["requested_grant"]
        row["cumulative_requested"] = cumulative.quantize(TWO_PLACES)
        row["within_budget"] = cumulative <= call.budget
    return rows


def history_visible_to(user):
    """The transition-log rows `user` may read, wherever the log is shown (API, workspace,
    admin, emails, exports). Reviewers are anonymous to everyone but coordinators: a row about
    a review is shown only to coordinators and to that review's own reviewer, so neither the
    applicants nor the other reviewers learn who reviewed, or who has submitted already."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q

    from workflow.models import Review
    from workflow.permissions import roles_of

    logs = TransitionLog.objects.all()
    roles = roles_of(user)
    if roles.is_coordinator:
        return logs
    review_type = ContentType.objects.get_for_model(Review)
    own_reviews = Review.objects.filter(reviewer_id=roles.user_id).values("pk")
    return logs.exclude(Q(content_type=review_type) & ~Q(object_id__in=own_reviews))


def project_history(project, *, user):
    """A project's timeline as `user` may see it, oldest first."""
    return (
        history_visible_to(user)
        .filter(project=project)
        .select_related("actor", "content_type")
        .order_by("at", "id")
    )
