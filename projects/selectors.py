"""Named querysets: every read of the domain goes through here, with its joins decided once."""

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from projects.models import Call, Centre, JointProject, Network, Partnership
from workflow.permissions import PUBLIC_STATES, roles_of


def centres_for_admin():
    """The coordinators' centre list: network and member count in the same query."""
    return Centre.objects.select_related("network").annotate(
        member_count=Count("memberships", distinct=True)
    )


def calls_for_admin():
    return Call.objects.select_related("network")


def open_calls(at=None):
    at = at or timezone.now()
    return (
        Call.objects.filter(opens_at__lte=at, deadline__gte=at)
        .select_related("network")
        .order_by("deadline")
    )


def network_figures():
    """Headline figures of the public home page, in one query per table."""
    centres = Centre.objects.aggregate(
        centres=Count("id"), countries=Count("country", distinct=True)
    )
    return {
        **centres,
        "networks": Network.objects.count(),
        "open_calls": open_calls().count(),
    }


def visible_projects(user):
    """The projects a user may see (PRODUCT.md §1): coordinators all; members their centres'
    (any partnership state); reviewers those assigned to them; everyone the public ones."""
    roles = roles_of(user)
    projects = JointProject.objects.all()
    if roles.is_coordinator:
        return projects
    from workflow.models import Review

    visible = Q(state__in=PUBLIC_STATES)
    if roles.centres:
        visible |= Q(
            pk__in=Partnership.objects.filter(centre_id__in=list(roles.centres)).values(
                "project_id"
            )
        )
    if roles.is_reviewer:
        visible |= Q(pk__in=Review.objects.filter(reviewer_id=roles.user_id).values("project_id"))
    return projects.filter(visible)


def with_partners(projects):
    """Everything the derived figures (countries, totals) need, in a fixed number of queries."""
    partnerships = Partnership.objects.select_related("centre").prefetch_related("budget_lines")
    return projects.select_related("call", "tier", "lead_centre").prefetch_related(
        Prefetch("partnerships", queryset=partnerships)
    )


def calls_with_rules():
    return Call.objects.prefetch_related("tiers", "criteria")


def centre_directory(*, country=None, query=None):
    centres = Centre.objects.select_related("network")
    if country:
        centres = centres.filter(country=country.upper())
    if query:
        centres = centres.filter(Q(name__icontains=query) | Q(city__icontains=query))
    return centres
