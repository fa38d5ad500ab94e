"""The coordinators' Wagtail admin for networks, centres and calls."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    CallFactory,
    CallTierFactory,
    CentreFactory,
    MembershipFactory,
    NetworkFactory,
    UserFactory,
    coordinator,
)
from tests.factories.auth import verified_login

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    "centre:index",
    "centre:add",
    "call:index",
    "call:add",
    "network:index",
]


@pytest.fixture
def coordinator_client(client):
    verified_login(client, coordinator())
    return client


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_admin_pages_load_for_a_coordinator(coordinator_client, name):
    CentreFactory()
    CallTierFactory()
    response = coordinator_client.get(reverse(name))
    assert response.status_code == 200


def test_centre_and_call_edit_pages_show_members_tiers_and_criteria(coordinator_client):
    membership = MembershipFactory()
    tier = CallTierFactory(name="Large")
    response = coordinator_client.get(reverse("centre:edit", args=[membership.centre.pk]))
    assert response.status_code == 200
    assert membership.user.username in response.content.decode()
    response = coordinator_client.get(reverse("call:edit", args=[tier.call.pk]))
    content = response.content.decode()
    assert "Large" in content
    assert "Award criteria" in content


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_admin_pages_are_refused_to_a_centre_member(client, name):
    member = MembershipFactory().user
    client.force_login(member)
    response = client.get(reverse(name))
    # Wagtail sends a user without admin access back to the login page.
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_admin_is_refused_to_anonymous_visitors(client):
    response = client.get(reverse("centre:index"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_centre_list_filters_and_searches(coordinator_client):
    CentreFactory(name="Kulturhaus Graz", city="Graz", country="AT")
    CentreFactory(name="Maison de la culture de Lyon", city="Lyon", country="FR")
    response = coordinator_client.get(reverse("centre:index"), {"q": "graz"})
    content = response.content.decode()
    assert "Kulturhaus Graz" in content
    assert "Maison de la culture de Lyon" not in content
    response = coordinator_client.get(reverse("centre:index"), {"country": "FR"})
    content = response.content.decode()
    assert "Maison de la culture de Lyon" in content
    assert "Kulturhaus Graz" not in content


def test_a_coordinator_creates_a_call_with_a_tier_and_a_criterion(coordinator_client):
    network = NetworkFactory(kind="international", country="")
    data = {
        "title": "Joint Projects 2028",
        "slug": "joint-projects-2028",
        "network": network.pk,
        "kind": "project",
        "summary": "",
        "opens_at": "2027-01-10 09:00",
        "deadline": "2027-03-31 17:00",
        "budget": "2000000.00",
        "min_partners": "3",
        "min_countries": "2",
        "max_grant": "150000.00",
        "max_cofinancing_rate": "0.80",
        "max_duration_months": "24",
        "prefinancing_rate": "0.60",
        "min_reviews": "2",
        "overall_threshold": "20",
        "tiers-TOTAL_FORMS": "1",
        "tiers-INITIAL_FORMS": "0",
        "tiers-MIN_NUM_FORMS": "0",
        "tiers-MAX_NUM_FORMS": "1000",
        "tiers-0-name": "Small",
        "tiers-0-min_partners": "2",
        "tiers-0-min_countries": "2",
        "tiers-0-max_grant": "30000",
        "tiers-0-max_cofinancing_rate": "0.8",
        "tiers-0-max_duration_months": "12",
        "tiers-0-ORDER": "1",
        "criteria-TOTAL_FORMS": "1",
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
        "criteria-0-name": "Artistic quality",
        "criteria-0-description": "",
        "criteria-0-max_score": "10",
        "criteria-0-threshold": "5",
        "criteria-0-weight": "1",
        "criteria-0-ORDER": "1",
        "questions-count": "0",
    }
    response = coordinator_client.post(reverse("call:add"), data)
    assert response.status_code == 302, (
        response.context["form"].errors if response.context else response
    )
    from projects.models import Call

    call = Call.objects.get(slug="joint-projects-2028")
    assert list(call.tiers.values_list("name", flat=True)) == ["Small"]
    assert list(call.criteria.values_list("name", flat=True)) == ["Artistic quality"]

    # Bad input: a threshold above the maximum is refused, and nothing is saved.
    data.update({"slug": "joint-projects-2029", "title": "Bad", "criteria-0-threshold": "11"})
    response = coordinator_client.post(reverse("call:add"), data)
    assert response.status_code == 200
    assert not Call.objects.filter(slug="joint-projects-2029").exists()


def make_centres(count):
    for index in range(count):
        centre = CentreFactory(network=NetworkFactory())
        MembershipFactory(centre=centre, user=UserFactory(username=f"staff-{count}-{index}"))


def make_calls(count):
    for _ in range(count):
        CallTierFactory(call=CallFactory())


def make_networks(count):
    NetworkFactory.create_batch(count)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("name", "make"),
    [("centre:index", make_centres), ("call:index", make_calls), ("network:index", make_networks)],
)
def test_admin_lists_run_a_fixed_number_of_queries(coordinator_client, name, make):
    url = reverse(name)
    make(3)
    count_queries(coordinator_client, url)  # warm per-process caches
    small = count_queries(coordinator_client, url)
    make(30)
    large = count_queries(coordinator_client, url)
    assert large == small, f"{small} queries for 3 rows, {large} for 33"


def test_a_coordinator_edits_the_public_pages(coordinator_client, site_tree):
    response = coordinator_client.get(reverse("wagtailadmin_pages:edit", args=[site_tree.pk]))
    assert response.status_code == 200
    response = coordinator_client.get(reverse("wagtailimages:add"))
    assert response.status_code == 200
