"""Who may do what: small named predicates and one table, shared by the API, the workspace,
the Wagtail admin and the management commands.

A user's roles are read once per user object (memberships, groups) and cached on it, so a list
asking about many objects runs no query per object.
"""

from dataclasses import dataclass, field

from workflow.states import ProjectState

COORDINATORS = "Coordinators"
REVIEWERS = "Reviewers"


@dataclass(frozen=True)
class Roles:
    user_id: int | None
    is_coordinator: bool = False
    is_reviewer: bool = False
    centres: dict = field(default_factory=dict)  # centre id → "manager" | "staff"

    def member_of(self, centre_id):
        return centre_id in self.centres

    def manager_of(self, centre_id):
        return self.centres.get(centre_id) == "manager"


ANONYMOUS = Roles(user_id=None)


def roles_of(user):
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_ensemble_roles", None)
    if cached is None:
        cached = _read_roles(user)
        user._ensemble_roles = cached
    return cached


def _read_roles(user):
    """Groups and memberships in one query, as it runs on nearly every authenticated request:
    the user's row LEFT JOINed to their groups and to their memberships, so one row per
    (group, membership) pair — a handful — or a single row of NULLs for someone with neither.
    Plain joins rather than EXISTS subqueries: Django compiles them in half the time."""
    from django.contrib.auth import get_user_model

    rows = list(
        get_user_model()
        .objects.filter(pk=user.pk)
        .order_by()
        .values_list("groups__name", "memberships__centre_id", "memberships__role")
    )
    groups = {group for group, _, _ in rows}
    return Roles(
        user_id=user.pk,
        is_coordinator=user.is_superuser or COORDINATORS in groups,
        is_reviewer=REVIEWERS in groups,
        centres={centre_id: role for _, centre_id, role in rows if centre_id is not None},
    )


# --- Predicates -----------------------------------------------------------------------------


def is_coordinator(user, obj=None):
    return roles_of(user).is_coordinator


def is_lead_member(user, project):
    return roles_of(user).member_of(project.lead_centre_id)


def is_lead_manager(user, project):
    return roles_of(user).manager_of(project.lead_centre_id)


def is_lead_member_or_coordinator(user, project):
    return is_lead_member(user, project) or is_coordinator(user)


def is_system(user, obj=None):
    """Scheduled work acts without a user."""
    return user is None


def is_assigned_reviewer(user, project):
    return (
        user is not None
        and user.is_authenticated
        and project.reviews.filter(reviewer=user).exists()
    )


PROJECT_TRANSITIONS = {
    "open_partner_search": [is_lead_member],
    "submit": [is_lead_manager],
    "start_review": [is_coordinator],
    "request_changes": [is_coordinator],
    "approve": [is_coordinator],
    "reject": [is_coordinator],
    "withdraw": [is_lead_manager],
    "start": [is_coordinator],
    "begin_reporting": [is_lead_member_or_coordinator, is_system],
    "submit_report": [is_lead_manager],
    "return_report": [is_coordinator],
    "terminate": [is_coordinator],
    "complete": [is_coordinator],
}


def can_run_project_transition(user, project, name):
    return any(allowed(user, project) for allowed in PROJECT_TRANSITIONS.get(name, []))


def partnership_may(user, partnership, name):
    """accept / decline / withdraw, as PRODUCT.md §3.2 says who."""
    roles = roles_of(user)
    project = partnership.project
    invited = partnership.origin != "request"
    if name == "accept":
        # The side that did not ask answers: the invited centre, or the lead for a request.
        return (
            roles.manager_of(partnership.centre_id)
            if invited
            else roles.manager_of(project.lead_centre_id)
        )
    if name == "decline":
        if invited:  # the invited centre declines, or the lead takes the invitation back
            return roles.manager_of(partnership.centre_id) or roles.member_of(
                project.lead_centre_id
            )
        # a request: the lead refuses it, or the asking centre takes it back
        return roles.manager_of(project.lead_centre_id) or roles.member_of(partnership.centre_id)
    if name == "withdraw":
        return roles.manager_of(partnership.centre_id) or roles.manager_of(project.lead_centre_id)
    return False


def can_invite(user, project):
    return is_lead_member(user, project)


def can_request_to_join(user, centre_id):
    return roles_of(user).member_of(centre_id)


def can_edit_project(user, project):
    return is_lead_member(user, project)


def can_manage_partnership(user, partnership):
    """Sign the mandate, accept the agreement: a manager of that centre commits it."""
    return roles_of(user).manager_of(partnership.centre_id)


def can_edit_budget(user, partnership):
    roles = roles_of(user)
    return roles.member_of(partnership.centre_id) or roles.member_of(
        partnership.project.lead_centre_id
    )


def can_assign_reviewers(user, project=None):
    return is_coordinator(user)


def can_run_review_transition(user, review, name):
    return user is not None and review.reviewer_id == user.pk


def can_write_report(user, project):
    return is_lead_member(user, project)


def can_run_report_transition(user, report, name):
    if name == "submit":
        return is_lead_manager(user, report.project)
    return is_coordinator(user)


# --- Visibility (404 when not) ----------------------------------------------------------------

PUBLIC_STATES = [ProjectState.OPEN_FOR_PARTNERS, *ProjectState.funded()]


def can_view_project(user, project):
    roles = roles_of(user)
    if roles.is_coordinator or project.state in PUBLIC_STATES:
        return True
    if roles.centres and any(p.centre_id in roles.centres for p in project.partnerships.all()):
        return True
    return is_assigned_reviewer(user, project)
