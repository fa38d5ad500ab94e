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


GRANTS_NAMESPACES = ("jointproject", "call", "centre", "network", "payment", "report", "export")


def grants_urls(exporter=None):
    """One address of every view of the Grants menu (test_every_grants_url_is_listed keeps the
    list complete)."""
    from projects.models import ExportJob, Payment, Report

    tier = CallTierFactory()
    call = tier.call
    centre = CentreFactory()
    network = NetworkFactory()
    project = JointProjectFactory(call=call, state=ProjectState.SUBMITTED)
    funded = JointProjectFactory(call=call, state=ProjectState.APPROVED)
    payment = Payment.objects.create(
        project=funded, kind="prefinancing", amount=1, due_date=call.deadline.date()
    )
    report = Report.objects.create(project=project, kind="final")
    job = ExportJob.objects.create(
        requested_by=exporter or UserFactory(), listing="proposals", format="csv"
    )
    urls = [
        reverse("jointproject:index"),
        reverse("jointproject:index_results"),
        reverse("jointproject:inspect", args=[project.pk]),
        reverse("jointproject:transition", args=[project.pk, "start_review"]),
        reverse("jointproject:bulk_start_review"),
        reverse("jointproject:assign_reviewer", args=[project.pk]),
        reverse("jointproject:bulk_assign", args=[call.pk]),
        reverse("jointproject:ranking", args=[call.pk]),
        reverse("jointproject:ranking_decide", args=[call.pk, project.pk, "approve"]),
        reverse("call:duplicate", args=[call.pk]),
        reverse("payment:index"),
        reverse("payment:index_results"),
        reverse("payment:inspect", args=[funded.pk]),
        reverse("payment:start", args=[funded.pk]),
        reverse("payment:mark_paid", args=[payment.pk]),
        reverse("report:index"),
        reverse("report:index_results"),
        reverse("report:inspect", args=[report.pk]),
        reverse("report:transition", args=[report.pk, "accept"]),
        reverse("report:costs", args=[report.pk]),
        reverse("export:index"),
        reverse("export:index_results"),
        reverse("export:inspect", args=[job.pk]),
        reverse("export:download", args=[job.pk]),
        reverse("export:start", args=["proposals", "csv"]),
    ]
    for namespace, record in (("call", call), ("centre", centre), ("network", network)):
        urls += [reverse(f"{namespace}:{name}") for name in ("index", "index_results", "add")]
        urls += [
            reverse(f"{namespace}:{name}", args=[record.pk])
            for name in ("edit", "delete", "history", "history_results", "usage", "inspect")
        ]
    urls += [
        reverse(f"{namespace}:copy", args=[record.pk])
        for namespace, record in (
            ("centre", centre),
            ("network", network),
        )
    ]
    return urls


def grants_url_names():
    """Every URL name the Grants viewsets register."""
    from django.urls import URLResolver, get_resolver

    reverse("wagtailadmin_home")
    names = set()

    def walk(resolver, namespace):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern, pattern.namespace or namespace)
            elif namespace in GRANTS_NAMESPACES:
                names.add(f"{namespace}:{pattern.name}")

    walk(get_resolver(), "")
    return names


def test_every_grants_url_is_listed(db):
    from django.urls import resolve

    listed = {resolve(url).view_name for url in grants_urls()}
    assert grants_url_names() - listed == set()


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
    user = coordinator()
    urls = grants_urls(exporter=user)
    verified_login(client, user)
    for url in urls:
        posted_only = ("/transitions/", "/reviewers/", "/decide/", "/start/", "/mark-paid/")
        posted_only += ("/decisions/", "/costs/", "/download/", "/run/", "/export/")
        if "/delete/" in url or any(part in url for part in posted_only):
            continue
        assert client.get(url).status_code == 200, url
