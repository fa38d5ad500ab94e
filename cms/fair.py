"""The Project Fair's reads: the proposals open for partners, the filters' choices, and what a
signed-in visitor may do on each proposal ("ask to join" for one of the centres they manage).

Every function runs a fixed number of queries whatever the number of proposals, centres or
partnerships: the listing is one count, one page and three prefetches; the filters' choices
one query; a signed-in visitor's centres one more.
"""

from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import CharField, DateTimeField, Exists, F, OuterRef, Prefetch, Value
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django_countries.fields import Country

from cms.navigation import _cached
from projects.models import (
    Call,
    Centre,
    Discipline,
    JointProject,
    Membership,
    MembershipRole,
    Partnership,
    Theme,
)
from workflow.states import PartnershipState, ProjectState

PAGE_SIZE = 12


# --- Filters ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FairFilters:
    """The visitor's choices, each already checked against the offered values ("" = any).

    `country` means "my country is not in the proposal yet": a centre looks for proposals that
    still lack the country it would bring, so the filter keeps the proposals without a
    confirmed partner (the lead included) from that country."""

    country: str = ""
    discipline: str = ""  # a Discipline slug: the lead centre works in it
    theme: str = ""  # a Theme slug: the proposal is about it
    call: str = ""  # a Call slug

    @property
    def active(self):
        return any((self.country, self.discipline, self.theme, self.call))

    def as_params(self):
        """The non-empty filters, for links that keep them (pagination)."""
        return {name: value for name, value in vars(self).items() if value}


def _choice_rows(queryset, *, kind, value, name, name_fr=None, deadline=None):
    """One part of filter_choices' UNION: every part has the same five columns, in this order
    (annotations keep their order; a model field in values_list would not) and of the same
    types (an untyped NULL would be text on PostgreSQL)."""
    columns = {
        "choice_kind": Value(kind, output_field=CharField()),
        "choice_value": value,
        "choice_name": name,
        "choice_name_fr": name_fr or Value("", output_field=CharField()),
        "choice_deadline": deadline or Cast(Value(None), DateTimeField()),
    }
    return queryset.order_by().annotate(**columns).values_list(*columns)


def filter_choices(at=None):
    """The values each filter offers, as [(value, label)] in the active language: the countries
    where a centre is, every discipline and theme, the calls still open (soonest deadline
    first). One query: the four lists are read as one UNION, as the page already costs Wagtail's
    routing plus the listing's five."""
    at = at or timezone.now()
    rows = (
        _choice_rows(Centre.objects, kind="country", value=F("country"), name=F("country"))
        .union(
            _choice_rows(
                Discipline.objects,
                kind="discipline",
                value=F("slug"),
                name=F("name"),
                name_fr=F("name_fr"),
            ),
            _choice_rows(
                Theme.objects, kind="theme", value=F("slug"), name=F("name"), name_fr=F("name_fr")
            ),
            _choice_rows(
                Call.objects.filter(deadline__gt=at),
                kind="call",
                value=F("slug"),
                name=F("title"),
                deadline=F("deadline"),
            ),
        )
        .order_by()  # sorted below, by label in the active language
    )
    lists = {"country": [], "discipline": [], "theme": [], "call": []}
    for kind, value, name, name_fr, deadline in rows:
        if kind == "country":
            label = Country(value).name
        elif kind == "call":
            label = name
        else:  # the vocabularies' own choice of language (BilingualNameMixin.label)
            label = Discipline(name=name, name_fr=name_fr).label
        lists[kind].append((deadline, label, value))
    return {
        "countries": [(value, label) for _, label, value in sorted(lists["country"])],
        "disciplines": [(value, label) for _, label, value in sorted(lists["discipline"])],
        "themes": [(value, label) for _, label, value in sorted(lists["theme"])],
        "calls": [(value, label) for _, label, value in sorted(lists["call"])],
    }


def parse_filters(params, choices):
    """The filters from the query string; a value that is not offered is ignored (an old link,
    a typo), never an error."""

    def pick(name, offered, normalize=str):
        value = normalize((params.get(name) or "").strip())
        return value if value in {v for v, _ in offered} else ""

    return FairFilters(
        country=pick("country", choices["countries"], str.upper),
        discipline=pick("discipline", choices["disciplines"]),
        theme=pick("theme", choices["themes"]),
        call=pick("call", choices["calls"]),
    )


# --- The proposals ------------------------------------------------------------------------------


def open_proposals(filters=None, at=None):
    """Proposals looking for partners under a call whose deadline has not passed, filtered;
    the soonest deadline first, then the newest. Not evaluated: the caller pages it."""
    at = at or timezone.now()
    filters = filters or FairFilters()
    proposals = JointProject.objects.filter(
        state=ProjectState.OPEN_FOR_PARTNERS, call__deadline__gt=at
    )
    if filters.country:
        confirmed_there = Partnership.objects.filter(
            project=OuterRef("pk"),
            state=PartnershipState.CONFIRMED,
            centre__country=filters.country,
        )
        proposals = proposals.filter(~Exists(confirmed_there))
    if filters.discipline:
        proposals = proposals.filter(lead_centre__disciplines__slug=filters.discipline)
    if filters.theme:
        proposals = proposals.filter(themes__slug=filters.theme)
    if filters.call:
        proposals = proposals.filter(call__slug=filters.call)
    return proposals.order_by("call__deadline", "-created_at", "-id")


def with_details(proposals):
    """What a card shows, in three more queries for the whole page: every partnership with
    its centre, the lead first (all states: a pending request also means "already asked"),
    the themes, the lead centre's disciplines."""
    partnerships = Partnership.objects.select_related("centre").order_by("role", "centre__name")
    return proposals.select_related("call", "tier", "lead_centre").prefetch_related(
        Prefetch("partnerships", queryset=partnerships),
        Prefetch("themes", queryset=Theme.objects.order_by("name")),
        Prefetch("lead_centre__disciplines", queryset=Discipline.objects.order_by("name")),
    )


def fair_page(filters, page_number, at=None):
    """The requested page of proposals (12 a page; a bad or too high number gives the first or
    the last page) with their details: two queries plus three prefetches."""
    paginator = Paginator(with_details(open_proposals(filters, at)), PAGE_SIZE)
    return paginator.get_page(page_number)


@dataclass
class Card:
    """One proposal as the Fair shows it."""

    project: JointProject
    lead_centre: Centre
    lead_centre_url: str
    countries_in: list  # [(code, name)] of the confirmed partners, the lead's included
    partners_confirmed: int
    partners_needed: int
    countries_needed: int
    themes: list
    disciplines: list
    join_url: str
    join: "JoinOption | None" = None


def countries_needed(rules, countries_in):
    """How many more countries the proposal's rules (its tier's, or its call's) ask for."""
    return max(rules.min_countries - len(countries_in), 0)


def cards(proposals, *, centres_url=""):
    """The cards of a page of proposals (from with_details: no query)."""
    result = []
    for project in proposals:
        confirmed = [p for p in project.partnerships.all() if p.state == PartnershipState.CONFIRMED]
        codes = {p.centre.country.code for p in confirmed}
        countries_in = sorted(((code, Country(code).name) for code in codes), key=lambda c: c[1])
        rules = project.rules
        lead = project.lead_centre
        result.append(
            Card(
                project=project,
                lead_centre=lead,
                lead_centre_url=f"{centres_url}{lead.slug}/" if centres_url else "",
                countries_in=countries_in,
                partners_confirmed=len(confirmed),
                partners_needed=max(rules.min_partners - len(confirmed), 0),
                countries_needed=countries_needed(rules, countries_in),
                themes=[theme.label for theme in project.themes.all()],
                disciplines=[d.label for d in lead.disciplines.all()],
                join_url=reverse("workspace:project_join", args=[project.pk]),
            )
        )
    return result


def centres_index_url(request, locale_id):
    """The URL of the centre directory in the page's language ("" when it has none), kept
    with the menus: it changes only when pages are published, moved or unpublished, which
    replaces the navigation version."""
    from cms.models import CentreIndexPage

    def compute():
        index = CentreIndexPage.objects.live().filter(locale_id=locale_id).first()
        return (index.get_url(request) or "") if index else ""

    return _cached(f"fair:centres-url:{locale_id}:{request.get_host()}", compute)


# --- Asking to join -----------------------------------------------------------------------------


@dataclass
class JoinOption:
    """What a signed-in visitor may do on one proposal.

    `status`: "choose" (`centres` are the centres they manage that may still ask), "partner"
    (a centre of theirs is in the proposal), "pending" (one of their centres asked or was
    invited and waits for an answer), "refused" (their centres were in it and left or were
    declined: the workspace does not let them ask again), "not_manager" (only a centre's
    managers ask to join)."""

    status: str
    centres: list = field(default_factory=list)


def viewer_centres(user):
    """The centres the signed-in user manages, by name, and the ids of all their centres (staff
    too): one query, their memberships with the centres."""
    memberships = list(
        Membership.objects.filter(user=user).select_related("centre").order_by("centre__name")
    )
    managed = [m.centre for m in memberships if m.role == MembershipRole.MANAGER]
    return managed, {m.centre_id for m in memberships}


def join_option(project, managed, member_of):
    """The visitor's option on one proposal, from its prefetched partnerships (no query).
    None when they belong to no centre (a coordinator, a reviewer): nothing to offer."""
    if not member_of:
        return None
    mine = {p.centre_id: p.state for p in project.partnerships.all() if p.centre_id in member_of}
    eligible = [centre for centre in managed if centre.pk not in mine]
    if eligible:
        return JoinOption("choose", eligible)
    states = set(mine.values())
    if PartnershipState.CONFIRMED in states:
        return JoinOption("partner")
    if states & set(PartnershipState.pending()):
        return JoinOption("pending")
    if states:
        return JoinOption("refused")
    return JoinOption("not_manager")


def add_join_options(page_cards, user):
    """Fill each card's `join` for a signed-in visitor: one query for the whole page."""
    managed, member_of = viewer_centres(user)
    for card in page_cards:
        card.join = join_option(card.project, managed, member_of)
    return page_cards
