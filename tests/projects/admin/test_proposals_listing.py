"""The proposals' listing: its filters (call, tier, state, lead country, any partner's
country, theme), its search, and "start the review" over the whole filtered set."""

import pytest
from django.urls import reverse

from projects.admin.filters import filtered_proposals
from projects.models import Theme
from tests.factories import (
    CallFactory,
    CallTierFactory,
    CentreFactory,
    JointProjectFactory,
    PartnershipFactory,
    UserFactory,
    coordinator,
)
from tests.factories.auth import verified_login
from workflow import services
from workflow.models import TransitionLog
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    call, other_call = CallFactory(), CallFactory()
    small = CallTierFactory(call=call, name="Small")
    music = Theme.objects.create(name="Music", slug="music")
    fr, be, hr = (CentreFactory(country=code) for code in ("FR", "BE", "HR"))
    a = JointProjectFactory(call=call, tier=small, lead_centre=fr, title="Alpha stages")
    PartnershipFactory(project=a, centre=hr)
    a.themes.add(music)
    b = JointProjectFactory(call=call, lead_centre=be, title="Beta sounds", acronym="BETA")
    c = JointProjectFactory(call=other_call, lead_centre=hr, title="Gamma", acronym="GAM")
    return {
        "call": call,
        "other_call": other_call,
        "small": small,
        "music": music,
        "a": a,
        "b": b,
        "c": c,
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"a", "b", "c"}),
        ({"call": "call"}, {"a", "b"}),
        ({"tier": "small"}, {"a"}),
        ({"lead_country": "FR"}, {"a"}),
        ({"partner_country": "HR"}, {"a", "c"}),  # a partner in a, the lead of c
        ({"partner_country": "BE"}, {"b"}),
        ({"theme": "music"}, {"a"}),
        ({"q": "beta"}, {"b"}),
        ({"q": "GAM"}, {"c"}),
        ({"call": "call", "partner_country": "HR"}, {"a"}),
        ({"lead_country": "ZZ"}, {"a", "b", "c"}),  # an unknown value is ignored, as listed
    ],
)
def test_the_filters_select_the_rows(world, params, expected):
    params = {
        key: str(world[value].pk) if value in world else value for key, value in params.items()
    }
    names = ("a", "b", "c")
    got = {key for key in names if filtered_proposals(params).filter(pk=world[key].pk).exists()}
    assert got == expected


def test_the_listing_shows_the_filters_and_filters(client, world):
    verified_login(client, coordinator())
    response = client.get(
        reverse("jointproject:index"), {"partner_country": "HR", "call": world["call"].pk}
    )
    html = response.content.decode()
    assert response.status_code == 200
    for label in ("Tier", "Lead country", "Any partner&#x27;s country", "Theme"):
        assert label in html
    assert "Alpha stages" in html and "Beta sounds" not in html and "Gamma" not in html


def test_the_listing_offers_exports_and_bulk_review_of_the_filtered_set(client, world):
    verified_login(client, coordinator())
    html = client.get(reverse("jointproject:index"), {"lead_country": "FR"}).content.decode()
    assert reverse("export:start", args=["proposals", "csv"]) + "?lead_country=FR" in html
    assert reverse("export:start", args=["proposals", "xlsx"]) + "?lead_country=FR" in html
    assert reverse("jointproject:bulk_start_review") + "?lead_country=FR" in html


def test_the_listing_runs_the_same_queries_for_more_rows(client, world, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    verified_login(client, coordinator())
    url = reverse("jointproject:index")
    client.get(url)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"call": world["call"].pk}).status_code == 200
        return len(queries)

    few = count()
    for _ in range(12):
        project = JointProjectFactory(call=world["call"])
        PartnershipFactory(project=project)
        project.themes.add(world["music"])
    assert count() == few


# Start the review over the whole filtered set -------------------------------------------------


def submitted_projects(call, n, **fields):
    return [
        JointProjectFactory(call=call, state=ProjectState.SUBMITTED, **fields) for _ in range(n)
    ]


def test_bulk_start_review_confirms_then_moves_every_filtered_submitted_proposal(client):
    call, other = CallFactory(), CallFactory()
    chosen = submitted_projects(call, 55)  # more than a page of the listing (50)
    left = submitted_projects(other, 2)
    draft = JointProjectFactory(call=call)
    verified_login(client, coordinator())
    url = reverse("jointproject:bulk_start_review")

    page = client.get(url, {"call": call.pk})
    assert page.status_code == 200
    assert "55 submitted proposals match these filters" in page.content.decode()
    assert not TransitionLog.objects.filter(
        transition="start_review"
    ).exists()  # GET writes nothing

    response = client.post(url, {"call": call.pk}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("jointproject:index") + f"?call={call.pk}"
    assert "55 proposals are now under review." in response.content.decode()
    states = {p.pk: p.state for p in type(draft).objects.all()}
    assert all(states[p.pk] == ProjectState.UNDER_REVIEW for p in chosen)
    assert all(states[p.pk] == ProjectState.SUBMITTED for p in left)
    assert states[draft.pk] == ProjectState.DRAFT
    assert TransitionLog.objects.filter(transition="start_review").count() == 55


def test_bulk_start_review_with_nothing_to_move_says_so(client):
    verified_login(client, coordinator())
    url = reverse("jointproject:bulk_start_review")
    assert "No submitted proposal matches" in client.get(url, {"state": "draft"}).content.decode()
    response = client.post(url, {"state": "draft"}, follow=True)
    assert "No submitted proposal matches these filters." in response.content.decode()


def test_bulk_start_review_refuses_non_coordinators(client):
    staff = UserFactory(is_staff=True)
    verified_login(client, staff)
    url = reverse("jointproject:bulk_start_review")
    for response in (client.get(url), client.post(url)):
        assert response.status_code in (302, 403)
        assert response.status_code == 403 or "/admin/" in response["Location"]
    assert not TransitionLog.objects.exists()


def test_many_transitions_report_each_refusal_and_do_the_rest(db):
    actor = coordinator()
    ok = JointProjectFactory(state=ProjectState.SUBMITTED)
    wrong = JointProjectFactory(state=ProjectState.DRAFT)
    done, refused = services.project_transition_many(
        project_ids=[ok.pk, wrong.pk, 999999], name="start_review", actor=actor
    )
    assert done == [ok.pk]
    assert set(refused) == {wrong.pk, 999999}
    assert refused[wrong.pk].status == 409 and refused[999999].status == 404
    ok.refresh_from_db()
    assert ok.state == ProjectState.UNDER_REVIEW


def test_after_a_bulk_start_filtered_on_submitted_the_listing_shows_what_moved(client):
    call = CallFactory()
    submitted_projects(call, 2)
    verified_login(client, coordinator())
    url = reverse("jointproject:bulk_start_review")
    response = client.post(url, {"call": call.pk, "state": "submitted"})
    assert response["Location"] == (
        reverse("jointproject:index") + f"?call={call.pk}&state=under_review"
    )
