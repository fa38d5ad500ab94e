"""Selectors that lists use to stay fast: the same answers as the models' own properties."""

from decimal import Decimal

import pytest

from projects.models import JointProject
from projects.selectors import project_figures, with_partners
from tests.factories import (
    BudgetLineFactory,
    CentreFactory,
    JointProjectFactory,
    PartnershipFactory,
)
from workflow.states import PartnershipState

pytestmark = pytest.mark.django_db


def varied_projects():
    """Projects whose figures differ in every way the properties handle: several budget lines,
    partners not confirmed (not counted), an own contribution above the cost (no negative
    grant), a partner with no budget, a project with no budget at all, and shared countries."""
    rich = JointProjectFactory(lead_centre=CentreFactory(country="FR"))
    lead = rich.partnerships.get()
    lead.own_contribution = Decimal("1500.00")
    lead.save()
    BudgetLineFactory(partnership=lead, amount=Decimal("10000.00"))
    BudgetLineFactory(partnership=lead, amount=Decimal("2500.55"))
    generous = PartnershipFactory(
        project=rich, centre=CentreFactory(country="BE"), own_contribution=Decimal("9000.00")
    )
    BudgetLineFactory(partnership=generous, amount=Decimal("3000.00"))
    PartnershipFactory(project=rich, centre=CentreFactory(country="FR"))  # no budget
    invited = PartnershipFactory(
        project=rich, centre=CentreFactory(country="HR"), state=PartnershipState.INVITED
    )
    BudgetLineFactory(partnership=invited, amount=Decimal("99999.00"))
    empty = JointProjectFactory()
    lonely = JointProjectFactory(with_lead=False)
    return [rich, empty, lonely]


def test_project_figures_equal_the_models_properties():
    projects = varied_projects()
    ids = [project.pk for project in projects]
    expected = {
        project.pk: (
            project.countries,
            project.total_cost,
            project.requested_grant,
            project.cofinancing_rate,
            len(project.confirmed_partnerships()),
        )
        for project in with_partners(JointProject.objects.filter(pk__in=ids))
    }
    assert expected[projects[0].pk] == (
        ["BE", "FR"],
        Decimal("15500.55"),
        Decimal("11000.55"),
        Decimal("0.7097"),
        3,
    )
    for project in project_figures(JointProject.objects.filter(pk__in=ids)):
        figures = project.figures
        assert (
            figures.countries,
            figures.total_cost,
            figures.requested_grant,
            figures.cofinancing_rate,
            figures.partners,
        ) == expected[project.pk]


def test_project_figures_run_one_query(django_assert_num_queries):
    projects = list(JointProject.objects.filter(pk__in=[p.pk for p in varied_projects()]))
    with django_assert_num_queries(1):
        project_figures(projects)


def test_the_api_list_shows_the_same_figures_as_the_detail(cast):
    from rest_framework.test import APIClient

    projects = varied_projects()
    client = APIClient()
    client.force_authenticate(cast.coordinator)
    rows = {row["id"]: row for row in client.get("/api/v1/projects/").json()["results"]}
    fields = ["countries", "total_cost", "requested_grant", "cofinancing_rate"]
    for project in projects:
        detail = client.get(f"/api/v1/projects/{project.pk}/").json()
        assert {f: rows[project.pk][f] for f in fields} == {f: detail[f] for f in fields}
    assert rows[projects[0].pk]["total_cost"] == "15500.55"
    assert rows[projects[1].pk]["cofinancing_rate"] is None


def test_count_visible_counts_what_visible_projects_lists(cast):
    from django.contrib.auth.models import AnonymousUser

    from projects.selectors import count_visible, visible_projects
    from tests.factories import MembershipFactory
    from workflow.models import Review
    from workflow.states import ProjectState

    mine = JointProjectFactory(call=cast.call, lead_centre=cast.lead_centre, title="Mine")
    JointProjectFactory(call=cast.call, title="Someone's draft")
    public = JointProjectFactory(call=cast.call, title="Public", lead_centre=cast.lead_centre)
    JointProject.objects.filter(pk=public.pk).update(state=ProjectState.OPEN_FOR_PARTNERS)
    reviewed = JointProjectFactory(call=cast.call, title="Reviewed")
    JointProject.objects.filter(pk=reviewed.pk).update(state=ProjectState.UNDER_REVIEW)
    Review.objects.create(project=reviewed, reviewer=cast.reviewer)
    Review.objects.create(project=mine, reviewer=cast.reviewer)
    # A reviewer who also works for the lead's centre sees "mine" once, not twice.
    MembershipFactory(centre=cast.lead_centre, user=cast.reviewer)

    def titled(projects):
        return projects.filter(title__icontains="i") | projects.filter(acronym__icontains="zz")

    people = [
        AnonymousUser(),
        cast.lead_manager,
        cast.other_manager,
        cast.reviewer,
        cast.reviewer2,
        cast.coordinator,
    ]
    for user in people:
        assert count_visible(user) == visible_projects(user).count(), user
        assert count_visible(user, titled) == titled(visible_projects(user)).count(), user
    assert count_visible(cast.reviewer) == 3  # public, mine, reviewed
