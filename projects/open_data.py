"""The funded grants as 360Giving 1.4 records (issue 9, open data): public, decided data only."""

from decimal import Decimal
from itertools import batched

from django.db.models import DecimalField, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from projects.models import JointProject, Payment
from projects.models._fields import ZERO
from projects.selectors import figures_by_project
from workflow.models import TransitionLog
from workflow.states import ProjectState

# Grant and organisation identifiers are `<prefix><our pk>`: 360Giving asks for the publisher's
# registered prefix followed by an internal id, and these must never change once published.
GRANT_ID_PREFIX = "360G-ensemble-"
CENTRE_ID_PREFIX = f"{GRANT_ID_PREFIX}centre-"
NETWORK_ID_PREFIX = f"{GRANT_ID_PREFIX}network-"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
SCHEMA_VERSION = "1.4"
CURRENCY = "EUR"
CHUNK_SIZE = 500

# A grant was decided in favour: rejected, withdrawn and every undecided proposal stay out.
GRANT_STATES = [
    ProjectState.APPROVED,
    ProjectState.IN_PROGRESS,
    ProjectState.REPORTING,
    ProjectState.REPORT_SUBMITTED,
    ProjectState.COMPLETED,
    ProjectState.TERMINATED,
]

CSV_HEADER = [
    "Identifier",
    "Title",
    "Description",
    "Currency",
    "Amount Applied For",
    "Amount Awarded",
    "Amount Disbursed",
    "Award Date",
    "Planned Dates:Start Date",
    "Planned Dates:End Date",
    "Recipient Org:Identifier",
    "Recipient Org:Name",
    "Recipient Org:City",
    "Recipient Org:Country",
    "Beneficiary Location:Country Code",
    "Funding Org:Identifier",
    "Funding Org:Name",
    "Grant Programme:Code",
    "Grant Programme:Title",
    "Last Modified",
]


def _paid_sum(condition):
    money = DecimalField(max_digits=14, decimal_places=2)
    rows = (
        Payment.objects.filter(condition, project=OuterRef("pk"), paid_at__isnull=False)
        .order_by()
        .values("project")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=money), Value(ZERO), output_field=money)


def _grants_queryset():
    approvals = TransitionLog.objects.filter(project=OuterRef("pk"), transition="approve").order_by(
        "-at", "-id"
    )
    changes = TransitionLog.objects.filter(project=OuterRef("pk")).order_by("-at", "-id")
    return (
        JointProject.objects.filter(state__in=GRANT_STATES, awarded_amount__isnull=False)
        .select_related("call__network", "lead_centre")
        .annotate(
            award_at=Subquery(approvals.values("at")[:1]),
            last_transition_at=Subquery(changes.values("at")[:1]),
            # Money that actually reached the partners: paid instalments minus the recoveries
            # they paid back. Scheduled but unpaid payments are promises, not disbursements.
            paid_out=_paid_sum(~Q(kind="recovery")),
            paid_back=_paid_sum(Q(kind="recovery")),
        )
        .order_by("pk")
    )


def approved_grants():
    """Every funded grant, oldest first, with its figures (`figures`), award date (`award_at`),
    last change (`modified_at`) and disbursed amount (`disbursed`). The call, network and lead
    centre come in the main query and the figures in one more query per chunk of 500, so the
    count of queries does not grow with the grants and the memory stays flat."""
    rows = _grants_queryset().iterator(chunk_size=CHUNK_SIZE)
    for chunk in batched(rows, CHUNK_SIZE):
        figures = figures_by_project([project.pk for project in chunk])
        for project in chunk:
            project.figures = figures[project.pk]
            project.disbursed = project.paid_out - project.paid_back
            project.modified_at = max(
                filter(None, [project.updated_at, project.last_transition_at])
            )
            yield project


def last_modified():
    """When any funded grant last changed (its row or a transition), or None without grants."""
    latest = JointProject.objects.filter(state__in=GRANT_STATES).aggregate(
        row=Max("updated_at"), transition=Max("history__at")
    )
    return max(filter(None, latest.values()), default=None)


def _amount(value):
    # JSON numbers, not strings: cents are exact in a double for any grant we could award.
    return float(value if value is not None else Decimal(0))


def _iso(moment):
    return moment.isoformat().replace("+00:00", "Z")


def grant_record(project):
    """A 360Giving 1.4 grant of a project from approved_grants()."""
    centre, call = project.lead_centre, project.call
    network = call.network
    recipient = {
        "id": f"{CENTRE_ID_PREFIX}{centre.pk}",
        "name": centre.name,
        "addressLocality": centre.city,
        "addressCountry": str(centre.country.name),
    }
    if centre.website:
        recipient["url"] = centre.website
    grant = {
        "id": f"{GRANT_ID_PREFIX}{project.pk}",
        "title": project.title or project.acronym,
        "description": project.summary,
        "currency": CURRENCY,
        "amountAppliedFor": _amount(project.figures.requested_grant),
        "amountAwarded": _amount(project.awarded_amount),
        "amountDisbursed": _amount(project.disbursed),
        "recipientOrganization": [recipient],
        "beneficiaryLocation": [
            {"countryCode": code, "name": _country_name(code)} for code in project.figures.countries
        ],
        "fundingOrganization": [{"id": f"{NETWORK_ID_PREFIX}{network.pk}", "name": network.name}],
        "grantProgramme": [{"code": call.slug, "title": call.title}],
        # Required by the standard: a grant imported without its history (no approve entry
        # in the log) falls back to its last change, the closest date we have.
        "awardDate": _iso(project.award_at or project.modified_at),
        "dateModified": _iso(project.modified_at),
    }
    if project.start_date or project.end_date:
        dates = {}
        if project.start_date:
            dates["startDate"] = project.start_date.isoformat()
        if project.end_date:
            dates["endDate"] = project.end_date.isoformat()
        grant["plannedDates"] = [dates]
    return grant


def _country_name(code):
    from django_countries import countries

    return str(countries.name(code)) or code


def csv_row(grant):
    """The flat row of a grant_record(): partner countries joined with ";"."""
    recipient = grant["recipientOrganization"][0]
    funder = grant["fundingOrganization"][0]
    programme = grant["grantProgramme"][0]
    dates = (grant.get("plannedDates") or [{}])[0]
    return [
        grant["id"],
        grant["title"],
        grant["description"],
        grant["currency"],
        f"{grant['amountAppliedFor']:.2f}",
        f"{grant['amountAwarded']:.2f}",
        f"{grant['amountDisbursed']:.2f}",
        grant["awardDate"],
        dates.get("startDate", ""),
        dates.get("endDate", ""),
        recipient["id"],
        recipient["name"],
        recipient.get("addressLocality", ""),
        recipient.get("addressCountry", ""),
        ";".join(location["countryCode"] for location in grant["beneficiaryLocation"]),
        funder["id"],
        funder["name"],
        programme["code"],
        programme["title"],
        grant["dateModified"],
    ]


__all__ = [
    "CSV_HEADER",
    "GRANT_ID_PREFIX",
    "GRANT_STATES",
    "LICENSE_URL",
    "approved_grants",
    "csv_row",
    "grant_record",
    "last_modified",
]
