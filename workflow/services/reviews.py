"""Reviews: assignment with the conflict-of-interest rule, scoring, submit and decline."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflow import permissions
from workflow.conditions import Failure, TransitionInput
from workflow.exceptions import ConditionsNotMet, NotPermitted, NotVisible, WrongState
from workflow.models import Review, ReviewScore
from workflow.notifications import notify
from workflow.states import ProjectState, ReviewState

from . import _core
from .projects import lock_part, lock_project
from .ranking import ranking_refresh_project

REVIEWABLE = [ProjectState.SUBMITTED, ProjectState.UNDER_REVIEW]


def conflict_of_interest(project, reviewer):
    """A reviewer who works for any centre of the project (whatever its partnership state)."""
    centres = {p.centre_id for p in project.partnerships.all()}
    if reviewer.memberships.filter(centre_id__in=centres).exists():
        return Failure(
            "conflict_of_interest",
            _("%(name)s works for a centre of this project and cannot review it.")
            % {"name": reviewer.get_full_name() or reviewer.username},
        )


def review_assign(*, project_id, reviewer, actor, due_date=None):
    with transaction.atomic():
        project = lock_project(project_id)
        if not permissions.can_assign_reviewers(actor, project):
            if permissions.can_view_project(actor, project):
                raise NotPermitted("Only coordinators assign reviewers.")
            raise NotVisible("No such project.")
        if project.state not in REVIEWABLE:
            raise WrongState("Reviewers are assigned to submitted proposals.", state=project.state)
        failed = []
        if not permissions.roles_of(reviewer).is_reviewer:
            failed.append(
                Failure("not_a_reviewer", _("This person is not in the Reviewers group."))
            )
        if conflict := conflict_of_interest(project, reviewer):
            failed.append(conflict)
        if project.reviews.filter(reviewer=reviewer).exists():
            failed.append(
                Failure(
                    "already_assigned", _("This reviewer is already assigned to this proposal.")
                )
            )
        if failed:
            raise ConditionsNotMet(failed)
        review = Review.objects.create(
            project=project, reviewer=reviewer, assigned_by=actor, due_date=due_date
        )
        log = _core.write_log(
            obj=review,
            project=project,
            name="assign",
            from_state="",
            to_state=review.state,
            actor=actor,
        )
        notify(kind="review", name="assign", obj=review, project=project, actor=actor, log=log)
    return review


def _lock_review(review_id, actor):
    project, review = lock_part(Review, review_id)
    if (
        project is None
        or actor is None
        or (review.reviewer_id != actor.pk and not permissions.is_coordinator(actor))
    ):
        raise NotVisible("No such review.")
    return project, review


def review_score(*, review_id, actor, scores, comment=None):
    """Record or change the reviewer's scores (each within its criterion's maximum)."""
    with transaction.atomic():
        project, review = _lock_review(review_id, actor)
        if review.reviewer_id != actor.pk:
            raise NotPermitted("Only the assigned reviewer scores.")
        if review.state != ReviewState.ASSIGNED:
            raise WrongState(f"The review is {review.state}.", state=review.state)
        criteria = {c.pk: c for c in project.call.criteria.all()}
        errors = {}
        for index, entry in enumerate(scores):
            criterion = criteria.get(entry["criterion"])
            if criterion is None:
                errors[f"scores[{index}].criterion"] = "Not a criterion of this call."
            elif not 0 <= entry["score"] <= criterion.max_score:
                errors[f"scores[{index}].score"] = f"Between 0 and {criterion.max_score}."
        if errors:
            raise ValidationError(errors)
        for entry in scores:
            ReviewScore.objects.update_or_create(
                review=review,
                criterion_id=entry["criterion"],
                defaults={"score": entry["score"], "comment": entry.get("comment", "")},
            )
        if comment is not None:
            review.comment = comment
            review.save(update_fields=["comment"])
    return review


def review_available_transitions(*, review, user):
    return _core.available_transitions(
        review, allowed=lambda name: permissions.can_run_review_transition(user, review, name)
    )


def review_transition(*, review_id, name, actor, comment=""):
    data = TransitionInput(comment=comment or "")
    with transaction.atomic():
        project, review = _lock_review(review_id, actor)
        method = _core.check(
            kind="review",
            obj=review,
            name=name,
            visible=True,
            permitted=permissions.can_run_review_transition(actor, review, name),
            data=data,
        )
        kwargs = {"at": timezone.now()} if name == "submit" else {}
        log = _core.run(
            obj=review,
            method=method,
            name=name,
            project=project,
            actor=actor,
            data=data,
            kwargs=kwargs,
        )
        # A submitted review moves the proposal's mean score in the call's ranking.
        ranking_refresh_project(project)
        notify(kind="review", name=name, obj=review, project=project, actor=actor, log=log)
    return review
