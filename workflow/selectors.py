"""Reads of the workflow: scores, rankings, histories, inboxes."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DecimalField, RowRange, Sum, Window
from django.db.models.functions import RowNumber

from workflow.models import ProposalScore, ReviewScore, TransitionLog
from workflow.states import ProjectState, ReviewState

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


def project_reviews_with_score(project):
    """The proposal page's reviews (reviewer loaded, `weighted_total` = Review.weighted_score
    summed in SQL) and the project's Score (as `project_score`), in two queries instead of six:
    the reviews with their weighted totals, and the call's criteria with the submitted reviews'
    scores summed per criterion."""
    from django.db.models import F, Q, Value
    from django.db.models.functions import Coalesce

    weighted = DecimalField(max_digits=12, decimal_places=2)
    reviews = list(
        project.reviews.select_related("reviewer")
        .annotate(
            weighted_total=Coalesce(
                Sum(F("scores__score") * F("scores__criterion__weight"), output_field=weighted),
                Value(Decimal(0)),
                output_field=weighted,
            )
        )
        .order_by("assigned_at", "id")  # Review.Meta.ordering within one project
    )
    submitted = Q(scores__review__project=project, scores__review__state=ReviewState.SUBMITTED)
    criteria = list(
        project.call.criteria.annotate(
            total=Sum("scores__score", filter=submitted), count=Count("scores", filter=submitted)
        ).order_by("sort_order", "pk")
    )
    per_criterion = {c.pk: (c.total, c.count) for c in criteria if c.count}
    count = sum(1 for review in reviews if review.state == ReviewState.SUBMITTED)
    return reviews, _score_from(criteria, per_criterion, count, project.call.overall_threshold)


def call_ranking_rows(call):
    """A call's ranked proposals best first: mean weighted score descending (no score last),
    then the smaller requested grant, then the older proposal. One index scan over the
    materialised scores (ProposalScore, kept current by `workflow.services.ranking_refresh`),
    with the rank and the cumulative requested grant computed by window functions.

    Slice it for a page, then pass the page to `ranking_rows`: LIMIT/OFFSET apply after the
    window functions, so a row of page 40 carries the total of pages 1–39 and its own."""
    order = ProposalScore.ranking_order
    return (
        ProposalScore.objects.filter(call=call)
        .annotate(
            position=Window(RowNumber(), order_by=order()),
            # ROWS, not the default RANGE: a running sum row by row, never per group of ties.
            cumulative=Window(
                Sum("requested_grant"),
                order_by=order(),
                frame=RowRange(start=None, end=0),
                output_field=DecimalField(max_digits=16, decimal_places=2),
            ),
        )
        .order_by(*order())
        .values(
            "project_id",
            "mean_score",
            "above_threshold",
            "reviews",
            "requested_grant",
            "position",
            "cumulative",
        )
    )


def ranking_rows(call, page):
    """The rows of one page of `call_ranking_rows`, with each proposal's title, acronym, state
    and awarded amount (one query for the page), as the API and the admin show them."""
    return _ranking_rows(call, page)


def _ranking_rows(call, page, details=None):
    """`ranking_rows`, plus `details` (row key → lookup on the project) read in the same query."""
    from projects.models import JointProject

    details = details or {}
    page = list(page)
    projects = {
        project["id"]: project
        for project in JointProject.objects.filter(
            pk__in=[values["project_id"] for values in page]
        ).values("id", "title", "acronym", "state", "awarded_amount", *details.values())
    }
    rows = []
    for values in page:
        project = projects[values["project_id"]]
        cumulative = Decimal(values["cumulative"]).quantize(TWO_PLACES)
        rows.append(
            {
                "rank": values["position"],
                "project": project["id"],
                "title": project["title"],
                "acronym": project["acronym"],
                "state": project["state"],
                "reviews": values["reviews"],
                "mean_score": values["mean_score"],
                "above_threshold": values["above_threshold"],
                "requested_grant": values["requested_grant"],
                "cumulative_requested": cumulative,
                "within_budget": cumulative <= call.budget,
                "awarded_amount": project["awarded_amount"],
                **{key: project[lookup] for key, lookup in details.items()},
            }
        )
    return rows


def call_ranking(call):
    """The whole ranking of a call (small calls, exports); pages slice `call_ranking_rows`."""
    return ranking_rows(call, call_ranking_rows(call))


# What the coordinators' ranking shows besides the API's figures: who leads, in which tier.
RANKING_PAGE_DETAILS = {
    "lead_centre": "lead_centre__name",
    "lead_country": "lead_centre__country",
    "tier": "tier__name",
}


@dataclass(frozen=True)
class CriterionMean:
    criterion: object  # projects.models.AwardCriterion
    mean: Decimal | None  # rounded half-up to two places; None: nobody scored it
    below: bool  # below the criterion's threshold, as the ranking's above/below flag decides


def ranking_criterion_means(project_ids):
    """{project id: {criterion id: mean score}} over the submitted reviews of these proposals
    only (a page of a ranking): summed and counted in SQL, one query, and divided as
    `_score_from` divides, so the cells agree with the proposal's mean weighted score."""
    means = defaultdict(dict)
    for row in (
        ReviewScore.objects.filter(
            review__project_id__in=list(project_ids), review__state=ReviewState.SUBMITTED
        )
        .values("review__project_id", "criterion_id")
        .annotate(total=Sum("score"), count=Count("id"))
        .order_by()
    ):
        means[row["review__project_id"]][row["criterion_id"]] = Decimal(row["total"]) / row["count"]
    return means


def ranking_page_rows(call, page, *, criteria):
    """One page of `call_ranking_rows` as the coordinators' ranking shows it: the rows of
    `ranking_rows` with the lead centre, its country and the tier (in the same query), and
    `criteria` (the call's award criteria, in order) as a list of CriterionMean per row (one
    more query). `crosses_budget` marks the row whose request takes the running total past
    the call's budget: the first one over it, wherever the page starts."""
    rows = _ranking_rows(call, page, RANKING_PAGE_DETAILS)
    means = ranking_criterion_means([row["project"] for row in rows])
    for row in rows:
        scored = means.get(row["project"], {})
        cells = []
        for criterion in criteria:
            mean = scored.get(criterion.pk)
            cells.append(
                CriterionMean(
                    criterion=criterion,
                    mean=None if mean is None else mean.quantize(TWO_PLACES, ROUND_HALF_UP),
                    # As `_score_from`: once reviewed, a criterion nobody scored counts as 0.
                    below=bool(row["reviews"]) and (mean or 0) < criterion.threshold,
                )
            )
        row["criteria"] = cells
        before = row["cumulative_requested"] - row["requested_grant"]
        row["crosses_budget"] = not row["within_budget"] and before <= call.budget
    return rows


def call_awarded_total(call, *, excluding=None):
    """The grants a call has committed (projects.call_selectors.committed_amount: the awarded
    amounts of approved and later projects, a terminated one's final grant), the sum the
    `call_budget` condition checks an approval against and the admin shows; `excluding` leaves
    one project out (the one being approved)."""
    from projects.call_selectors import committed_amount
    from projects.models import JointProject

    projects = JointProject.objects.filter(call=call)
    if excluding is not None:
        projects = projects.exclude(pk=excluding)
    return projects.aggregate(total=Sum(committed_amount()))["total"] or Decimal(0)


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
