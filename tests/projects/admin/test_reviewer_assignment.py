"""Reviewer assignment in the admin: on a proposal's page (every reviewer with their load, those
with a conflict of interest shown and not offered) and for a whole call (preview, then confirm)."""

from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from projects.admin.reviews import reviewer_assignment_context
from projects.models import JointProject
from projects.selectors import with_partners
from tests.factories import (
    CentreFactory,
    JointProjectFactory,
    MembershipFactory,
    PartnershipFactory,
    UserFactory,
    grant_permissions,
    reviewer,
)
from tests.factories.auth import verified_login
from tests.projects.conftest import messages_of
from tests.workflow.conftest import advance, build_ready
from workflow import services
from workflow.assignment import display_name
from workflow.conditions import Failure
from workflow.exceptions import ConditionsNotMet
from workflow.models import Review, TransitionLog
from workflow.permissions import roles_of
from workflow.states import ProjectState, ReviewState

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(cast):
    return advance(cast, build_ready(cast), ProjectState.SUBMITTED)


def inspect_url(project):
    return reverse("jointproject:inspect", args=[project.pk])


def assign_url(project):
    return reverse("jointproject:assign_reviewer", args=[project.pk])


def bulk_url(call):
    return reverse("jointproject:bulk_assign", args=[call.pk])


def offered(response):
    """The reviewers the page's form offers, by id."""
    choices = response.context["assign_form"].fields["reviewer"].choices
    return {int(value) for value, _label in choices if value}


def rows_by_name(response):
    return {row.name: row for row in response.context["reviewer_rows"]}


# --- One proposal ---------------------------------------------------------------------------------


def test_the_page_lists_every_reviewer_with_their_load(admin_client, cast, submitted):
    # The first reviewer has one open review elsewhere and one submitted: 1 open, 2 in all.
    for state in (ReviewState.ASSIGNED, ReviewState.SUBMITTED):
        Review.objects.create(
            project=JointProjectFactory(state=ProjectState.UNDER_REVIEW),
            reviewer=cast.reviewer,
            state=state,
        )
    cast.reviewer.first_name, cast.reviewer.last_name = "Rita", "Alves"
    cast.reviewer.save()
    response = admin_client.get(inspect_url(submitted))
    rows = rows_by_name(response)
    assert (rows["Rita Alves"].open_reviews, rows["Rita Alves"].all_reviews) == (1, 2)
    other = rows[display_name(cast.reviewer2)]
    assert (other.open_reviews, other.all_reviews) == (0, 0)
    assert offered(response) == {cast.reviewer.pk, cast.reviewer2.pk}
    content = response.content.decode()
    assert 'id="reviewer-load"' in content
    assert "Rita Alves (1 open, 2 in all)" in content  # the form's choice
    assert reverse("jointproject:bulk_assign", args=[cast.call.pk]) in content


def test_a_reviewer_at_a_centre_of_the_project_is_shown_and_not_offered(
    admin_client, cast, submitted
):
    conflicted = reviewer(first_name="Ana", last_name="Horvat")
    MembershipFactory(centre=cast.partner2_centre, user=conflicted, role="staff")
    response = admin_client.get(inspect_url(submitted))
    row = rows_by_name(response)["Ana Horvat"]
    assert row.conflict.reason == "centre"
    assert conflicted.pk not in offered(response)
    assert offered(response) == {cast.reviewer.pk, cast.reviewer2.pk}
    content = response.content.decode()
    assert escape("Works for Kulturni centar Zagreb, a centre of this project") in content
    assert 'data-conflict="centre"' in content


def test_a_reviewer_in_a_partner_country_conflicts_when_the_call_says_so(
    admin_client, cast, submitted
):
    expert = reviewer(first_name="Ivo", last_name="Kovač")
    MembershipFactory(centre=CentreFactory(name="Split Arts", country="HR"), user=expert)
    response = admin_client.get(inspect_url(submitted))
    assert rows_by_name(response)["Ivo Kovač"].conflict is None
    assert expert.pk in offered(response)

    cast.call.conflict_same_country = True
    cast.call.save()
    response = admin_client.get(inspect_url(submitted))
    assert rows_by_name(response)["Ivo Kovač"].conflict.reason == "country"
    assert expert.pk not in offered(response)
    assert escape("Works for Split Arts in Croatia, a country of this project") in (
        response.content.decode()
    )


def test_reviewers_already_assigned_are_not_listed(admin_client, cast, submitted):
    services.review_assign(project_id=submitted.pk, reviewer=cast.reviewer, actor=cast.coordinator)
    response = admin_client.get(inspect_url(submitted))
    assert set(rows_by_name(response)) == {display_name(cast.reviewer2)}
    assert offered(response) == {cast.reviewer2.pk}


def test_the_service_refuses_a_conflict_and_the_page_says_why(admin_client, cast, submitted):
    """A POST may name anyone: the service decides and its refusal becomes the message."""
    conflicted = reviewer(first_name="Ana", last_name="Horvat")
    MembershipFactory(centre=cast.partner2_centre, user=conflicted, role="staff")
    response = admin_client.post(
        assign_url(submitted), {"assign-reviewer": conflicted.pk}, follow=True
    )
    [message] = messages_of(response)
    assert "Ana Horvat works for a centre of this project and cannot review it." in message

    cast.call.conflict_same_country = True
    cast.call.save()
    expert = reviewer(first_name="Ivo", last_name="Kovač")
    MembershipFactory(centre=CentreFactory(country="BE"), user=expert)
    response = admin_client.post(assign_url(submitted), {"assign-reviewer": expert.pk}, follow=True)
    [message] = messages_of(response)
    assert "Ivo Kovač works for a centre in Belgium, a country of this project" in message
    assert not Review.objects.exists()


def test_the_assignment_reads_the_same_queries_however_many_reviewers_and_partners(
    cast, submitted, django_assert_num_queries
):
    """The reviewers with their loads, and the reviewers' memberships: two queries."""

    roles_of(cast.coordinator)  # read once a request, before the page's own queries

    def context():
        project = with_partners(JointProject.objects.all()).get(pk=submitted.pk)
        with django_assert_num_queries(2):
            data = reviewer_assignment_context(project, user=cast.coordinator, url="/")
            data["assign_form"].as_div()
        return data

    assert len(context()["reviewer_rows"]) == 2
    for index in range(8):
        expert = reviewer()
        partner = PartnershipFactory(project=submitted) if index % 2 else None
        MembershipFactory(centre=partner.centre if partner else CentreFactory(), user=expert)
        Review.objects.create(project=JointProjectFactory(state="submitted"), reviewer=expert)
    data = context()
    assert len(data["reviewer_rows"]) == 10
    assert sum(row.conflict is not None for row in data["reviewer_rows"]) == 4


def test_the_proposal_page_runs_as_many_queries_with_many_reviewers(admin_client, cast, submitted):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(inspect_url(submitted)).status_code == 200
        return len(queries)

    count()  # warm per-process caches
    small = count()
    for _ in range(6):
        expert = reviewer()
        MembershipFactory(centre=PartnershipFactory(project=submitted).centre, user=expert)
        MembershipFactory(centre=CentreFactory(), user=reviewer())
    assert count() == small


# --- A whole call ---------------------------------------------------------------------------------


def make_proposals(call, count, state=ProjectState.SUBMITTED):
    projects = []
    for _ in range(count):
        project = JointProjectFactory(call=call, state=state)
        PartnershipFactory(project=project)
        projects.append(project)
    return projects


def preview(client, call, reviewers, *, per_proposal=2, action="preview", **extra):
    data = {
        "per_proposal": per_proposal,
        "reviewers": [user.pk for user in reviewers],
        "due_date": "",
        "action": action,
        **extra,
    }
    return client.post(bulk_url(call), data)


@pytest.fixture
def experts(cast):
    """Three reviewers free of any conflict, and Ana, who works for every proposal's lead."""
    ana = reviewer(username="ana", first_name="Ana", last_name="Horvat")
    return [cast.reviewer, cast.reviewer2, reviewer(username="reviewer3"), ana]


def lead_member(project, user):
    MembershipFactory(centre=project.lead_centre, user=user)


def test_the_bulk_page_offers_the_parameters(admin_client, cast, experts):
    make_proposals(cast.call, 2)
    response = admin_client.get(bulk_url(cast.call))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["per_proposal"].value() == cast.call.min_reviews
    assert sorted(form["reviewers"].value()) == sorted(user.pk for user in experts)
    content = response.content.decode()
    assert 'name="reviewers"' in content and 'value="preview"' in content
    assert 'value="confirm"' not in content
    assert response.context["proposal_count"] == 2


def test_the_preview_shows_the_plan_and_writes_nothing(admin_client, cast, experts):
    projects = make_proposals(cast.call, 3)
    for project in projects:
        lead_member(project, experts[3])
    response = preview(admin_client, cast.call, experts)
    assert response.status_code == 200
    assert not Review.objects.exists()
    plan = response.context["plan"]
    assert len(plan) == 6
    assert all(reviewer_id != experts[3].pk for _project, reviewer_id in plan.pairs)
    # Ana takes part but may review nothing: the others share the six reviews.
    loads = {row["name"]: row["after"] for row in response.context["loads"]}
    assert loads == {display_name(user): 2 for user in experts[:3]} | {"Ana Horvat": 0}
    assert not plan.balanced  # Ana's conflicts leave her nothing
    content = response.content.decode()
    assert f'name="fingerprint" value="{plan.fingerprint}"' in content
    assert "Confirm and assign 6 reviews" in content
    assert escape("a centre of this project") in content


def test_confirming_commits_the_previewed_plan(admin_client, cast, experts):
    projects = make_proposals(cast.call, 3)
    taking_part = experts[:3]
    plan = preview(admin_client, cast.call, taking_part).context["plan"]
    response = preview(
        admin_client,
        cast.call,
        taking_part,
        action="confirm",
        fingerprint=plan.fingerprint,
        due_date="2099-03-01",
    )
    assert response.status_code == 302
    assert response["Location"] == bulk_url(cast.call)
    reviews = Review.objects.filter(project__in=projects)
    assert sorted(reviews.values_list("project_id", "reviewer_id")) == plan.pairs
    assert Counter(reviews.values_list("reviewer_id", flat=True)) == {
        user.pk: 2 for user in taking_part
    }
    assert {review.due_date.isoformat() for review in reviews} == {"2099-03-01"}
    assert TransitionLog.objects.filter(transition="assign").count() == 6
    page = admin_client.get(response["Location"])
    assert any("6 reviews assigned" in message for message in messages_of(page))


def proposal_in(call, lead_country, partner_country):
    project = JointProjectFactory(
        call=call, state=ProjectState.SUBMITTED, lead_centre=CentreFactory(country=lead_country)
    )
    PartnershipFactory(project=project, centre=CentreFactory(country=partner_country))
    return project


def test_the_plan_respects_conflicts_and_balances_with_existing_reviews(
    admin_client, cast, experts
):
    cast.call.conflict_same_country = True
    cast.call.save()
    projects = [
        proposal_in(cast.call, lead, partner)
        for lead, partner in (("AT", "EE"), ("BE", "FI"), ("CZ", "GR"), ("DK", "HU"))
    ]
    first, second, third = experts[:3]
    lead_member(projects[0], first)  # a centre of the first proposal
    MembershipFactory(centre=CentreFactory(country="FI"), user=second)  # the second's country
    Review.objects.create(project=projects[3], reviewer=third)  # already reviews the fourth

    plan = preview(admin_client, cast.call, experts[:3]).context["plan"]
    assert (projects[0].pk, first.pk) not in plan.pairs
    assert (projects[1].pk, second.pk) not in plan.pairs
    assert (projects[3].pk, third.pk) not in plan.pairs
    # 8 reviews needed, 1 exists: 7 new; with the third's open review, 8 open: 3, 3, 2.
    assert len(plan) == 7
    assert {user: load.before for user, load in plan.loads.items()} == {
        first.pk: 0,
        second.pk: 0,
        third.pk: 1,
    }
    assert sorted(load.after for load in plan.loads.values()) == [2, 3, 3]
    assert plan.balanced


def test_proposals_that_cannot_get_enough_reviewers_are_flagged(admin_client, cast, experts):
    make_proposals(cast.call, 2)
    response = preview(admin_client, cast.call, experts[:3], per_proposal=4)
    assert response.context["short_proposals"] == 2
    assert "1 reviewer missing" in response.content.decode()


def test_only_proposals_in_review_are_planned(admin_client, cast, experts):
    [in_review] = make_proposals(cast.call, 1, state=ProjectState.UNDER_REVIEW)
    make_proposals(cast.call, 1, state=ProjectState.DRAFT)
    make_proposals(cast.call, 1, state=ProjectState.APPROVED)
    make_proposals(JointProjectFactory().call, 1)  # another call
    plan = preview(admin_client, cast.call, experts[:3]).context["plan"]
    assert {project for project, _reviewer in plan.pairs} == {in_review.pk}


def test_a_plan_that_changed_since_the_preview_is_shown_again_not_committed(
    admin_client, cast, experts, submitted
):
    plan = preview(admin_client, cast.call, experts[:3]).context["plan"]
    # Meanwhile another coordinator assigns one of the planned reviewers.
    project, expert = plan.pairs[0]
    services.review_assign(
        project_id=project, reviewer=get_user_model().objects.get(pk=expert), actor=cast.coordinator
    )
    response = preview(
        admin_client, cast.call, experts[:3], action="confirm", fingerprint=plan.fingerprint
    )
    assert response.status_code == 200
    assert Review.objects.count() == 1
    assert any("The plan changed since the preview" in m for m in messages_of(response))
    assert response.context["plan"].fingerprint != plan.fingerprint


def test_a_refusal_of_the_service_is_shown_as_a_message(admin_client, cast, experts, monkeypatch):
    make_proposals(cast.call, 1)
    plan = preview(admin_client, cast.call, experts[:3]).context["plan"]

    def refuse(**kwargs):
        raise ConditionsNotMet([Failure("conflict_of_interest", "Someone has a conflict.")])

    monkeypatch.setattr("projects.admin.reviews.review_assign_bulk", refuse)
    response = preview(
        admin_client, cast.call, experts[:3], action="confirm", fingerprint=plan.fingerprint
    )
    assert response.status_code == 200
    [message] = messages_of(response)
    assert "The reviewers were not assigned" in message and "Someone has a conflict." in message
    assert not Review.objects.exists()


def test_a_due_date_in_the_past_is_refused(admin_client, cast, experts):
    make_proposals(cast.call, 1)
    response = preview(admin_client, cast.call, experts[:3], due_date="2001-01-01")
    assert response.context["form"].errors["due_date"]
    assert response.context["plan"] is None


def test_non_coordinators_are_refused(client, cast, experts):
    make_proposals(cast.call, 1)
    editor = UserFactory(username="editor", is_staff=True)
    grant_permissions(editor, "access_admin", "view_jointproject", "change_jointproject")
    client.force_login(editor)
    for method in (client.get, client.post):
        response = method(bulk_url(cast.call), {"action": "confirm"})
        assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))
    verified_login(client, cast.reviewer)
    assert client.get(bulk_url(cast.call)).status_code == 302
    assert not Review.objects.exists()


def test_an_unknown_call_is_not_found(admin_client):
    assert admin_client.get(reverse("jointproject:bulk_assign", args=[987654])).status_code == 404


def test_the_preview_runs_as_many_queries_for_a_bigger_call(admin_client, cast):
    def count(reviewers):
        with CaptureQueriesContext(connection) as queries:
            response = preview(admin_client, cast.call, reviewers)
        assert response.status_code == 200 and response.context["plan"] is not None
        return len(queries), len(response.context["plan"])

    experts = [cast.reviewer, cast.reviewer2]
    make_proposals(cast.call, 3)
    count(experts)  # warm per-process caches
    small, small_plan = count(experts)
    for _ in range(6):
        expert = reviewer()
        MembershipFactory(centre=CentreFactory(), user=expert)
        experts.append(expert)
    for project in make_proposals(cast.call, 9):
        lead_member(project, experts[-1])
        Review.objects.create(project=project, reviewer=experts[2])
    large, large_plan = count(experts)
    assert (small_plan, large_plan) == (6, 15)  # 3 × 2, then 9 × 1 more (one review each)
    assert large == small, f"{small} queries for 3 proposals, {large} for 12"
