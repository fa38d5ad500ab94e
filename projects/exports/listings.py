"""The exportable listings: the rows each filter set selects and their columns.

Money is exported as numbers (Decimal, two places) and rates as fractions, so a spreadsheet
sums them and they read back equal to the JSON API's decimal strings.
"""

from django.db.models import Count, Prefetch, Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from projects import selectors
from projects.admin.filters import filtered_proposals
from projects.exports import Column, Listing
from projects.models import Call, Network, Partnership
from workflow.models import ProposalScore
from workflow.selectors import call_ranking
from workflow.states import ProjectState


def _call_of(params):
    """The call a listing is filtered on, if any (a bad id is no call)."""
    try:
        pk = int(params.get("call", ""))
    except ValueError:
        return None
    return Call.objects.filter(pk=pk).first()


# Proposals -----------------------------------------------------------------------------------


def proposal_rows(params):
    return filtered_proposals(params).select_related("call", "tier", "lead_centre")


def prepare_proposals(batch):
    """Figures, every partner's country, themes and the mean score of a batch: four queries."""
    from projects.models import JointProject

    projects = selectors.project_figures(batch)
    ids = [project.pk for project in projects]
    countries = {pk: set() for pk in ids}
    for project_id, country in Partnership.objects.filter(project_id__in=ids).values_list(
        "project_id", "centre__country"
    ):
        countries[project_id].add(country)
    themes = {pk: [] for pk in ids}
    through = JointProject.themes.through.objects.filter(jointproject_id__in=ids)
    for project_id, name in through.values_list("jointproject_id", "theme__name"):
        themes[project_id].append(name)
    scores = dict(
        ProposalScore.objects.filter(project_id__in=ids).values_list("project_id", "mean_score")
    )
    for project in projects:
        project.export_countries = ", ".join(sorted(countries[project.pk]))
        project.export_themes = ", ".join(sorted(themes[project.pk]))
        project.export_score = scores.get(project.pk)
    return projects


def proposal_columns(params):
    columns = [
        Column(_("ID"), lambda p: p.pk),
        Column(_("Acronym"), lambda p: p.acronym),
        Column(_("Title"), lambda p: p.title),
        Column(_("Call"), lambda p: p.call.title),
        Column(_("Tier"), lambda p: p.tier.name if p.tier_id else ""),
        Column(_("State"), lambda p: p.get_state_display()),
        Column(_("Lead centre"), lambda p: p.lead_centre.name),
        Column(_("Lead country"), lambda p: p.lead_centre.country.code),
        Column(_("Partner countries"), lambda p: p.export_countries),
        Column(_("Confirmed partners"), lambda p: p.figures.partners),
        Column(_("Themes"), lambda p: p.export_themes),
        Column(_("Planned start"), lambda p: p.start_date),
        Column(_("Planned end"), lambda p: p.end_date),
        Column(_("Total eligible cost (EUR)"), lambda p: p.figures.total_cost),
        Column(_("Requested grant (EUR)"), lambda p: p.figures.requested_grant),
        Column(_("Co-financing rate"), lambda p: p.figures.cofinancing_rate),
        Column(_("Mean weighted score"), lambda p: p.export_score),
        Column(_("Awarded amount (EUR)"), lambda p: p.awarded_amount),
        Column(_("Final grant (EUR)"), lambda p: p.final_grant),
        Column(_("Created"), lambda p: p.created_at),
    ]
    call = _call_of(params)
    if call is not None and call.questions:
        from projects import questions

        headers = questions.answers_export_columns(call)
        columns += [
            Column(header, lambda p, index=index: p.export_answers[index])
            for index, header in enumerate(headers)
        ]
    return columns


def proposal_rows_with_answers(params):
    call = _call_of(params)
    rows = proposal_rows(params)
    if call is not None and call.questions:
        rows = rows.prefetch_related("answers")
    return rows


def prepare_proposals_with_answers(batch):
    projects = prepare_proposals(batch)
    if projects and projects[0].call.questions:
        from projects import questions

        for project in projects:
            project.export_answers = questions.answers_export_values(project, project.call)
    return projects


# A call's ranking ---------------------------------------------------------------------------


def ranking_rows(params):
    call = _call_of(params)
    if call is None:
        return []
    states = dict(ProjectState.choices)
    return [
        {**row, "state_label": states.get(row["state"], row["state"])} for row in call_ranking(call)
    ]


def ranking_problem(params):
    return None if _call_of(params) else _("Choose the call whose ranking to export.")


RANKING_COLUMNS = [
    Column(_("Rank"), lambda r: r["rank"]),
    Column(_("Proposal ID"), lambda r: r["project"]),
    Column(_("Acronym"), lambda r: r["acronym"]),
    Column(_("Title"), lambda r: r["title"]),
    Column(_("State"), lambda r: r["state_label"]),
    Column(_("Submitted reviews"), lambda r: r["reviews"]),
    Column(_("Mean weighted score"), lambda r: r["mean_score"]),
    Column(_("Above the thresholds"), lambda r: r["above_threshold"]),
    Column(_("Requested grant (EUR)"), lambda r: r["requested_grant"]),
    Column(_("Cumulative requested (EUR)"), lambda r: r["cumulative_requested"]),
    Column(_("Within the budget"), lambda r: r["within_budget"]),
    Column(_("Awarded amount (EUR)"), lambda r: r["awarded_amount"]),
]


# Agreements and payments; the reports' queue --------------------------------------------------


def funded_rows(params):
    from projects.admin.payments.listing import funded_projects

    return funded_projects(params)


def _payment(kind, part):
    def value(project):
        for payment in project.payments.all():  # prefetched with the page
            if payment.kind == kind:
                return {"amount": payment.amount, "due": payment.due_date, "paid": payment.paid_at}[
                    part
                ]
        return None

    return value


FUNDED_COLUMNS = [
    Column(_("ID"), lambda p: p.pk),
    Column(_("Acronym"), lambda p: p.acronym),
    Column(_("Title"), lambda p: p.title),
    Column(_("Call"), lambda p: p.call.title),
    Column(_("Lead centre"), lambda p: p.lead_centre.name),
    Column(_("State"), lambda p: p.get_state_display()),
    Column(_("Confirmed partners"), lambda p: p.partners_count),
    Column(_("Grant agreements accepted"), lambda p: p.accepted_count),
    Column(_("Awarded amount (EUR)"), lambda p: p.awarded_amount),
    Column(_("Final grant (EUR)"), lambda p: p.final_grant),
    *(
        Column(header, _payment(kind, part))
        for kind, name in (
            ("prefinancing", _("Pre-financing")),
            ("balance", _("Balance")),
            ("recovery", _("Recovery")),
        )
        for part, header in (
            ("amount", format_lazy("{} (EUR)", name)),
            ("due", format_lazy("{}: {}", name, _("due"))),
            ("paid", format_lazy("{}: {}", name, _("paid at"))),
        )
    ),
]


def report_rows(params):
    from projects.admin.reports.queue import report_queue

    return report_queue(params)


def _report_due(report):
    from projects.admin.reports.queue import report_due

    return report_due(report)


REPORT_COLUMNS = [
    Column(_("ID"), lambda r: r.pk),
    Column(_("Project"), lambda r: str(r.project)),
    Column(_("Call"), lambda r: r.project.call.title),
    Column(_("Lead centre"), lambda r: r.project.lead_centre.name),
    Column(_("Kind"), lambda r: r.get_kind_display()),
    Column(_("State"), lambda r: r.get_state_display()),
    Column(_("Submitted"), lambda r: r.submitted_at),
    Column(_("Accepted or returned"), lambda r: r.decided_at),
    Column(_("Due"), lambda r: (_report_due(r) or {}).get("date")),
    Column(_("Overdue"), lambda r: bool((_report_due(r) or {}).get("late"))),
]


# Records listed by Wagtail's generic viewsets (centres, networks) ----------------------------


def filtered_records(queryset, params, *, filter_fields, search_fields):
    """The rows a generic viewset's listing shows for `params`: its list_filter fields as a
    filter set, and its ORM search (every search field, case-insensitive)."""
    filterset_class = type(
        "ExportFilterSet",
        (WagtailFilterSet,),
        {"Meta": type("Meta", (), {"model": queryset.model, "fields": filter_fields})},
    )
    filters = filterset_class(data=params, queryset=queryset)
    if filters.is_valid():
        queryset = filters.qs
    if query := (params.get("q") or "").strip():
        condition = Q()
        for name in search_fields:
            condition |= Q(**{f"{name}__icontains": query})
        queryset = queryset.filter(condition)
    return queryset


def centre_rows(params):
    from projects.admin.centres import CentreViewSet

    return filtered_records(
        selectors.centres_for_admin().prefetch_related(Prefetch("disciplines")).order_by("name"),
        params,
        filter_fields=CentreViewSet.list_filter,
        search_fields=CentreViewSet.search_fields,
    )


def network_rows(params):
    from projects.admin.networks import NetworkViewSet

    return filtered_records(
        Network.objects.annotate(centre_count=Count("centres")).order_by("name"),
        params,
        filter_fields=NetworkViewSet.list_filter,
        search_fields=NetworkViewSet.search_fields,
    )


def call_rows(params):
    from projects.admin.calls import CallFilterSet, CallViewSet
    from projects.call_selectors import calls_for_admin_listing

    filters = CallFilterSet(data=params, queryset=calls_for_admin_listing().order_by("-deadline"))
    calls = filters.qs if filters.is_valid() else calls_for_admin_listing()
    return filtered_records(
        calls, params, filter_fields=[], search_fields=CallViewSet.search_fields
    )


def call_status_label(call):
    from projects.call_selectors import call_status

    return call_status(call).label


CALL_COLUMNS = [
    Column(_("ID"), lambda c: c.pk),
    Column(_("Title"), lambda c: c.title),
    Column(_("Network"), lambda c: c.network.name),
    Column(_("Kind"), lambda c: c.get_kind_display()),
    Column(_("Status"), call_status_label),
    Column(_("Opens"), lambda c: c.opens_at),
    Column(_("Deadline"), lambda c: c.deadline),
    Column(_("Budget (EUR)"), lambda c: c.budget),
    Column(_("Committed (EUR)"), lambda c: c.committed),
    Column(_("Proposals"), lambda c: c.proposal_count),
    Column(_("Minimum partners"), lambda c: c.min_partners),
    Column(_("Minimum countries"), lambda c: c.min_countries),
    Column(_("Maximum grant (EUR)"), lambda c: c.max_grant),
    Column(_("Maximum co-financing rate"), lambda c: c.max_cofinancing_rate),
    Column(_("Minimum reviews"), lambda c: c.min_reviews),
]


NETWORK_COLUMNS = [
    Column(_("ID"), lambda n: n.pk),
    Column(_("Name"), lambda n: n.name),
    Column(_("Kind"), lambda n: n.get_kind_display()),
    Column(_("Country"), lambda n: n.country.code),
    Column(_("Centres"), lambda n: n.centre_count),
    Column(_("Website"), lambda n: n.website),
]


CENTRE_COLUMNS = [
    Column(_("ID"), lambda c: c.pk),
    Column(_("Name"), lambda c: c.name),
    Column(_("City"), lambda c: c.city),
    Column(_("Country"), lambda c: c.country.code),
    Column(_("Network"), lambda c: c.network.name),
    Column(_("Membership"), lambda c: c.get_membership_kind_display()),
    Column(_("Quality label"), lambda c: c.has_label),
    Column(_("Disciplines"), lambda c: ", ".join(d.name for d in c.disciplines.all())),
    Column(_("Members"), lambda c: c.member_count),
    Column(_("Website"), lambda c: c.website),
    Column(_("Latitude"), lambda c: c.latitude),
    Column(_("Longitude"), lambda c: c.longitude),
]


LISTINGS = {
    listing.name: listing
    for listing in (
        Listing(
            name="proposals",
            title=_("Proposals"),
            rows=proposal_rows_with_answers,
            columns=proposal_columns,
            prepare=prepare_proposals_with_answers,
        ),
        Listing(
            name="ranking",
            title=_("Ranking"),
            rows=ranking_rows,
            columns=lambda params: RANKING_COLUMNS,
            problem=ranking_problem,
        ),
        Listing(
            name="centres", title=_("Centres"), rows=centre_rows, columns=lambda p: CENTRE_COLUMNS
        ),
        Listing(
            name="payments",
            title=_("Agreements and payments"),
            rows=funded_rows,
            columns=lambda p: FUNDED_COLUMNS,
        ),
        Listing(
            name="reports", title=_("Reports"), rows=report_rows, columns=lambda p: REPORT_COLUMNS
        ),
        Listing(name="calls", title=_("Calls"), rows=call_rows, columns=lambda p: CALL_COLUMNS),
        Listing(
            name="networks",
            title=_("Networks"),
            rows=network_rows,
            columns=lambda p: NETWORK_COLUMNS,
        ),
    )
}
