"""Named querysets: every read of the domain goes through here, with its joins decided once."""

from django.db.models import Count
from django.utils import timezone

from projects.models import Call, Centre, Network


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
