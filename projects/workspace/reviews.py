"""Workspace: the reviewer's space (issue 7). The reviews assigned to me, a page at a time, and
one review's page: the proposal as a reviewer may read it, the conflict-of-interest declaration
(which declines the review), the scoring form (save a draft, submit), and — once my own review
is submitted — the other submitted reviews of the proposal, anonymous.

A review's page is its reviewer's only: anyone else (the applicants, another reviewer, a
coordinator, who works in the admin) gets 404. Views stay thin: the forms check what was typed,
`workflow.services` (review_score, review_transition) decide. Refusals: bad input → the page
again (400) with each error next to its field and in the summary, nothing saved; a review no
longer open → 409; unmet conditions → 422 listing each missing criterion; NotVisible → 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from projects.models import BudgetCategory, JointProject
from projects.models._fields import ZERO
from projects.questions import answers_for_display
from projects.selectors import with_partners
from projects.workspace._common import REVIEW_STATE_LABELS, CountedPaginator, forbidden
from projects.workspace.reviews_forms import ConflictForm, ReviewScoresForm, score_field_name
from workflow import services
from workflow.exceptions import ConditionsNotMet, NotPermitted, NotVisible, WrongState
from workflow.models import Review, ReviewScore
from workflow.selectors import history_visible_to
from workflow.states import ProjectState, ReviewState

PAGE_SIZE = 20

# The badge's family (its border colour); the badge always says the state in words.
REVIEW_TONES = {
    ReviewState.ASSIGNED: "warning",
    ReviewState.SUBMITTED: "success",
    ReviewState.DECLINED: "ended",
}

# The review's own timeline, in words.
REVIEW_EVENTS = {
    "assign": gettext_lazy("Assigned to you"),
    "submit": gettext_lazy("You submitted the review"),
    "decline": gettext_lazy("You declared a conflict of interest; the review was declined"),
}


def _overdue(due_date):
    return due_date is not None and due_date < timezone.localdate()


def review_badge(state, label=None):
    labels = REVIEW_STATE_LABELS
    return {
        "state": state,
        "label": label or labels.get(state, state),
        "tone": REVIEW_TONES.get(state, "neutral"),
    }


# --- The list ---------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
@login_required
def review_list(request):
    """My reviews, latest due date first (no due date last), 20 a page, filtered by state."""
    user = request.user
    state = request.GET.get("state", "")
    if state not in ReviewState.values:
        state = ""
    mine = Review.objects.filter(reviewer_id=user.pk)
    # The filter's counts and the paginator's total in one query.
    counts = dict(mine.order_by().values_list("state").annotate(n=Count("id")))
    total = counts.get(state, 0) if state else sum(counts.values())
    if state:
        mine = mine.filter(state=state)
    # Rows as dicts: projects and calls as model instances (calls are ClusterableModels) cost
    # more to build than the query.
    rows = (
        mine.annotate(has_draft=Exists(ReviewScore.objects.filter(review=OuterRef("pk"))))
        .order_by(F("due_date").desc(nulls_last=True), "-assigned_at", "-id")
        .values(
            "id",
            "state",
            "due_date",
            "assigned_at",
            "submitted_at",
            "has_draft",
            "project__title",
            "project__acronym",
            "project__call__title",
            "project__tier__name",
        )
    )
    page = CountedPaginator(rows, PAGE_SIZE, total=total).get_page(request.GET.get("page"))
    today = timezone.localdate()
    labels = {value: str(label) for value, label in REVIEW_STATE_LABELS.items()}
    untitled = _("Untitled proposal")
    reviews = [
        {
            "url": reverse("workspace:review", args=[row["id"]]),
            "title": row["project__title"] or untitled,
            "acronym": row["project__acronym"],
            "call": row["project__call__title"],
            "tier": row["project__tier__name"],
            "due_date": row["due_date"],
            "overdue": row["state"] == ReviewState.ASSIGNED
            and row["due_date"] is not None
            and row["due_date"] < today,
            "draft": row["state"] == ReviewState.ASSIGNED and row["has_draft"],
            "submitted_at": row["submitted_at"],
            "badge": review_badge(row["state"], labels.get(row["state"])),
        }
        for row in page.object_list
    ]
    state_filters = [
        {"value": value, "label": label, "count": counts.get(value, 0)}
        for value, label in REVIEW_STATE_LABELS.items()
    ]
    return render(
        request,
        "projects/workspace/reviews/list.html",
        {
            "reviews": reviews,
            "page_obj": page,
            "state": state,
            "state_label": labels.get(state, ""),
            "state_filters": state_filters,
            "all_total": sum(counts.values()),
            "total": total,
        },
    )


# --- One review -------------------------------------------------------------------------------


def load_review(user, pk):
    """The review with its proposal (partners, budgets, themes), or 404 unless `user` is its
    reviewer."""
    review = Review.objects.filter(pk=pk, reviewer_id=user.pk).first() if user.pk else None
    if review is None:
        raise Http404("No such review.")
    review.project = (
        with_partners(JointProject.objects.filter(pk=review.project_id))
        .prefetch_related("themes")
        .get()
    )
    return review


def _proposal(project):
    """What a reviewer reads of the proposal: its content, the confirmed consortium with each
    centre's country and budget, the figures and the budget by category."""
    confirmed = project.confirmed_partnerships()
    partners = []
    categories = {}
    for partnership in confirmed:
        for line in partnership.budget_lines.all():
            categories[line.category] = categories.get(line.category, ZERO) + line.amount
        partners.append(
            {
                "name": partnership.centre.name,
                "country": partnership.centre.country.name,
                "role": partnership.get_role_display(),
                "total_cost": partnership.total_cost,
                "own_contribution": partnership.own_contribution,
                "requested_grant": partnership.requested_grant,
            }
        )
    rate = project.cofinancing_rate
    return {
        "partners": partners,
        "countries": sorted({p["country"] for p in partners}, key=str),
        "themes": [theme.label for theme in project.themes.all()],
        "total_cost": project.total_cost,
        "own_contribution": sum((p.own_contribution for p in confirmed), ZERO),
        "requested_grant": project.requested_grant,
        "rate_percent": rate * 100 if rate is not None else None,
        "max_grant": project.rules.max_grant,
        "max_rate_percent": project.rules.max_cofinancing_rate * 100,
        "budget": [
            {"label": label, "amount": categories[value]}
            for value, label in BudgetCategory.choices
            if value in categories
        ],
        "not_reviewable": project.state not in (ProjectState.SUBMITTED, ProjectState.UNDER_REVIEW),
    }


def _score_rows(criteria, scores):
    """A read-only review: per criterion its score (or none), and the weighted total."""
    by_criterion = {score.criterion_id: score for score in scores}
    rows = []
    total = ZERO
    for criterion in criteria:
        score = by_criterion.get(criterion.pk)
        if score is not None:
            total += score.score * criterion.weight
        rows.append({"criterion": criterion, "score": score})
    return {"rows": rows, "weighted_total": total}


def _other_reviews(review, criteria):
    """The proposal's other submitted reviews, anonymous ("Reviewer 1", "Reviewer 2" in the
    order they were submitted): shown only once the viewer's own review is submitted. Nothing
    about their reviewers is read."""
    if review.state != ReviewState.SUBMITTED:
        return []
    others = (
        Review.objects.filter(project_id=review.project_id, state=ReviewState.SUBMITTED)
        .exclude(pk=review.pk)
        .only("id", "comment", "submitted_at", "project_id")
        .prefetch_related("scores")
        .order_by("submitted_at", "id")
    )
    return [
        {
            "label": _("Reviewer %(number)s") % {"number": number},
            "anchor": f"other-review-{number}",
            "comment": other.comment,
            "submitted_at": other.submitted_at,
            **_score_rows(criteria, other.scores.all()),
        }
        for number, other in enumerate(others, start=1)
    ]


def _history(review, user):
    """The review's own timeline, as the transition log's visibility rule lets `user` read it
    (a review's rows: its reviewer and the coordinators only)."""
    entries = (
        history_visible_to(user)
        .filter(
            project_id=review.project_id,
            content_type=ContentType.objects.get_for_model(Review),
            object_id=review.pk,
        )
        .order_by("at", "id")
    )
    return [
        {
            "what": REVIEW_EVENTS.get(entry.transition)
            or entry.transition.replace("_", " ").capitalize(),
            "at": entry.at,
            "comment": entry.comment,
        }
        for entry in entries
    ]


def _render_review(
    request,
    review,
    *,
    scores_form=None,
    conflict_form=None,
    status=200,
    errors=None,
    error_title="",
):
    user = request.user
    project = review.project
    criteria = list(project.call.criteria.all())
    saved = {score.criterion_id: score for score in review.scores.all()}
    is_open = review.state == ReviewState.ASSIGNED
    if is_open and scores_form is None:
        scores_form = ReviewScoresForm(criteria=criteria, saved=saved)
    if is_open and conflict_form is None:
        conflict_form = ConflictForm()
    project_labels = dict(ProjectState.choices)
    context = {
        "review": review,
        "project": project,
        "badge": review_badge(review.state),
        "project_state": project_labels.get(project.state, project.state),
        "proposal": _proposal(project),
        # The call's own questions and the proposal's answers (none for most calls).
        "answers": answers_for_display(project),
        "criteria": criteria,
        "is_open": is_open,
        "has_draft": is_open and bool(saved),
        "scores_form": scores_form if is_open else None,
        "conflict_form": conflict_form if is_open else None,
        "mine": _score_rows(criteria, saved.values())
        if review.state == ReviewState.SUBMITTED
        else None,
        "others": _other_reviews(review, criteria),
        "history": _history(review, user),
        "overdue": is_open
        and review.due_date is not None
        and review.due_date < timezone.localdate(),
        "errors": errors or [],
        "error_title": error_title,
    }
    return render(request, "projects/workspace/reviews/review.html", context, status=status)


def _form_errors(form):
    """The error summary's items for a bound form: each error, leading to its field."""
    items = []
    for name, field_errors in form.errors.items():
        anchor = form[name].auto_id if name in form.fields else ""
        for message in field_errors:
            items.append({"code": "invalid", "message": message, "anchor": anchor})
    return items


def _closed(request, review):
    """The review is no longer open (submitted or declined, maybe a moment ago): 409, with the
    page as it is now."""
    review = load_review(request.user, review.pk)
    message = (
        _("This review is submitted: it can no longer be changed.")
        if review.state == ReviewState.SUBMITTED
        else _("This review is declined: it can no longer be changed.")
    )
    return _render_review(
        request,
        review,
        status=409,
        errors=[{"code": "wrong_state", "message": message, "anchor": ""}],
        error_title=_("This was no longer possible:"),
    )


def _refused(request, review, exc):
    if isinstance(exc, NotVisible):
        raise Http404(str(exc))
    if isinstance(exc, NotPermitted):
        return forbidden(request, exc)
    if isinstance(exc, WrongState):
        return _closed(request, review)
    raise exc


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def review_detail(request, pk):
    """GET: the review's page. POST: save the scores as a draft (action=save) or save them and
    submit the review (action=submit), in one transaction: nothing is saved if either fails."""
    user = request.user
    review = load_review(user, pk)
    if request.method != "POST":
        return _render_review(request, review)

    submit = request.POST.get("action") == "submit"
    if review.state != ReviewState.ASSIGNED:
        return _closed(request, review)
    criteria = list(review.project.call.criteria.all())
    saved = {score.criterion_id: score for score in review.scores.all()}
    form = ReviewScoresForm(request.POST, criteria=criteria, saved=saved)
    action_label = _("Submit the review") if submit else _("Save the draft")
    if not form.is_valid():
        return _render_review(
            request,
            review,
            scores_form=form,
            status=400,
            errors=_form_errors(form),
            error_title=_("Check what you entered for “%(action)s” (nothing was saved):")
            % {"action": action_label},
        )
    try:
        with transaction.atomic():
            services.review_score(
                review_id=review.pk,
                actor=user,
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
            )
            if submit:
                services.review_transition(review_id=review.pk, name="submit", actor=user)
    except ValidationError as exc:  # the service's own bounds check (the form checks first)
        for message in exc.messages:
            form.add_error(None, message)
        return _render_review(
            request,
            review,
            scores_form=form,
            status=400,
            errors=_form_errors(form),
            error_title=_("Check what you entered for “%(action)s” (nothing was saved):")
            % {"action": action_label},
        )
    except ConditionsNotMet as exc:
        return _render_review(
            request,
            review,
            scores_form=form,
            status=422,
            errors=_unmet(form, exc),
            error_title=_("“%(action)s” was not possible yet (nothing was saved):")
            % {"action": action_label},
        )
    except (NotVisible, NotPermitted, WrongState) as exc:
        return _refused(request, review, exc)
    if submit:
        messages.success(
            request,
            _("Your review is submitted. The other submitted reviews are shown below."),
        )
    else:
        messages.success(request, _("Your draft is saved. You can come back and change it."))
    return redirect(reverse("workspace:review", args=[review.pk]))


def _unmet(form, exc):
    """Each failed condition; "scores_incomplete" as one item per criterion left unscored,
    each leading to its field, which also says so."""
    items = []
    for failure in exc.failures:
        missing = form.unscored() if failure.code == "scores_incomplete" else []
        if not missing:
            items.append({"code": failure.code, "message": str(failure.message), "anchor": ""})
            continue
        for criterion in missing:
            name = score_field_name(criterion)
            form.add_error(name, _("Score this criterion before submitting."))
            items.append(
                {
                    "code": failure.code,
                    "message": _("“%(criterion)s” has no score.") % {"criterion": criterion.name},
                    "anchor": form[name].auto_id,
                }
            )
    return items


@require_POST
@login_required
def review_conflict(request, pk):
    """Declare a conflict of interest: the review is declined, with the reason in its log (read
    by the coordinators and this reviewer only)."""
    user = request.user
    review = load_review(user, pk)
    if review.state != ReviewState.ASSIGNED:
        return _closed(request, review)
    form = ConflictForm(request.POST)
    if not form.is_valid():
        return _render_review(
            request,
            review,
            conflict_form=form,
            status=400,
            errors=_form_errors(form),
            error_title=_("Check what you entered to declare a conflict of interest:"),
        )
    try:
        services.review_transition(
            review_id=review.pk, name="decline", actor=user, comment=form.cleaned_data["reason"]
        )
    except ConditionsNotMet as exc:
        errors = [{"code": f.code, "message": str(f.message), "anchor": ""} for f in exc.failures]
        return _render_review(request, review, conflict_form=form, status=422, errors=errors)
    except (NotVisible, NotPermitted, WrongState) as exc:
        return _refused(request, review, exc)
    messages.success(
        request,
        _(
            "You declared a conflict of interest: the review is declined and the network "
            "secretariat is told."
        ),
    )
    return redirect(reverse("workspace:review", args=[review.pk]))


urlpatterns = [
    path("reviews/", review_list, name="reviews"),
    path("reviews/<int:pk>/", review_detail, name="review"),
    path("reviews/<int:pk>/conflict/", review_conflict, name="review_conflict"),
]
