"""The showcase listing (ProjectIndexPage, /en/projects/, /fr/projets/): facets with counts,
full-text search, pagination, the map of the partner centres, and the Atom feed of newly
funded projects.

The listing reads only the project pages' synced columns and their facet rows
(ProjectPageFacet), in a fixed number of queries whatever the number of projects: one for
every facet count, the count of the matching pages, the ids of the page shown and their cards,
the partner centres listed under the map (counted in SQL, then read) and the centre directory's
address. The map's own data (every partner centre of
the matching projects) come from a separate address, fetched by the map's script."""

import re
from dataclasses import dataclass, field
from datetime import datetime, time
from urllib.parse import urlencode

from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.db.models import Count, F, Max
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cms.maps import map_place, map_places
from cms.models import ProjectPage, ProjectPageFacet, ShowcaseStatus

PAGE_SIZE = 12
FEED_SIZE = 30
# The facets in the order of the page and of the URL parameters (stable, shareable links).
FACETS = ("country", "theme", "call", "year", "status", "countries")
FACET_TITLES = {
    "country": _("Country"),
    "theme": _("Theme"),
    "call": _("Call"),
    "year": _("Year funded"),
    "status": _("Status"),
    "countries": _("Number of countries"),
}
STATUS_ORDER = [choice.value for choice in ShowcaseStatus]
# A search longer than this is not a search: it is cut rather than refused.
MAX_QUERY_LENGTH = 100
SEARCH_PUNCTUATION = re.compile(r"[^\w\s]")
# Facet values are codes and slugs: a longer one cannot exist (and is not worth a query).
MAX_VALUE_LENGTH = 100


# --- the parameters ------------------------------------------------------------------------


@dataclass(frozen=True)
class ShowcaseFilters:
    """The listing's GET parameters, cleaned: one value per facet (the last one given) and the
    search. Values are kept even when unknown, so the page can say that nothing has them."""

    facets: dict = field(default_factory=dict)  # {facet: value}, in FACETS order
    query: str = ""

    @property
    def active(self):
        return bool(self.facets or self.query)

    def url(self, base, *, page=None, **changes):
        """`base` with these filters changed (a facet set to None is removed), the parameters in
        the canonical order: the facets of FACETS, then q, then page."""
        facets = {**self.facets, **{k: v for k, v in changes.items() if k in FACETS}}
        query = changes.get("q", self.query)
        pairs = [(name, facets[name]) for name in FACETS if facets.get(name)]
        if query:
            pairs.append(("q", query))
        if page and page != 1:
            pairs.append(("page", page))
        return f"{base}?{urlencode(pairs)}" if pairs else base


def showcase_filters(params):
    facets = {}
    for name in FACETS:
        value = (params.get(name) or "").strip()
        if name == "country":
            value = value.upper()
        if value:
            facets[name] = value
    query = " ".join((params.get("q") or "").split())[:MAX_QUERY_LENGTH]
    return ShowcaseFilters(facets=facets, query=query)


# --- the reads -----------------------------------------------------------------------------


def showcase_pages(index):
    """The live project pages of this showcase (its children: the index's language)."""
    return ProjectPage.objects.live().child_of(index)


def search_terms(query):
    """The words of a search, without the punctuation: the backends pass some of it to the
    database's own query syntax (a quote is an SQLite FTS5 syntax error)."""
    return " ".join(SEARCH_PUNCTUATION.sub(" ", query).split())


def _search_ids(query):
    """The ids of the live project pages matching `query`, as a subquery when the search
    backend gives one (the database backends do: the search stays inside the SQL)."""
    terms = search_terms(query)
    if not terms:
        return []  # only punctuation: nothing can match
    results = ProjectPage.objects.live().search(terms, order_by_relevance=False)
    get_queryset = getattr(results, "get_queryset", None)
    if get_queryset is not None:
        return get_queryset().values("pk")
    return [page.pk for page in results]


def _filtered(pages, filters, search_ids, *, except_facet=None):
    for name, value in filters.facets.items():
        if name == except_facet:
            continue
        if len(value) > MAX_VALUE_LENGTH:
            return pages.none()
        tagged = ProjectPageFacet.objects.filter(facet=name, value=value).values("page_id")
        pages = pages.filter(pk__in=tagged)
    if search_ids is not None:
        pages = pages.filter(pk__in=search_ids)
    return pages


def _facet_rows(pages, names):
    return (
        ProjectPageFacet.objects.filter(facet__in=names, page__in=pages.values("pk"))
        .order_by()
        .values("facet", "value", "label")
        .annotate(count=Count("page_id"))
    )


def facet_counts(pages, filters, search_ids):
    """{facet: [(value, label, count)]}: each facet's values counted under the other active
    filters (how many results choosing the value would give), in one query."""
    inactive = [name for name in FACETS if name not in filters.facets]
    parts = []
    if inactive:
        parts.append(_facet_rows(_filtered(pages, filters, search_ids), inactive))
    for name in filters.facets:
        parts.append(_facet_rows(_filtered(pages, filters, search_ids, except_facet=name), [name]))
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    counts = {}
    for row in rows:
        values = counts.setdefault(row["facet"], {})
        # Two labels for one value (a call renamed, its pages not yet synced): one entry.
        label, count = values.get(row["value"], (row["label"], 0))
        values[row["value"]] = (label, count + row["count"])
    return {
        name: _sorted_values(name, [(v, label, n) for v, (label, n) in values.items()])
        for name, values in counts.items()
    }


def _sorted_values(name, values):
    if name == "year":
        return sorted(values, key=lambda v: v[0], reverse=True)
    if name == "status":
        order = {status: i for i, status in enumerate(STATUS_ORDER)}
        return sorted(values, key=lambda v: order.get(v[0], len(order)))
    if name == "countries":  # "2", "3", "4", "5+"
        return sorted(values, key=lambda v: int(v[0].rstrip("+") or 0))
    return sorted(values, key=lambda v: (-v[2], v[1].casefold()))


def matching_pages(pages, filters, search_ids):
    """The matching pages, newest funded first."""
    return _filtered(pages, filters, search_ids).order_by(
        F("funded_on").desc(nulls_last=True), "-pk"
    )


CARD_FIELDS = (
    "title",
    "slug",
    "url_path",
    "locale_id",
    "acronym",
    "summary",
    "status",
    "lead_centre_name",
    "call_title",
    "grant_amount",
    "start_date",
    "end_date",
    "funded_on",
    "partners",
)


def project_cards(ids, request):
    """The cards of the pages `ids` (in that order): the page, its address and its countries'
    names (in the page's language, from the synced partners)."""
    pages = {page.pk: page for page in ProjectPage.objects.filter(pk__in=ids).only(*CARD_FIELDS)}
    cards = []
    for pk in ids:
        page = pages.get(pk)
        if page is None:  # unpublished between the two queries
            continue
        country_names = []
        for partner in page.partners:  # the lead first (the sync's order)
            name = partner.get("country_name") or partner.get("country", "")
            if name and name not in country_names:
                country_names.append(name)
        # The lead's country, then the others by name (not by their centres' names).
        country_names[1:] = sorted(country_names[1:], key=str.casefold)
        cards.append(
            {"page": page, "url": page.get_url(request=request), "countries": country_names}
        )
    return cards


def centre_places(matching, centre_url, *, limit=None):
    """The partner centres of the `matching` pages, each once with how many of them it takes
    part in, most projects first: ([{name, city, country, lat, lng, url, detail, projects}],
    how many centres in all). Counted in SQL from the pages' "centre" facet rows, then the
    centres' own rows (their address and place today) of the first `limit`: two queries."""
    from projects.models import Centre

    counted = (
        ProjectPageFacet.objects.filter(facet="centre", page__in=matching.order_by().values("pk"))
        .order_by()
        .values("value")
        .annotate(projects=Count("page_id"), name=Max("label"))
        .order_by("-projects", "name", "value")
    )
    # Every centre's count in one read (a few thousand short rows at most): the total and the
    # busiest `limit` come from it, where a COUNT and a LIMIT would aggregate twice.
    rows = [(row["value"], row["projects"]) for row in counted if row["value"].isdigit()]
    total = len(rows)
    counts = {int(value): projects for value, projects in rows[:limit]}
    centres = Centre.objects.filter(pk__in=counts).only(
        "name", "slug", "city", "country", "latitude", "longitude"
    )
    places = []
    for centre in centres:
        country = str(centre.country.name) or centre.country.code
        places.append(
            {
                "name": centre.name,
                "city": centre.city,
                "country": country,
                "lat": float(centre.latitude) if centre.latitude is not None else None,
                "lng": float(centre.longitude) if centre.longitude is not None else None,
                "url": centre_url(centre.slug) if centre_url and centre.slug else None,
                "detail": ", ".join(part for part in (centre.city, country) if part),
                "projects": counts[centre.pk],
            }
        )
    places.sort(key=lambda p: (-p["projects"], p["name"].casefold(), p["city"]))
    return places, total


def centre_url_maker(index, request):
    """slug → the centre's page in the directory of the showcase's language (None without a
    directory)."""
    from cms.models import CentreIndexPage

    directory = CentreIndexPage.objects.live().filter(locale_id=index.locale_id).first()
    if directory is None:
        return None
    base = directory.get_url(request=request)
    return lambda slug: base + directory.reverse_subpage("centre", kwargs={"slug": slug})


def facet_groups(counts, filters, base_url):
    """The facets as the template shows them: each with its options (label, count, link,
    selected) and, when a value is chosen, its label and the link that removes it."""
    groups = []
    for name in FACETS:
        values = counts.get(name, [])
        chosen = filters.facets.get(name)
        options = [
            {
                "value": value,
                "label": label,
                "count": count,
                "selected": value == chosen,
                "url": filters.url(base_url, **{name: value}),
            }
            for value, label, count in values
        ]
        chosen_label = next((o["label"] for o in options if o["selected"]), None)
        if not options and not chosen:
            continue
        groups.append(
            {
                "name": name,
                "title": FACET_TITLES[name],
                "options": options,
                "chosen": chosen,
                # An unknown value (a stale or mistyped link) shows as itself.
                "chosen_label": chosen_label or chosen,
                "chosen_unknown": bool(chosen) and chosen_label is None,
                "remove_url": filters.url(base_url, **{name: None}) if chosen else None,
            }
        )
    return groups


# The centres listed under the map (most projects first); the map itself shows every one,
# from its own address (ProjectIndexPage.map_data), and `?places=all` lists them all.
PLACES_LISTED = 30


def showcase_context(page, request):
    filters = showcase_filters(request.GET)
    base_url = page.get_url(request=request)
    pages = showcase_pages(page)
    search_ids = _search_ids(filters.query) if filters.query else None
    counts = facet_counts(pages, filters, search_ids)
    groups = facet_groups(counts, filters, base_url)
    matching = matching_pages(pages, filters, search_ids)
    paginator = Paginator(matching.values_list("pk", flat=True), PAGE_SIZE)
    result_page = paginator.get_page(request.GET.get("page"))
    all_places = request.GET.get("places") == "all"
    places, place_count = centre_places(
        matching,
        centre_url_maker(page, request),
        limit=None if all_places else PLACES_LISTED,
    )
    chosen = [group for group in groups if group["chosen"]]
    query = filters.url("", page=None)  # "?country=FR&q=…" or ""
    return {
        "filters": filters,
        "facet_groups": groups,
        "chosen_facets": chosen,
        "unknown_facets": [group for group in chosen if group["chosen_unknown"]],
        "result_count": paginator.count,
        "result_page": result_page,
        "cards": project_cards(list(result_page.object_list), request),
        "page_links": _page_links(result_page, filters, base_url),
        "places": places,
        "place_count": place_count,
        "places_all_url": None
        if all_places or place_count <= len(places)
        else filters.url(base_url) + ("&" if query else "?") + "places=all#map-title",
        "map_data_url": base_url + page.reverse_subpage("map_data") + query,
        "showcase_url": base_url,
        "clear_url": base_url if filters.active else None,
        "search_remove_url": filters.url(base_url, q=""),
        "search_hidden": [(name, value) for name, value in filters.facets.items()],
        "feed_url": base_url + page.reverse_subpage("feed"),
    }


def map_data(page, request):
    """Every partner centre of the projects the showcase's filters match, for its map:
    [{name, lat, lng, url, detail}] of those placed."""
    filters = showcase_filters(request.GET)
    search_ids = _search_ids(filters.query) if filters.query else None
    matching = matching_pages(showcase_pages(page), filters, search_ids)
    places, _total = centre_places(matching, centre_url_maker(page, request))
    return map_places(
        map_place(**{key: place[key] for key in ("name", "lat", "lng", "url", "detail")})
        for place in places
    )


def _page_links(result_page, filters, base_url):
    paginator = result_page.paginator
    if paginator.num_pages <= 1:
        return None
    number = result_page.number
    return {
        "previous": filters.url(base_url, page=number - 1) if result_page.has_previous() else None,
        "next": filters.url(base_url, page=number + 1) if result_page.has_next() else None,
        "pages": [
            {"number": n, "url": filters.url(base_url, page=n), "current": n == number}
            for n in paginator.get_elided_page_range(number, on_each_side=2, on_ends=1)
            if n != paginator.ELLIPSIS
        ],
        "number": number,
        "count": paginator.num_pages,
    }


# --- the Atom feed -------------------------------------------------------------------------


class NewlyFundedFeed(Feed):
    """The showcase's newest funded projects (the index's language), as Atom."""

    feed_type = Atom1Feed

    def __init__(self, index):
        super().__init__()
        self.index = index

    def get_object(self, request, *args, **kwargs):
        self.request = request
        self.language = self.index.locale.language_code
        return self.index

    def title(self, index):
        return gettext("Newly funded projects · %(showcase)s") % {"showcase": index.title}

    def subtitle(self, index):
        return gettext("The joint projects most recently funded by the network.")

    def link(self, index):
        return index.get_url(request=self.request)

    def feed_url(self, index):
        return self.link(index) + index.reverse_subpage("feed")

    def items(self, index):
        return list(
            showcase_pages(index)
            .order_by(F("funded_on").desc(nulls_last=True), "-pk")
            .only(*CARD_FIELDS, "translation_key", "last_published_at")[:FEED_SIZE]
        )

    def item_title(self, item):
        return f"{item.title} ({item.acronym})" if item.acronym else item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.get_url(request=self.request)

    def item_guid(self, item):
        # A tag URI from the page's translation key and language: stable when the slug or the
        # title changes, distinct in each language's feed.
        host = self.request.get_host().split(":")[0]
        year = item.funded_on.year if item.funded_on else 2026
        return f"tag:{host},{year}:project/{item.translation_key}/{self.language}"

    def item_pubdate(self, item):
        if item.funded_on:
            return timezone.make_aware(datetime.combine(item.funded_on, time(12)))
        return item.last_published_at

    def item_updateddate(self, item):
        return item.last_published_at or self.item_pubdate(item)

    def item_author_name(self, item):
        return item.lead_centre_name or None
