"""Reads of the public site's calls, home, insights, news and resource pages.

Each function runs a fixed number of queries whatever the data size: the figures are
aggregated in SQL (or, for the partners' shares kept as JSON on the project pages, summed from
one query), and page addresses are built from one query of slugs instead of one per page."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.images import get_image_model

from cms.models import CallPage, ProjectIndexPage, ProjectPage, ProjectPageFacet
from projects.models import Call

PAST_CALLS_PER_PAGE = 10
NEWS_PER_PAGE = 10
FEATURED_PROJECTS = 3
# The featured projects are the most recently funded, those with a hero image first: among
# this many of the newest, so that an old project with a picture never pushes a new one out.
FEATURED_CANDIDATES = 9
FEATURED_RENDITION = "fill-640x360"
# The call page lists this many of its funded projects and links to the showcase for the rest.
CALL_PROJECTS_SHOWN = 24

ZERO = Decimal("0.00")


class CallStatus:
    OPEN = "open"
    UPCOMING = "upcoming"
    CLOSED = "closed"

    LABELS = {OPEN: _("Open"), UPCOMING: _("Upcoming"), CLOSED: _("Closed")}


def call_status(call, at):
    """Open from its opening until (not including) its deadline."""
    if call.opens_at > at:
        return CallStatus.UPCOMING
    if call.deadline <= at:
        return CallStatus.CLOSED
    return CallStatus.OPEN


@dataclass
class CallCard:
    call: Call
    status: str
    url: str | None  # None while the call has no page in this language

    @property
    def status_label(self):
        return CallStatus.LABELS[self.status]


@dataclass
class CallSections:
    open: list
    upcoming: list
    past: object  # a django.core.paginator.Page of CallCard


def call_sections(index, request, *, page_number=None, at=None):
    """The calls of the calls index `index` in three sections: open (closing soonest first),
    upcoming (opening soonest first) and past (newest deadline first, paginated). Four
    queries: the current calls, the past calls' count and page, the call pages' slugs."""
    at = at or timezone.now()
    calls = Call.objects.select_related("network")
    current = list(calls.filter(deadline__gt=at).order_by("opens_at", "deadline", "pk"))
    past = Paginator(
        calls.filter(deadline__lte=at).order_by("-deadline", "-pk"), PAST_CALLS_PER_PAGE
    ).get_page(page_number)
    urls = call_page_urls(index, request, [*current, *past.object_list])
    opened = [c for c in current if call_status(c, at) == CallStatus.OPEN]
    upcoming = [c for c in current if call_status(c, at) == CallStatus.UPCOMING]
    opened.sort(key=lambda c: (c.deadline, c.pk))
    past.object_list = [CallCard(c, CallStatus.CLOSED, urls.get(c.pk)) for c in past.object_list]
    return CallSections(
        open=[CallCard(c, CallStatus.OPEN, urls.get(c.pk)) for c in opened],
        upcoming=[CallCard(c, CallStatus.UPCOMING, urls.get(c.pk)) for c in upcoming],
        past=past,
    )


def call_page_urls(index, request, calls):
    """{call id: address of its live page under `index`}, in one query."""
    base = index.get_url(request)
    rows = (
        CallPage.objects.child_of(index)
        .live()
        .filter(call_id__in=[c.pk for c in calls])
        .values_list("call_id", "slug")
    )
    return {call_id: f"{base}{slug}/" for call_id, slug in rows}


@dataclass
class RulesRow:
    """The rules of the call, or of one of its tiers (`name`)."""

    name: str | None
    min_partners: int
    min_countries: int
    max_grant: Decimal
    max_cofinancing_percent: Decimal
    max_duration_months: int


def _rules_row(call, tier=None):
    rules = call.rules(tier)
    return RulesRow(
        name=tier.name if tier else None,
        min_partners=rules.min_partners,
        min_countries=rules.min_countries,
        max_grant=rules.max_grant,
        max_cofinancing_percent=rules.max_cofinancing_rate * 100,
        max_duration_months=rules.max_duration_months,
    )


@dataclass
class CallDetail:
    call: Call
    status: str
    prefinancing_percent: Decimal
    rules: list  # [RulesRow]: the tiers', or the call's own when it has none
    criteria: list
    projects: list  # [ProjectPage] with a `url`
    more_projects: int  # funded projects not listed (see the showcase)
    showcase_url: str | None

    @property
    def status_label(self):
        return CallStatus.LABELS[self.status]


def call_detail(page, request, *, at=None):
    """The live record of a call page's call, its rules and the funded projects shown in the
    page's language, or None when the call was deleted. Six queries."""
    call = (
        Call.objects.select_related("network")
        .prefetch_related("tiers", "criteria")
        .filter(pk=page.call_id)
        .first()
    )
    if call is None:
        return None
    tiers = list(call.tiers.all())
    pages = (
        ProjectPage.objects.live()
        .filter(locale_id=page.locale_id, project__call_id=call.pk)
        .order_by("-funded_on", "-pk")
    )
    projects = list(pages[: CALL_PROJECTS_SHOWN + 1])
    more = 0
    if len(projects) > CALL_PROJECTS_SHOWN:
        more = pages.count() - CALL_PROJECTS_SHOWN
        projects = projects[:CALL_PROJECTS_SHOWN]
    for project in projects:
        _card_fields(project, request)
    # The showcase is linked only for the projects not listed here.
    showcase = more and ProjectIndexPage.objects.live().filter(locale_id=page.locale_id).first()
    return CallDetail(
        call=call,
        status=call_status(call, at or timezone.now()),
        prefinancing_percent=call.prefinancing_rate * 100,
        rules=[_rules_row(call, tier) for tier in tiers] if tiers else [_rules_row(call)],
        criteria=list(call.criteria.all()),
        projects=projects,
        more_projects=more,
        showcase_url=showcase.get_url(request) if showcase else None,
    )


def featured_projects(locale_id, request):
    """The home page's projects: the most recently funded live pages of the locale, those
    with a hero image first (see FEATURED_CANDIDATES), with the image's rendition prefetched."""
    images = get_image_model().objects.prefetch_renditions(FEATURED_RENDITION)
    candidates = list(
        ProjectPage.objects.live()
        .filter(locale_id=locale_id)
        .order_by("-funded_on", "-pk")
        .prefetch_related(Prefetch("hero_image", queryset=images))[:FEATURED_CANDIDATES]
    )
    ranked = sorted(
        enumerate(candidates), key=lambda pair: (pair[1].hero_image_id is None, pair[0])
    )
    featured = [page for _position, page in ranked[:FEATURED_PROJECTS]]
    for page in featured:
        _card_fields(page, request)
    return featured


def _card_fields(page, request):
    """A project card's address and country names (in the page's language, from its synced
    partners), without a query per card."""
    page.public_url = page.get_url(request)
    page.country_names = sorted({p.get("country_name") or p["country"] for p in page.partners})


def funded_totals(locale_id):
    """{"projects", "granted"}: the live project pages of the locale and their grants."""
    totals = (
        ProjectPage.objects.live()
        .filter(locale_id=locale_id)
        .aggregate(projects=Count("pk"), granted=Sum("grant_amount", default=ZERO))
    )
    return totals


def section_urls(home, request, models):
    """{model: address} of the home page's live sections of these types, in one query."""
    types = {ContentType.objects.get_for_model(model).pk: model for model in models}
    sections = home.get_children().live().filter(content_type_id__in=types).order_by("path")
    urls = {}
    for section in sections:
        urls.setdefault(types[section.content_type_id], section.get_url(request))
    return urls


@dataclass
class FigureRow:
    """A row of an insights table: a year, a country or a theme."""

    value: str
    label: str
    projects: int = 0
    granted: Decimal = ZERO


@dataclass
class Insights:
    projects: int = 0
    granted: Decimal = ZERO
    centres: int = 0
    countries: int = 0
    average_partners: Decimal | None = None
    by_year: list = field(default_factory=list)
    by_country: list = field(default_factory=list)
    by_theme: list = field(default_factory=list)


def network_insights(locale_id):
    """The network's headline figures from the live project pages of the locale (every funded
    project and those ended early), in three queries: the totals; the projects and grants per
    year, country and theme from the facet rows (their labels already in the page's language);
    the partners (centres, countries, shares of the grant) from the pages' synced list.

    By country, `granted` is the sum of the shares of that country's partners; by year and
    theme, the whole grants of the projects."""
    pages = ProjectPage.objects.live().filter(locale_id=locale_id)
    totals = funded_totals(locale_id)
    insights = Insights(projects=totals["projects"], granted=totals["granted"])
    rows = (
        ProjectPageFacet.objects.filter(
            page__in=pages.values("pk"), facet__in=("year", "country", "theme")
        )
        .values("facet", "value", "label")
        .annotate(projects=Count("page_id"), granted=Sum("page__grant_amount", default=ZERO))
        .order_by()
    )
    tables = {"year": {}, "country": {}, "theme": {}}
    for row in rows:
        # A value's label is the same on every page of a locale; the first one is kept.
        table = tables[row["facet"]]
        figure = table.setdefault(row["value"], FigureRow(row["value"], row["label"]))
        figure.projects += row["projects"]
        figure.granted += row["granted"]
    centres, partner_count, shares = set(), 0, defaultdict(lambda: ZERO)
    for partners in pages.values_list("partners", flat=True):
        partner_count += len(partners)
        for partner in partners:
            centres.add(partner.get("centre_id"))
            shares[partner.get("country")] += Decimal(partner.get("share") or "0")
    for code, figure in tables["country"].items():
        figure.granted = shares.get(code, ZERO)
    insights.centres = len(centres)
    insights.countries = len(shares)
    if insights.projects:
        insights.average_partners = Decimal(partner_count) / insights.projects
    insights.by_year = sorted(tables["year"].values(), key=lambda f: f.value, reverse=True)
    insights.by_country = sorted(
        tables["country"].values(), key=lambda f: (-f.projects, -f.granted, f.label)
    )
    insights.by_theme = sorted(tables["theme"].values(), key=lambda f: (-f.projects, f.label))
    return insights


def news_items(index, page_number=None):
    """The live news of a news index, newest first, a page of NEWS_PER_PAGE (a bad page number
    shows the first or last page)."""
    from cms.models import NewsPage

    news = NewsPage.objects.child_of(index).live().order_by("-date", "-first_published_at", "-pk")
    return Paginator(news, NEWS_PER_PAGE).get_page(page_number)


def child_standard_pages(parent):
    from cms.models import StandardPage

    return StandardPage.objects.child_of(parent).live().order_by("path")
