"""Reads for a proposal's partners page: the consortium and the search for partner centres.

Each runs a fixed number of queries whatever the size of the network or of the consortium.
"""

from django.db.models import Prefetch

from projects.models import Centre, Discipline, JointProject, Partnership
from workflow.states import PartnershipState

# The partnerships whose country counts as "in the consortium": those confirmed and those
# still waiting for an answer (a declined or withdrawn centre's country is free again).
ACTIVE_STATES = (PartnershipState.CONFIRMED, *PartnershipState.pending())


def project_with_consortium(pk):
    """The project, its call and lead centre, and every partnership with its centre and the
    mandate's signatory: two queries. None when there is no such project."""
    partnerships = Partnership.objects.select_related("centre", "mandate_signed_by")
    return (
        JointProject.objects.filter(pk=pk)
        .select_related("call", "tier", "lead_centre")
        .prefetch_related(Prefetch("partnerships", queryset=partnerships))
        .first()
    )


def consortium_countries(project):
    """The country codes of the project's confirmed and pending partners (from the prefetch)."""
    return sorted(
        {p.centre.country.code for p in project.partnerships.all() if p.state in ACTIVE_STATES}
    )


def centre_countries():
    """The country codes where at least one centre is: one query."""
    return list(Centre.objects.order_by("country").values_list("country", flat=True).distinct())


def disciplines():
    return list(Discipline.objects.order_by("name"))


def centre_search(*, query="", country="", discipline=None, exclude_countries=()):
    """Centres by name (contains, any case), country, discipline, outside some countries; by
    name. Their disciplines come in one more query when the page is read."""
    centres = Centre.objects.select_related("network").prefetch_related("disciplines")
    if query:
        centres = centres.filter(name__icontains=query)
    if country:
        centres = centres.filter(country=country)
    if discipline:
        centres = centres.filter(disciplines=discipline)
    if exclude_countries:
        centres = centres.exclude(country__in=list(exclude_countries))
    return centres.order_by("name", "pk")


def centres_by_ids(ids, *, exclude=()):
    """The centres of `ids` but those of `exclude`, by name: one query."""
    return list(
        Centre.objects.filter(pk__in=list(ids)).exclude(pk__in=list(exclude)).order_by("name")
    )
