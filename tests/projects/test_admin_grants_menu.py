"""One "Grants" menu for the coordinators' back-office, shown and opened by coordinators and
superusers only: model permissions alone open none of its views."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from wagtail.admin.menu import admin_menu

from tests.factories import (
    CallTierFactory,
    CentreFactory,
    JointProjectFactory,
    NetworkFactory,
    UserFactory,
    coordinator,
    grant_permissions,
)
from tests.factories.auth import verified_login
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db

GRANTS_ITEMS = ["Proposals", "Calls", "Reports", "Payments", "Exports", "Centres", "Networks"]


def menu_for(user):
    reverse("wagtailadmin_home")  # the admin's URLs register the viewsets and their menu items
    request = RequestFactory().get("/admin/")
    request.user = user
    return admin_menu.menu_items_for_request(request)


def grants_urls():
    tier = CallTierFactory()
    call = tier.call
    centre = CentreFactory()
    network = NetworkFactory()
    project = JointProjectFactory(call=call, state=ProjectState.SUBMITTED)
    return [
        reverse("jointproject:index"),
        reverse("jointproject:index_results"),
        reverse("jointproject:inspect", args=[project.pk]),
        reverse("jointproject:ranking", args=[call.pk]),
        reverse("jointproject:assign_reviewer", args=[project.pk]),
        reverse("jointproject:transition", args=[project.pk, "start_review"]),
        reverse("call:index"),
        reverse("call:add"),
        reverse("call:edit", args=[call.pk]),
        reverse("call:inspect", args=[call.pk]),
        reverse("call:delete", args=[call.pk]),
        reverse("centre:index"),
        reverse("centre:add"),
        reverse("centre:edit", args=[centre.pk]),
        reverse("centre:inspect", args=[centre.pk]),
        reverse("network:index"),
        reverse("network:add"),
        reverse("network:edit", args=[network.pk]),
        reverse("network:inspect", args=[network.pk]),
    ]


@pytest.fixture
def staff_editor():
    """An editor of the public site with admin access and every permission on the network's
    records, yet no coordinator."""
    user = UserFactory(username="editor", is_staff=True)
    grant_permissions(
        user,
        "access_admin",
        *(
            f"{verb}_{model}"
            for verb in ("add", "change", "delete", "view")
            for model in ("call", "centre", "network", "jointproject")
        ),
    )
    return user


def test_a_coordinator_sees_one_grants_menu_with_its_items():
    items = menu_for(coordinator())
    labels = [str(item.label) for item in items]
    assert labels.count("Grants") == 1
    assert "Proposals" not in labels and "Network" not in labels
    [grants] = [item for item in items if str(item.label) == "Grants"]
    assert grants.name == "grants"
    request = RequestFactory().get("/admin/")
    request.user = coordinator(username="coordinator2")
    sub = [str(item.label) for item in grants.menu.menu_items_for_request(request)]
    assert sub == GRANTS_ITEMS


def test_a_superuser_sees_the_grants_menu():
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert "Grants" in [str(item.label) for item in menu_for(admin)]


def test_a_staff_editor_does_not_see_the_grants_menu(staff_editor):
    labels = [str(item.label) for item in menu_for(staff_editor)]
    assert "Grants" not in labels
    assert not {"Proposals", "Network", "Calls", "Centres", "Networks"} & set(labels)


def test_the_admin_home_shows_the_menu_to_coordinators_only(client, staff_editor):
    client.force_login(staff_editor)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    assert '"Grants"' not in response.content.decode()
    verified_login(client, coordinator())
    response = client.get(reverse("wagtailadmin_home"))
    assert '"Grants"' in response.content.decode()


def test_every_grants_view_refuses_a_staff_editor(client, staff_editor):
    client.force_login(staff_editor)
    for url in grants_urls():
        for method in (client.get, client.post):
            response = method(url)
            # PermissionDenied: Wagtail's "no permission" redirect to the dashboard.
            assert (response.status_code, response.get("Location")) == (
                302,
                reverse("wagtailadmin_home"),
            ), (method.__name__, url)


def test_every_grants_listing_opens_for_a_coordinator(client):
    urls = grants_urls()
    verified_login(client, coordinator())
    for url in urls:
        if "/delete/" in url or "/transitions/" in url or "/reviewers/" in url:
            continue
        assert client.get(url).status_code == 200, url
