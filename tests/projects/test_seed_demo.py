"""seed_demo: the demo of PRODUCT.md §5, idempotent, and multiplied by --scale."""

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.http import HttpRequest
from django.test import override_settings
from django.utils import timezone
from wagtail.models import Site

from cms.models import HomePage
from projects.models import (
    BudgetLine,
    Call,
    CallKind,
    Centre,
    JointProject,
    Membership,
    NetworkKind,
    Partnership,
    Payment,
)
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db

SCALED = [Centre, JointProject, Partnership, BudgetLine, Payment]


def counts():
    return {model.__name__: model.objects.count() for model in SCALED}


def seed(*args):
    # The public pages are tested once, in tests/cms/test_demo_public_site.py (they take long).
    with override_settings(DEBUG=True):
        call_command("seed_demo", "--no-public-pages", *args, verbosity=0)


def test_twice_gives_the_same_counts_and_scale_two_doubles_them():
    seed()
    first = counts()
    users = get_user_model().objects.count()
    seed()
    assert counts() == first
    assert get_user_model().objects.count() == users
    seed("--scale", "2")
    assert counts() == {name: 2 * count for name, count in first.items()}


def test_the_demo_network_matches_the_spec():
    seed()
    assert Centre.objects.exclude(network__kind=NetworkKind.INTERNATIONAL).count() >= 60
    assert Centre.objects.values("country").distinct().count() >= 12
    now = timezone.now()
    open_calls = Call.objects.filter(opens_at__lte=now, deadline__gt=now)
    assert open_calls.filter(kind=CallKind.MOBILITY).exists()
    tiered = open_calls.filter(kind=CallKind.PROJECT, tiers__isnull=False).distinct().get()
    assert tiered.min_reviews == 2
    assert tiered.criteria.count() >= 2
    # Every state exists, each with partners.
    for state in ProjectState:
        project = JointProject.objects.filter(state=state).first()
        assert project is not None, state
        assert project.partnerships.count() >= 2, state
    # Real names, not "Centre 1".
    assert Centre.objects.filter(name="Maison de la culture de Lyon", country="FR").exists()
    assert not Centre.objects.filter(name__regex=r"^Centre \\d+$").exists()
    assert Payment.objects.exists()
    # Every project has a timeline that ends in its state.
    assert not JointProject.objects.filter(history__isnull=True).exists()
    for project in JointProject.objects.exclude(state=ProjectState.DRAFT)[:50]:
        assert (
            project.history.filter(content_type__model="jointproject").last().to_state
            == project.state
        )


def test_the_demo_users_projects_went_through_the_services():
    from workflow.models import Review

    seed()
    lead_centre = Membership.objects.get(user__username="lead").centre
    completed = JointProject.objects.get(lead_centre=lead_centre, acronym="CROSS")
    transitions = list(
        completed.history.filter(content_type__model="jointproject").values_list(
            "transition", flat=True
        )
    )
    assert transitions == [
        "create",
        "submit",
        "start_review",
        "approve",
        "start",
        "begin_reporting",
        "submit_report",
        "complete",
    ]
    assert Review.objects.filter(project=completed, state="submitted").count() == 2
    assert completed.payments.count() == 2  # pre-financing and balance
    assert completed.reports.get().state == "accepted"


def test_the_demo_users_and_their_roles():
    seed()
    for username in [
        "admin",
        "coordinator",
        "reviewer",
        "reviewer2",
        "lead",
        "partner",
        "partner2",
        "member",
    ]:
        assert authenticate(HttpRequest(), username=username, password="ensemble-demo"), username
    User = get_user_model()
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="coordinator").groups.filter(name="Coordinators").exists()
    for name in ("reviewer", "reviewer2"):
        reviewer = User.objects.get(username=name)
        assert reviewer.groups.filter(name="Reviewers").exists()
        assert not reviewer.memberships.exists()
    expected = {
        "lead": ("FR", "manager"),
        "partner": ("BE", "manager"),
        "partner2": ("HR", "manager"),
    }
    for username, (country, role) in expected.items():
        membership = Membership.objects.get(user__username=username)
        assert (membership.centre.country.code, membership.role) == (country, role)
    member = Membership.objects.get(user__username="member")
    assert member.role == "staff"
    assert member.centre == Membership.objects.get(user__username="lead").centre
    # The lead's centre leads a project in every state.
    led = set(
        JointProject.objects.filter(lead_centre=member.centre).values_list("state", flat=True)
    )
    assert led == set(ProjectState)


def test_the_public_site_tree_is_created_in_both_languages():
    seed()
    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    assert {page.locale.language_code for page in HomePage.objects.all()} == {"en", "fr"}


def test_demo_passwords_are_refused_when_debug_is_off():
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", verbosity=0)
    assert not get_user_model().objects.filter(username="lead").exists()
    with override_settings(DEBUG=False):
        call_command("seed_demo", "--force", verbosity=0)
    assert get_user_model().objects.filter(username="lead").exists()


def test_a_bad_scale_is_refused():
    with pytest.raises(CommandError, match="at least 1"):
        seed("--scale", "0")
    assert not Centre.objects.exists()
