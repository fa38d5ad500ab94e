"""A user's roles (groups and memberships) are read in one query and cached on the user."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group

from tests.factories import CentreFactory, MembershipFactory, UserFactory, coordinator, reviewer
from workflow.permissions import ANONYMOUS, Roles, roles_of

pytestmark = pytest.mark.django_db


def test_groups_and_memberships_in_one_query_then_none(django_assert_num_queries):
    user = coordinator(username="both")
    user.groups.add(
        Group.objects.get_or_create(name="Reviewers")[0],
        Group.objects.get_or_create(name="Editors")[0],
    )
    first, second = CentreFactory(), CentreFactory()
    MembershipFactory(user=user, centre=first, role="manager")
    MembershipFactory(user=user, centre=second, role="staff")
    # Three groups × two memberships: the joined rows repeat, the roles do not.
    with django_assert_num_queries(1):
        roles = roles_of(user)
    assert roles == Roles(
        user_id=user.pk,
        is_coordinator=True,
        is_reviewer=True,
        centres={first.pk: "manager", second.pk: "staff"},
    )
    with django_assert_num_queries(0):
        assert roles_of(user) is roles


def test_memberships_without_groups():
    user = UserFactory()
    centre = CentreFactory()
    MembershipFactory(user=user, centre=centre, role="staff")
    assert roles_of(user) == Roles(user_id=user.pk, centres={centre.pk: "staff"})


def test_a_group_without_memberships_and_another_group():
    user = reviewer()
    user.groups.add(Group.objects.get_or_create(name="Editors")[0])
    assert roles_of(user) == Roles(user_id=user.pk, is_reviewer=True)


def test_neither_groups_nor_memberships():
    user = UserFactory()
    assert roles_of(user) == Roles(user_id=user.pk)


def test_superuser_is_coordinator_without_the_group():
    user = UserFactory(is_superuser=True)
    assert roles_of(user) == Roles(user_id=user.pk, is_coordinator=True)


def test_anonymous_costs_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert roles_of(AnonymousUser()) is ANONYMOUS
        assert roles_of(None) is ANONYMOUS
