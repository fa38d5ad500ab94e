"""The centre directory's reads (CentreIndexPage, /en/centres/): the filtered and paginated
directory with its map, a centre's page (its public joint projects, its open proposals, its
partners) and who worked with whom (country pairs and centre pairs linked by joint projects).

Every function returns plain data in a fixed number of queries, whatever the number of
centres or projects."""

import json
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.safestring import mark_safe
from django_countries import countries

from cms.maps import map_place, map_places
from cms.sync import SHOWN_STATES
from projects.models import Centre, Discipline, JointProject, Partnership, PartnershipRole
from workflow.states import PartnershipState, ProjectState

PAGE_SIZE = 24
TOP_CENTRE_PAIRS = 50
# A search longer than this is not a name or a city: it is cut rather than refused.
MAX_QUERY_LENGTH = 100
# What json.dumps leaves that could close the <script> element or open a comment in it (the
# escapes of Django's json_script).
SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}

# The joint projects that link centres publicly: those with a public page (every funded
# project, and those ended early: public money was spent on them).
LINKED_STATES = SHOWN_STATES


def country_name(code):
    """The country's name in the active language (django-countries translates it)."""
    return str(countries.name(code)) or code


# --- the directory ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryFilters:
    """The directory's GET parameters, cleaned: an unknown country or discipline is ignored,
    as if it had not been given (a stale shared link still shows the directory)."""

    country: str = ""
    discipline: str = ""
    query: str = ""

    @property
    def active(self):
        return bool(self.country or self.discipline or self.query)

    def as_query(self):
        """The filters as a query string ending in "&" (or ""), for the pagination links."""
        pairs = (("q", self.query), ("country", self.country), ("discipline", self.discipline))
        query = urlencode([(name, value) for name, value in pairs if value])
        return f"{query}&" if query else ""


def directory_options():
    """The filter form's choices: the countries that have centres (by name in the active
    language) and every discipline, as [(value, label)] each."""
    codes = Centre.objects.order_by().values_list("country", flat=True).distinct()
    country_choices = sorted(((code, country_name(code)) for code in codes), key=lambda c: c[1])
    discipline_choices = sorted(
        ((d.slug, d.label) for d in Discipline.objects.only("slug", "name", "name_fr")),
        key=lambda d: d[1],
    )
    return {"countries": country_choices, "disciplines": discipline_choices}


def directory_filters(params, options):
    country = (params.get("country") or "").strip().upper()
    discipline = (params.get("discipline") or "").strip()
    query = " ".join((params.get("q") or "").split())[:MAX_QUERY_LENGTH]
    return DirectoryFilters(
        country=country if country in dict(options["countries"]) else "",
        discipline=discipline if discipline in dict(options["disciplines"]) else "",
        query=query,
    )


def _filtered_centres(filters):
    centres = Centre.objects.all()
    if filters.country:
        centres = centres.filter(country=filters.country)
    if filters.discipline:
        # Discipline slugs are unique: the join gives at most one row per centre.
        centres = centres.filter(disciplines__slug=filters.discipline)
    if filters.query:
        centres = centres.filter(
            Q(name__icontains=filters.query) | Q(city__icontains=filters.query)
        )
    return centres


def _linked_projects_count():
    """Per centre, the joint projects it took part in (confirmed) that are public: a scalar
    subquery, so the directory's page of centres needs no GROUP BY over every column."""
    counts = (
        Partnership.objects.filter(
            centre=OuterRef("pk"),
            state=PartnershipState.CONFIRMED,
            project__state__in=LINKED_STATES,
        )
        .order_by()
        .values("centre")
        .annotate(n=Count("project_id"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def directory_page(filters, page_number):
    """A Django Page of PAGE_SIZE centres (by name) with `project_count` and their
    disciplines: a count, the page and its disciplines (three queries). A bad page number
    gives the first page, one past the end the last."""
    centres = (
        _filtered_centres(filters)
        .annotate(project_count=_linked_projects_count())
        .prefetch_related("disciplines")
        .order_by("name", "pk")
    )
    return Paginator(centres, PAGE_SIZE).get_page(page_number)


def directory_places(filters, centre_url):
    """Every centre that matches (not only this page's) with its coordinates, for the map:
    [{name, lat, lng, url, detail}] (one query)."""
    rows = (
        _filtered_centres(filters)
        .filter(latitude__isnull=False, longitude__isnull=False)
        .order_by("name", "pk")
        .values_list("name", "slug", "city", "country", "latitude", "longitude")
    )
    return map_places(
        map_place(
            name=name,
            lat=latitude,
            lng=longitude,
            url=centre_url(slug),
            detail=f"{city}, {country_name(country)}",
        )
        for name, slug, city, country, latitude, longitude in rows
    )


def directory_entries(page, centre_url):
    """The page's centres as plain data for the template."""
    return [
        {
            "name": centre.name,
            "url": centre_url(centre.slug),
            "city": centre.city,
            "country": centre.country.code,
            "country_name": country_name(centre.country.code),
            "disciplines": sorted(d.label for d in centre.disciplines.all()),
            "project_count": centre.project_count,
        }
        for centre in page.object_list
    ]


# --- a centre's page -------------------------------------------------------------------------


def centre_by_slug(slug):
    """The centre with its network and disciplines, or None."""
    return (
        Centre.objects.select_related("network")
        .prefetch_related("disciplines")
        .filter(slug=slug)
        .first()
    )


def centre_projects(centre, locale, request):
    """The centre's joint projects that have a live public page in `locale`, newest first:
    [{title, acronym, url, role, share, status, status_label, year, lead_centre_name,
    country_names}]. Found through the domain (its confirmed partnerships), one query; its role
    and share of the grant come from the page's synced partners."""
    from cms.models import ProjectPage
    from cms.project_page import euros

    linked = Partnership.objects.filter(centre=centre, state=PartnershipState.CONFIRMED)
    pages = (
        ProjectPage.objects.live()
        .filter(locale=locale, project_id__in=linked.values("project_id"))
        .defer("body", "results", "indicators", "summary")
        .order_by(F("year").desc(nulls_last=True), "title", "pk")
    )
    projects = []
    for page in pages:
        entry = next((p for p in page.partners if p.get("centre_id") == centre.pk), {})
        role = entry.get("role") if entry.get("role") in PartnershipRole.values else "partner"
        names = {p["country"]: p.get("country_name") for p in page.partners if p.get("country")}
        projects.append(
            {
                "title": page.title,
                "acronym": page.acronym,
                "url": page.get_url(request=request),
                "role": role,
                "role_label": PartnershipRole(role).label,
                "share": euros(entry["share"]) if entry.get("share") else "",
                "status": page.status,
                "status_label": page.get_status_display(),
                "year": page.year,
                "lead_centre_name": page.lead_centre_name,
                "country_names": sorted(name or code for code, name in names.items()),
                "partners": page.partners,
            }
        )
    return projects


def centre_partners(centre, projects, centre_url):
    """The other centres it made public joint projects with, from the pages' synced partners
    (no query): [{name, url, city, country_name, projects (count), lat, lng}] by count, then
    name."""
    partners = {}
    for project in projects:
        for partner in project["partners"]:
            key = partner.get("centre_id")
            if key is None or key == centre.pk:
                continue
            entry = partners.setdefault(
                key,
                {
                    "name": partner.get("name", ""),
                    "url": centre_url(partner["slug"]) if partner.get("slug") else None,
                    "city": partner.get("city", ""),
                    "country_name": partner.get("country_name") or partner.get("country", ""),
                    "lat": partner.get("latitude"),
                    "lng": partner.get("longitude"),
                    "projects": 0,
                },
            )
            entry["projects"] += 1
    return sorted(partners.values(), key=lambda p: (-p["projects"], p["name"]))


def centre_open_proposals(centre):
    """The proposals open for partners in which the centre takes part (confirmed, lead or
    partner), by deadline: [{title, acronym, slug, call_title, deadline}] (one query)."""
    rows = (
        JointProject.objects.filter(
            state=ProjectState.OPEN_FOR_PARTNERS,
            pk__in=Partnership.objects.filter(
                centre=centre, state=PartnershipState.CONFIRMED
            ).values("project_id"),
        )
        .order_by("call__deadline", "title", "pk")
        .values("title", "acronym", "slug", "call__title", "call__deadline")
    )
    return [
        {
            "title": row["title"] or row["acronym"] or row["slug"],
            "acronym": row["acronym"],
            "slug": row["slug"],
            "call_title": row["call__title"],
            "deadline": row["call__deadline"],
        }
        for row in rows
    ]


def centre_places(centre, partners, centre_url):
    """The centre and its partners on the small map (those with coordinates)."""
    itself = map_place(
        name=centre.name,
        lat=centre.latitude,
        lng=centre.longitude,
        url=centre_url(centre.slug),
        detail=f"{centre.city}, {country_name(centre.country.code)}",
    )
    partners_placed = (
        map_place(
            name=partner["name"],
            lat=partner["lat"],
            lng=partner["lng"],
            url=partner["url"],
            detail=f"{partner['city']}, {partner['country_name']}",
        )
        for partner in partners
    )
    return map_places([itself, *partners_placed])


def centre_structured_data(centre, url):
    """schema.org Organization with its Place (address, coordinates), as a JSON string safe
    inside <script type="application/ld+json">."""
    place = {
        "@type": "Place",
        "name": centre.city,
        "address": {
            "@type": "PostalAddress",
            "addressLocality": centre.city,
            "addressCountry": centre.country.code,
        },
    }
    if centre.latitude is not None and centre.longitude is not None:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(centre.latitude),
            "longitude": float(centre.longitude),
        }
    data = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": centre.name,
        "url": url,
        "location": place,
    }
    if centre.description:
        data["description"] = centre.description
    if centre.website:
        data["sameAs"] = [centre.website]
    if centre.network_id:
        data["memberOf"] = {"@type": "Organization", "name": centre.network.name}
    # "</script>" in a name or description cannot end the element.
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(SCRIPT_ESCAPES))


# --- who worked with whom --------------------------------------------------------------------


def _pairs_of_partnerships(extra=None):
    """Confirmed partnerships joined to the other confirmed partnerships of the same public
    project. Every condition on the second partnership sits in this one filter() so that
    Django joins it once (a second filter() on a multi-valued relation would join it again)."""
    condition = Q(
        state=PartnershipState.CONFIRMED,
        project__state__in=LINKED_STATES,
        project__partnerships__state=PartnershipState.CONFIRMED,
    )
    if extra is not None:
        condition &= extra
    return Partnership.objects.filter(condition).order_by()


def country_pairs():
    """Every pair of different countries with the number of public joint projects in which
    both have a confirmed centre, most first, aggregated in SQL (one query):
    [{a, b, a_name, b_name, projects}], each pair named in alphabetical order."""
    rows = (
        _pairs_of_partnerships(Q(project__partnerships__centre__country__gt=F("centre__country")))
        .values(a=F("centre__country"), b=F("project__partnerships__centre__country"))
        .annotate(projects=Count("project_id", distinct=True))
    )
    pairs = []
    for row in rows:
        # Each pair reads in alphabetical order of the names in the active language.
        (a, a_name), (b, b_name) = sorted(
            ((row["a"], country_name(row["a"])), (row["b"], country_name(row["b"]))),
            key=lambda country: country[1],
        )
        pairs.append(
            {"a": a, "b": b, "a_name": a_name, "b_name": b_name, "projects": row["projects"]}
        )
    pairs.sort(key=lambda p: (-p["projects"], p["a_name"], p["b_name"]))
    return pairs


def pairs_with_country(pairs, code):
    """The pairs that include `code`, turned so that `code` comes first."""
    turned = []
    for pair in pairs:
        if pair["a"] == code:
            turned.append(pair)
        elif pair["b"] == code:
            turned.append(
                {
                    "a": pair["b"],
                    "b": pair["a"],
                    "a_name": pair["b_name"],
                    "b_name": pair["a_name"],
                    "projects": pair["projects"],
                }
            )
    return turned


def centre_pairs(centre_url, country="", limit=TOP_CENTRE_PAIRS):
    """The `limit` pairs of centres that share the most public joint projects (one query):
    [{a: {name, url, city, country_name}, b: {…}, projects}]. With `country`, only the pairs
    of which one centre is in that country (that centre first)."""
    other = "project__partnerships__centre"
    extra = Q(**{f"{other}__id__gt": F("centre_id")})
    if country:
        extra &= Q(centre__country=country) | Q(**{f"{other}__country": country})
    rows = (
        _pairs_of_partnerships(extra)
        .values(
            a_name=F("centre__name"),
            a_slug=F("centre__slug"),
            a_city=F("centre__city"),
            a_country=F("centre__country"),
            b_name=F(f"{other}__name"),
            b_slug=F(f"{other}__slug"),
            b_city=F(f"{other}__city"),
            b_country=F(f"{other}__country"),
        )
        .annotate(projects=Count("project_id", distinct=True))
        .order_by("-projects", "a_name", "b_name")[:limit]
    )
    pairs = []
    for row in rows:
        a, b = (
            {k: row[f"{side}_{k}"] for k in ("name", "slug", "city", "country")} for side in "ab"
        )
        if country and a["country"] != country:
            a, b = b, a
        for centre in (a, b):
            centre["country_name"] = country_name(centre["country"])
            centre["url"] = centre_url(centre["slug"])
        pairs.append({"a": a, "b": b, "projects": row["projects"]})
    return pairs
