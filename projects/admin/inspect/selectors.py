"""The reads of a proposal's admin page, each in a fixed number of queries whatever the number
of partners, budget lines, reviews, payments or messages."""

from types import SimpleNamespace

from django.db.models import Max, Prefetch, Q
from django.shortcuts import get_object_or_404

from projects.models import AwardCriterion, JointProject, Partnership, Report, ReportKind
from workflow.services.threads import messages_visible_to, thread_started
from workflow.states import ProjectState, ReviewState

# Payments exist once a project starts (the pre-financing) or is settled; the final report is
# the coordinator's to read while the project reports. Other states skip those queries.
PAYMENT_STATES = (
    ProjectState.IN_PROGRESS,
    ProjectState.REPORTING,
    ProjectState.REPORT_SUBMITTED,
    ProjectState.COMPLETED,
    ProjectState.TERMINATED,
)
REPORT_STATES = (ProjectState.REPORTING, ProjectState.REPORT_SUBMITTED)
CRITERION_FIELDS = ("pk", "name", "max_score", "threshold", "weight")


def proposal_for_page(pk):
    """The proposal with its call and tier, its partnerships (centre, who signed the mandate
    and accepted the grant agreement, budget lines): four queries; 404 if there is none."""
    partnerships = Partnership.objects.select_related(
        "centre", "mandate_signed_by", "agreement_accepted_by"
    ).prefetch_related("budget_lines")
    projects = JointProject.objects.select_related("call", "tier", "lead_centre").prefetch_related(
        Prefetch("partnerships", queryset=partnerships)
    )
    return get_object_or_404(projects, pk=pk)


def payments_and_final_report(project):
    """(the project's payments, its final report or None), read only in the states where
    either can matter: a query each at most."""
    payments = list(project.payments.all()) if project.state in PAYMENT_STATES else []
    final_report = None
    if project.state in REPORT_STATES:
        final_report = Report.objects.filter(project=project, kind=ReportKind.FINAL).first()
    return payments, final_report


def review_scores(project, reviews):
    """The call's criteria in their order, and {(review id, criterion id): score} for the
    submitted ones among `reviews` (the proposal's, already loaded): one query, each
    criterion with one column per submitted review (however many, still one query)."""
    submitted = [r.pk for r in reviews if r.state == ReviewState.SUBMITTED]
    columns = {
        f"review_{pk}": Max("scores__score", filter=Q(scores__review_id=pk)) for pk in submitted
    }
    rows = (
        AwardCriterion.objects.filter(call_id=project.call_id)
        .order_by("sort_order", "pk")
        .values(*CRITERION_FIELDS)
        .annotate(**columns)
    )
    criteria, scores = [], {}
    for row in rows:
        criteria.append(SimpleNamespace(**{key: row[key] for key in CRITERION_FIELDS}))
        for pk in submitted:
            if row[f"review_{pk}"] is not None:
                scores[(pk, row["pk"])] = row[f"review_{pk}"]
    return criteria, scores


def latest_messages(user, project, *, limit):
    """The newest `limit` messages of the proposal's thread that `user` may read, newest
    first, with one more row fetched than shown to tell whether older ones exist: one query,
    none before the proposal is submitted (there is no thread yet). Returns (messages, more)."""
    if not thread_started(project):
        return [], False
    rows = list(
        messages_visible_to(user, project)
        .select_related("author", "author_centre")
        .order_by("-created_at", "-id")[: limit + 1]
    )
    return rows[:limit], len(rows) > limit
