"""Reviewers are anonymous to everyone but coordinators, wherever the transition log is shown:
the API's `history`, the workspace timeline, the admin and the emails all read it through
`workflow.selectors.history_visible_to`."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import CentreFactory, MembershipFactory, UserFactory
from tests.factories.auth import verified_login
from tests.workflow.conftest import advance, build_ready, review
from workflow.models import Review, TransitionLog
from workflow.notifications import render
from workflow.selectors import history_visible_to, project_history
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db

REVIEWERS = ("reviewer", "reviewer2")


@pytest.fixture
def approved(cast):
    """An approved (so public) project reviewed by both reviewers."""
    return advance(cast, build_ready(cast), ProjectState.APPROVED)


def api_history(user, project):
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(f"/api/v1/projects/{project.pk}/")
    assert response.status_code == 200
    return response.json()["history"]


def outsider():
    user = UserFactory(username="outsider")
    MembershipFactory(user=user, centre=CentreFactory(country="PT"))
    return user


@pytest.mark.parametrize("who", ["lead_manager", "lead_staff", "partner_manager", "outsider"])
def test_applicants_and_the_public_never_see_review_entries(cast, approved, who):
    user = outsider() if who == "outsider" else getattr(cast, who)
    history = api_history(user, approved)
    assert history, "the project's own transitions are still shown"
    assert {entry["object"] for entry in history} <= {"jointproject", "partnership"}
    assert not {entry["actor"] for entry in history} & set(REVIEWERS)


def test_a_reviewer_sees_only_their_own_review_entries(cast, approved):
    history = api_history(cast.reviewer2, approved)
    own = set(Review.objects.filter(reviewer=cast.reviewer2).values_list("pk", flat=True))
    reviews = [entry for entry in history if entry["object"] == "review"]
    assert reviews and {entry["object_id"] for entry in reviews} == own
    assert "reviewer" not in {entry["actor"] for entry in history}


def test_coordinators_see_every_entry_with_its_actor(cast, approved):
    history = api_history(cast.coordinator, approved)
    actors = {entry["actor"] for entry in history if entry["object"] == "review"}
    assert set(REVIEWERS) <= actors
    assert len(history) == TransitionLog.objects.filter(project=approved).count()


def full_names(cast):
    return [cast.reviewer.get_full_name(), cast.reviewer2.get_full_name()]


def test_the_workspace_timeline_names_no_reviewer(cast, approved):
    client = Client()
    client.force_login(cast.lead_manager)
    page = client.get(f"/workspace/projects/{approved.pk}/").content.decode()
    assert cast.lead_manager.get_full_name() in page, "the timeline names the other actors"
    assert not any(name in page for name in full_names(cast))


def test_the_admin_inspect_view_names_the_reviewers(cast, approved):
    client = Client()
    verified_login(client, cast.coordinator)
    page = client.get(reverse("jointproject:inspect", args=[approved.pk])).content.decode()
    assert all(name in page for name in full_names(cast))


def test_one_rule_for_every_reader(cast, approved):
    """The timeline selector and the rule agree; the rule hides review rows row by row."""
    review_rows = TransitionLog.objects.filter(project=approved, content_type__model="review")
    assert review_rows.exists()
    for user in (cast.lead_manager, cast.partner_manager):
        assert not project_history(approved, user=user).filter(pk__in=review_rows).exists()
    assert project_history(approved, user=cast.coordinator).filter(pk__in=review_rows).count() == (
        review_rows.count()
    )
    assert not history_visible_to(None).filter(pk__in=review_rows).exists()


def test_an_email_about_a_review_names_no_reviewer_to_an_applicant(cast):
    project = advance(cast, build_ready(cast), ProjectState.UNDER_REVIEW)
    submitted = review(cast, project, cast.reviewer)
    log = TransitionLog.objects.get(
        content_type__model="review", object_id=submitted.pk, transition="submit"
    )
    _subject, to_lead = render(
        ("review", "submit"),
        recipient=cast.lead_manager,
        project=project,
        obj=submitted,
        actor=cast.reviewer,
        log=log,
    )
    _subject, to_coordinator = render(
        ("review", "submit"),
        recipient=cast.coordinator,
        project=project,
        obj=submitted,
        actor=cast.reviewer,
        log=log,
    )
    name = cast.reviewer.get_full_name()
    assert "Ensemble submitted a review" in to_lead and name not in to_lead
    assert f"{name} submitted a review" in to_coordinator
