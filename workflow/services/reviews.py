"""Reviews: assignment (one at a time, or a call's plan at once) with the conflict-of-interest
rule, scoring, submit and decline."""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflow import assignment, permissions
from workflow.conditions import Failure, TransitionInput
from workflow.exceptions import ConditionsNotMet, NotPermitted, NotVisible, WrongState
from workflow.models import Review, ReviewScore
from workflow.notifications import notify
from workflow.states import ReviewState

from . import _core
from .projects import lock_part, lock_project
from .ranking import ranking_refresh_project

# The proposals reviewers are assigned to (workflow.assignment says so for its reads too).
REVIEWABLE = assignment.REVIEWABLE


def conflict_of_interest(project, reviewer, *, index=None):
    """A reviewer who works for any centre of the project (whatever its partnership state) or,
    when the call says so, for a centre in the country of one of them. `index`: the reviewers'
    memberships (workflow.assignment.reviewer_memberships) when the caller read them already;
    the project's partnerships are read with their centres."""
    if index is None:
        index = assignment.reviewer_memberships([reviewer.pk])
    conflict = assignment.project_conflicts(project, index).get(reviewer.pk)
    if conflict:
        return Failure("conflict_of_interest", conflict.message(assignment.display_name(reviewer)))
    return None


def assignment_failures(project, reviewer, *, index=None, assigned=None):
    """Every reason `reviewer` may not be assigned to `project` (a locked project). `assigned`:
    the ids of the reviewers the project has, when the caller read them already."""
    failed = []
    if not permissions.roles_of(reviewer).is_reviewer:
        failed.append(Failure("not_a_reviewer", _("This person is not in the Reviewers group.")))
    if conflict := conflict_of_interest(project, reviewer, index=index):
        failed.append(conflict)
    if assigned is None:
        assigned = set(project.reviews.values_list("reviewer_id", flat=True))
    if reviewer.pk in assigned:
        failed.append(
            Failure("already_assigned", _("This reviewer is already assigned to this proposal."))
        )
    return failed


def _check_may_assign(actor, project):
    if not permissions.can_assign_reviewers(actor, project):
        if permissions.can_view_project(actor, project):
            raise NotPermitted("Only coordinators assign reviewers.")
        raise NotVisible("No such project.")
    if project.state not in REVIEWABLE:
        raise WrongState(
            f"Reviewers are assigned to submitted proposals; “{project}” is "
            f"{project.get_state_display().lower()}.",
            state=project.state,
        )


def _assign(project, reviewer, *, actor, due_date):
    """Create the review, log it and tell the reviewer once the transaction commits."""
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


def review_assign(*, project_id, reviewer, actor, due_date=None):
    with transaction.atomic():
        project = lock_project(project_id)
        _check_may_assign(actor, project)
        failed = assignment_failures(project, reviewer)
        if failed:
            raise ConditionsNotMet(failed)
        return _assign(project, reviewer, actor=actor, due_date=due_date)


def review_assign_bulk(*, call_id, actor, plan, due_date=None):
    """Assign every (project id, reviewer id) pair of `plan` (a workflow.assignment.Plan or any
    iterable of pairs) to proposals of the call, all or nothing. The call row is locked first,
    then the projects in id order (the order of every other service: call, then project); each
    pair passes the checks of review_assign, and every failure of every pair is reported."""
    from projects.models import Call, JointProject

    pairs = [(int(project), int(reviewer)) for project, reviewer in plan]
    wanted = {project for project, _reviewer in pairs}
    with transaction.atomic():
        call = Call.objects.select_for_update().filter(pk=call_id).first()
        if call is None:
            raise NotVisible("No such call.")
        if not permissions.can_assign_reviewers(actor):
            raise NotPermitted("Only coordinators assign reviewers.")
        projects = {
            project.pk: project
            for project in JointProject.objects.select_for_update(of=("self",))
            .select_related("call", "lead_centre")
            .filter(pk__in=wanted, call=call)
            .order_by("pk")
        }
        if len(projects) != len(wanted):
            raise NotVisible("No such proposal in this call.")
        prefetch_related_objects(list(projects.values()), "partnerships__centre")
        for project in projects.values():
            _check_may_assign(actor, project)
        reviewers = get_user_model().objects.in_bulk({reviewer for _project, reviewer in pairs})
        index = assignment.reviewer_memberships(list(reviewers))
        assigned = defaultdict(set)
        for project_id, reviewer_id in Review.objects.filter(project_id__in=projects).values_list(
            "project_id", "reviewer_id"
        ):
            assigned[project_id].add(reviewer_id)

        failed = []
        for project_id, reviewer_id in pairs:
            project, reviewer = projects[project_id], reviewers.get(reviewer_id)
            if reviewer is None:
                failures = [Failure("not_a_reviewer", _("No such reviewer."))]
            else:
                failures = assignment_failures(
                    project, reviewer, index=index, assigned=assigned[project_id]
                )
            # A pair the plan names twice is "already assigned" the second time.
            assigned[project_id].add(reviewer_id)
            name = assignment.display_name(reviewer) if reviewer else reviewer_id
            failed += [
                Failure(
                    failure.code,
                    _("%(project)s, %(reviewer)s: %(message)s")
                    % {"project": project, "reviewer": name, "message": failure.message},
                )
                for failure in failures
            ]
        if failed:
            raise ConditionsNotMet(failed)
        return [
            _assign(projects[project_id], reviewers[reviewer_id], actor=actor, due_date=due_date)
            for project_id, reviewer_id in pairs
        ]


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
            elif entry["score"] != int(entry["score"]):
                # The scores are whole points; 8.5 is refused, never stored as 8.
                errors[f"scores[{index}].score"] = "A whole number."
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
