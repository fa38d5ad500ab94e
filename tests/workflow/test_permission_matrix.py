"""Who may run which transition, through the JSON API: a table, role by role (PRODUCT.md §1, §3-4).

Every row brings a fresh object into a source state of the transition and sends a body that meets
the transition's conditions, so the permitted roles get 200 and every other role gets exactly its
refusal: 401 anonymous (token authentication answers first), 404 when the role may not see the
object, 403 when it may see it but may not do this. A few rows check 409 (a permitted role, from a
state the transition does not start from).

Visibility (PRODUCT.md §1): a member sees the projects of their centres (any partnership state),
a reviewer the proposals assigned to them, everyone the public ones (open for partners, funded).
"""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from projects.models import JointProject, Partnership, Report
from tests.factories import reviewer as make_reviewer
from tests.workflow.conftest import BUDGET, advance, build_ready, review, write_final_report
from workflow import services
from workflow.models import Review
from workflow.states import PartnershipState, ProjectState, ReportState, ReviewState

pytestmark = pytest.mark.django_db

COMMENT = "Explained in the letter of 3 March."
AWARD = "20000.00"  # the ready proposal requests 3 × (10,000 − 2,000) = 24,000

# --- Setup helpers ------------------------------------------------------------------------------


def client_for(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def project_in(cast, state):
    """A fresh proposal in `state`; in submitted and under_review `cast.reviewer` is assigned."""
    project = build_ready(cast)
    S = ProjectState
    if state == S.DRAFT:
        pass
    elif state == S.OPEN_FOR_PARTNERS:
        services.project_transition(
            project_id=project.pk, name="open_partner_search", actor=cast.lead_manager
        )
    elif state == S.SUBMITTED:
        advance(cast, project, S.SUBMITTED)
        services.review_assign(
            project_id=project.pk, reviewer=cast.reviewer, actor=cast.coordinator
        )
    elif state == S.UNDER_REVIEW:
        advance(cast, project, S.UNDER_REVIEW)
        services.review_assign(
            project_id=project.pk, reviewer=cast.reviewer, actor=cast.coordinator
        )
    elif state == S.CHANGES_REQUESTED:
        advance(cast, project, S.SUBMITTED)
        services.project_transition(
            project_id=project.pk, name="request_changes", actor=cast.coordinator, comment=COMMENT
        )
    elif state == S.REPORTING:
        advance(cast, project, S.REPORTING)
        write_final_report(cast, project)  # complete, so submit_report meets its condition
    else:
        advance(cast, project, state)
    project.refresh_from_db()
    assert project.state == state
    return project


REVIEWABLE = (ProjectState.SUBMITTED, ProjectState.UNDER_REVIEW)


def user_for(cast, role, project=None):
    """The user playing `role` (None for anonymous)."""
    if role == "anonymous":
        return None
    if role == "reviewer":
        # Assigned where the state allows assignment; otherwise a reviewer not assigned.
        if project is not None and project.state in REVIEWABLE:
            assert Review.objects.filter(project=project, reviewer=cast.reviewer).exists()
            return cast.reviewer
        unassigned = make_reviewer(username="reviewer3")
        assert (
            project is None
            or not Review.objects.filter(project=project, reviewer=unassigned).exists()
        )
        return unassigned
    return getattr(cast, role)


def assert_status(response, expected):
    assert response.status_code == expected, (response.status_code, response.content[:500])
    if expected == 409:
        assert response.json()["code"] == "wrong_state"


# --- Project transitions ------------------------------------------------------------------------

ROLES = (
    "lead_manager",
    "lead_staff",
    "partner_manager",
    "other_manager",
    "reviewer",
    "coordinator",
    "anonymous",
)

# transition, source state, target state, expected status per ROLES (in that order).
# other_manager: 404 while the proposal is private (draft, submitted, under review, changes
# requested), 403 once it is public; reviewer: 404 unassigned on a private proposal, 403 when
# assigned or on a public one.
PROJECT_MATRIX = [
    ("open_partner_search", "draft", "open_for_partners", (200, 200, 403, 404, 404, 403, 401)),
    ("submit", "draft", "submitted", (200, 403, 403, 404, 404, 403, 401)),
    ("submit", "open_for_partners", "submitted", (200, 403, 403, 403, 403, 403, 401)),
    ("submit", "changes_requested", "submitted", (200, 403, 403, 404, 404, 403, 401)),
    ("start_review", "submitted", "under_review", (403, 403, 403, 404, 403, 200, 401)),
    ("request_changes", "submitted", "changes_requested", (403, 403, 403, 404, 403, 200, 401)),
    ("request_changes", "under_review", "changes_requested", (403, 403, 403, 404, 403, 200, 401)),
    ("approve", "under_review", "approved", (403, 403, 403, 404, 403, 200, 401)),
    ("reject", "submitted", "rejected", (403, 403, 403, 404, 403, 200, 401)),
    ("reject", "under_review", "rejected", (403, 403, 403, 404, 403, 200, 401)),
    ("withdraw", "draft", "withdrawn", (200, 403, 403, 404, 404, 403, 401)),
    ("withdraw", "open_for_partners", "withdrawn", (200, 403, 403, 403, 403, 403, 401)),
    ("withdraw", "under_review", "withdrawn", (200, 403, 403, 404, 403, 403, 401)),
    ("start", "approved", "in_progress", (403, 403, 403, 403, 403, 200, 401)),
    ("begin_reporting", "in_progress", "reporting", (200, 200, 403, 403, 403, 200, 401)),
    ("submit_report", "reporting", "report_submitted", (200, 403, 403, 403, 403, 403, 401)),
    ("return_report", "report_submitted", "reporting", (403, 403, 403, 403, 403, 200, 401)),
    ("terminate", "in_progress", "terminated", (403, 403, 403, 403, 403, 200, 401)),
    ("complete", "report_submitted", "completed", (403, 403, 403, 403, 403, 200, 401)),
]

# A body that meets every condition of the transition.
BODIES = {
    "request_changes": {"comment": COMMENT},
    "approve": {"awarded_amount": AWARD, "comment": COMMENT},
    "reject": {"comment": COMMENT},
    "return_report": {"comment": COMMENT},
    "terminate": {"comment": COMMENT},
}


def prepare(cast, transition, source):
    project = project_in(cast, source)
    if transition == "approve":  # two good reviews: min_reviews and the thresholds are met
        scores = [{"criterion": c.pk, "score": 8, "comment": ""} for c in cast.call.criteria.all()]
        own = Review.objects.get(project=project, reviewer=cast.reviewer)
        services.review_score(review_id=own.pk, actor=cast.reviewer, scores=scores)
        services.review_transition(review_id=own.pk, name="submit", actor=cast.reviewer)
        review(cast, project, cast.reviewer2)
    if transition == "start":  # every confirmed partner's manager accepts the grant agreement
        managers = {
            cast.lead_centre.pk: cast.lead_manager,
            cast.partner_centre.pk: cast.partner_manager,
            cast.partner2_centre.pk: cast.partner2_manager,
        }
        for partnership in project.partnerships.filter(state=PartnershipState.CONFIRMED):
            services.partnership_accept_agreement(
                partnership_id=partnership.pk, actor=managers[partnership.centre_id]
            )
    return project


def _project_cases():
    for transition, source, target, expected in PROJECT_MATRIX:
        for role, status in zip(ROLES, expected, strict=True):
            yield pytest.param(
                transition, source, target, role, status,
                id=f"{transition}[{source}]-{role}-{status}",
            )  # fmt: skip


@pytest.mark.parametrize(
    ("transition", "source", "target", "role", "expected"), list(_project_cases())
)
def test_project_transition(cast, transition, source, target, role, expected):
    project = prepare(cast, transition, source)
    user = user_for(cast, role, project)
    response = client_for(user).post(
        f"/api/v1/projects/{project.pk}/transitions/{transition}/",
        BODIES.get(transition, {}),
        format="json",
    )
    assert_status(response, expected)
    project.refresh_from_db()
    if expected == 200:
        assert response.json()["state"] == target
        assert project.state == target
    else:
        assert project.state == source, "a refused transition changed nothing"


def test_the_matrix_covers_every_project_transition_and_its_sources():
    """Every transition of the model appears; every row's source is a real source of it."""
    field = JointProject._meta.get_field("state")
    sources = {}
    for t in field.get_all_transitions(JointProject):
        sources.setdefault(t.name, set()).add(t.source)
    assert {row[0] for row in PROJECT_MATRIX} == set(sources)
    for transition, source, target, _expected in PROJECT_MATRIX:
        assert source in sources[transition], (transition, source)
        assert {
            t.target
            for t in field.get_all_transitions(JointProject)
            if t.name == transition and t.source == source
        } == {target}


# --- 409: a permitted role, from a state the transition does not start from ---------------------

WRONG_STATE = [
    # transition, state, role
    ("approve", "draft", "coordinator"),
    ("submit", "approved", "lead_manager"),
    ("start_review", "under_review", "coordinator"),
    ("withdraw", "approved", "lead_manager"),
    ("open_partner_search", "open_for_partners", "lead_staff"),
    ("begin_reporting", "approved", "lead_manager"),
    ("complete", "in_progress", "coordinator"),
    ("return_report", "reporting", "coordinator"),
]


@pytest.mark.parametrize(
    ("transition", "state", "role"),
    [pytest.param(*row, id=f"{row[0]}[{row[1]}]-{row[2]}-409") for row in WRONG_STATE],
)
def test_project_transition_from_a_wrong_state(cast, transition, state, role):
    project = project_in(cast, state)
    response = client_for(user_for(cast, role, project)).post(
        f"/api/v1/projects/{project.pk}/transitions/{transition}/",
        BODIES.get(transition, {}),
        format="json",
    )
    assert_status(response, 409)
    assert response.json()["state"] == state
    project.refresh_from_db()
    assert project.state == state


def test_an_unknown_transition_is_not_found(cast):
    project = project_in(cast, ProjectState.DRAFT)
    response = client_for(cast.lead_manager).post(
        f"/api/v1/projects/{project.pk}/transitions/publish/", {}, format="json"
    )
    assert response.status_code == 404


# --- Partnership transitions --------------------------------------------------------------------

PARTNERSHIP_ROLES = (
    "lead_manager",
    "lead_staff",
    "partner_manager",
    "partner2_manager",
    "other_manager",
    "reviewer",
    "coordinator",
    "anonymous",
)


def _invitation(cast):
    """A draft (private) proposal that invited the other centre."""
    project = project_in(cast, ProjectState.DRAFT)
    return services.partnership_invite(
        project_id=project.pk, centre_id=cast.other_centre.pk, actor=cast.lead_manager
    )


def _request(cast):
    """A proposal open for partners (public) the other centre asked to join."""
    project = project_in(cast, ProjectState.OPEN_FOR_PARTNERS)
    return services.partnership_request(
        project_id=project.pk, centre_id=cast.other_centre.pk, actor=cast.other_manager
    )


def _confirmed_partner(cast):
    project = project_in(cast, ProjectState.DRAFT)
    return project.partnerships.get(centre=cast.partner_centre)


def _lead(cast):
    project = project_in(cast, ProjectState.DRAFT)
    return project.partnerships.get(centre=cast.lead_centre)


PARTNERSHIP_SETUPS = {
    "invitation": _invitation,
    "request": _request,
    "confirmed_partner": _confirmed_partner,
    "lead": _lead,
}

# scenario, transition, target, expected per PARTNERSHIP_ROLES. In "invitation" and "request"
# other_manager is the invited / asking centre's manager; in "confirmed_partner" partner_manager
# manages the centre that leaves, partner2_manager another confirmed partner.
PARTNERSHIP_MATRIX = [
    ("invitation", "accept", "confirmed", (403, 403, 403, 403, 200, 404, 403, 401)),
    ("invitation", "decline", "declined", (200, 200, 403, 403, 200, 404, 403, 401)),
    ("request", "accept", "confirmed", (200, 403, 403, 403, 403, 403, 403, 401)),
    ("request", "decline", "declined", (200, 403, 403, 403, 200, 403, 403, 401)),
    ("confirmed_partner", "withdraw", "withdrawn", (200, 403, 200, 403, 404, 404, 403, 401)),
    # The lead's own partnership never leaves: its manager gets the condition, others the refusal.
    ("lead", "withdraw", None, (422, 403, 403, 403, 404, 404, 403, 401)),
]


def _partnership_cases():
    for scenario, transition, target, expected in PARTNERSHIP_MATRIX:
        for role, status in zip(PARTNERSHIP_ROLES, expected, strict=True):
            yield pytest.param(
                scenario, transition, target, role, status,
                id=f"{transition}[{scenario}]-{role}-{status}",
            )  # fmt: skip


@pytest.mark.parametrize(
    ("scenario", "transition", "target", "role", "expected"), list(_partnership_cases())
)
def test_partnership_transition(cast, scenario, transition, target, role, expected):
    partnership = PARTNERSHIP_SETUPS[scenario](cast)
    before = partnership.state
    user = user_for(cast, role, partnership.project)
    response = client_for(user).post(
        f"/api/v1/partnerships/{partnership.pk}/transitions/{transition}/", {}, format="json"
    )
    assert_status(response, expected)
    partnership.refresh_from_db()
    if expected == 200:
        assert response.json()["state"] == target
        assert partnership.state == target
    else:
        assert partnership.state == before
    if expected == 422:
        assert [e["code"] for e in response.json()["errors"]] == ["lead_cannot_leave"]


PARTNERSHIP_WRONG_STATE = [
    # scenario, a first transition (transition, role) or None, then (transition, role) → 409
    # The invited centre's manager accepts twice (a double click, or two managers at once): the
    # second answer is "not possible any more" (409), not "you may not" (403).
    ("invitation", ("accept", "other_manager"), ("accept", "other_manager")),
    ("invitation", ("accept", "other_manager"), ("decline", "lead_manager")),
    ("invitation", ("decline", "other_manager"), ("decline", "lead_manager")),
    ("request", ("accept", "lead_manager"), ("accept", "lead_manager")),
    ("request", ("decline", "lead_manager"), ("decline", "lead_manager")),
    ("confirmed_partner", None, ("accept", "partner_manager")),
    ("confirmed_partner", ("withdraw", "partner_manager"), ("withdraw", "partner_manager")),
]


@pytest.mark.parametrize(
    ("scenario", "first", "then"),
    [
        pytest.param(
            *row,
            id=f"{row[0]}{'+' + '_by_'.join(row[1]) if row[1] else ''}+{'_by_'.join(row[2])}-409",
        )
        for row in PARTNERSHIP_WRONG_STATE
    ],
)
def test_partnership_transition_from_a_wrong_state(cast, scenario, first, then):
    partnership = PARTNERSHIP_SETUPS[scenario](cast)
    if first:
        services.partnership_transition(
            partnership_id=partnership.pk, name=first[0], actor=user_for(cast, first[1])
        )
    response = client_for(user_for(cast, then[1])).post(
        f"/api/v1/partnerships/{partnership.pk}/transitions/{then[0]}/", {}, format="json"
    )
    assert_status(response, 409)


# --- Review transitions: only the assigned reviewer ---------------------------------------------

REVIEW_ROLES = (
    "reviewer",  # the one assigned to this review
    "reviewer2",  # assigned to the same proposal, another review
    "coordinator",
    "lead_manager",
    "lead_staff",
    "partner_manager",
    "other_manager",
    "anonymous",
)

REVIEW_MATRIX = [
    ("submit", "submitted", (200, 404, 403, 404, 404, 404, 404, 401)),
    ("decline", "declined", (200, 404, 403, 404, 404, 404, 404, 401)),
]


def _scored_review(cast):
    """Under review; cast.reviewer's review has every criterion scored (submit may pass)."""
    project = project_in(cast, ProjectState.SUBMITTED)  # cast.reviewer assigned
    services.project_transition(project_id=project.pk, name="start_review", actor=cast.coordinator)
    services.review_assign(project_id=project.pk, reviewer=cast.reviewer2, actor=cast.coordinator)
    own = Review.objects.get(project=project, reviewer=cast.reviewer)
    services.review_score(
        review_id=own.pk,
        actor=cast.reviewer,
        scores=[{"criterion": c.pk, "score": 7, "comment": ""} for c in cast.call.criteria.all()],
    )
    return own


def _review_cases():
    for transition, target, expected in REVIEW_MATRIX:
        for role, status in zip(REVIEW_ROLES, expected, strict=True):
            yield pytest.param(
                transition, target, role, status, id=f"review-{transition}-{role}-{status}"
            )


def _review_user(cast, role):
    return None if role == "anonymous" else getattr(cast, role)


@pytest.mark.parametrize(("transition", "target", "role", "expected"), list(_review_cases()))
def test_review_transition(cast, transition, target, role, expected):
    own = _scored_review(cast)
    response = client_for(_review_user(cast, role)).post(
        f"/api/v1/reviews/{own.pk}/transitions/{transition}/", {}, format="json"
    )
    assert_status(response, expected)
    own.refresh_from_db()
    if expected == 200:
        assert response.json()["state"] == target
        assert own.state == target
    else:
        assert own.state == ReviewState.ASSIGNED


def test_review_transition_from_a_wrong_state(cast):
    own = _scored_review(cast)
    services.review_transition(review_id=own.pk, name="submit", actor=cast.reviewer)
    client = client_for(cast.reviewer)
    for transition in ("submit", "decline"):
        response = client.post(
            f"/api/v1/reviews/{own.pk}/transitions/{transition}/", {}, format="json"
        )
        assert_status(response, 409)


# --- Report transitions (an interim report) -----------------------------------------------------

REPORT_ROLES = ROLES

REPORT_MATRIX = [
    # transition, report state before, after, expected per REPORT_ROLES. Reports are the project's
    # centres' business: other centres and reviewers do not see them (404) though the project is
    # public.
    ("submit", "draft", "submitted", (200, 403, 403, 404, 404, 403, 401)),
    ("accept", "submitted", "accepted", (403, 403, 403, 404, 404, 200, 401)),
    ("return", "submitted", "returned", (403, 403, 403, 404, 404, 200, 401)),
]


def interim_report(cast, state=ReportState.DRAFT):
    project = project_in(cast, ProjectState.IN_PROGRESS)
    report = services.report_create(project_id=project.pk, actor=cast.lead_manager, kind="interim")
    services.report_update(
        report_id=report.pk,
        actor=cast.lead_manager,
        narrative="Two residencies so far.",
        indicators={"events": 4, "audience": {"FR": 300}},
        costs=[
            {"partnership": p.pk, "amount": Decimal("3000.00")}
            for p in Partnership.objects.filter(project=project, state="confirmed")
        ],
    )
    if state != ReportState.DRAFT:
        services.report_transition(report_id=report.pk, name="submit", actor=cast.lead_manager)
    report.refresh_from_db()
    assert report.state == state
    return report


def _report_cases():
    for transition, before, after, expected in REPORT_MATRIX:
        for role, status in zip(REPORT_ROLES, expected, strict=True):
            yield pytest.param(
                transition, before, after, role, status,
                id=f"interim_report-{transition}-{role}-{status}",
            )  # fmt: skip


@pytest.mark.parametrize(
    ("transition", "before", "after", "role", "expected"), list(_report_cases())
)
def test_report_transition(cast, transition, before, after, role, expected):
    report = interim_report(cast, before)
    body = {"comment": COMMENT} if transition == "return" else {}
    user = user_for(cast, role, report.project)
    response = client_for(user).post(
        f"/api/v1/reports/{report.pk}/transitions/{transition}/", body, format="json"
    )
    assert_status(response, expected)
    report.refresh_from_db()
    if expected == 200:
        assert response.json()["state"] == after
        assert report.state == after
    else:
        assert report.state == before
    # An interim report never moves the project.
    assert JointProject.objects.get(pk=report.project_id).state == ProjectState.IN_PROGRESS


@pytest.mark.parametrize(
    ("transition", "state", "role"),
    [
        pytest.param("accept", ReportState.DRAFT, "coordinator", id="accept[draft]-coordinator"),
        pytest.param("return", ReportState.DRAFT, "coordinator", id="return[draft]-coordinator"),
        pytest.param(
            "submit", ReportState.SUBMITTED, "lead_manager", id="submit[submitted]-lead_manager"
        ),
    ],
)
def test_report_transition_from_a_wrong_state(cast, transition, state, role):
    report = interim_report(cast, state)
    body = {"comment": COMMENT} if transition == "return" else {}
    response = client_for(getattr(cast, role)).post(
        f"/api/v1/reports/{report.pk}/transitions/{transition}/", body, format="json"
    )
    assert_status(response, 409)
    assert Report.objects.get(pk=report.pk).state == state


def test_budget_of_a_ready_proposal_is_what_the_matrix_assumes(cast):
    """The approve rows award 20,000: within the 24,000 the ready proposal requests."""
    project = project_in(cast, ProjectState.DRAFT)
    per_partner = sum(line["amount"] for line in BUDGET) - Decimal("2000.00")
    assert project.partnerships.filter(state=PartnershipState.CONFIRMED).count() == 3
    assert project.requested_grant == 3 * per_partner
    assert Decimal(AWARD) <= project.requested_grant
