"""A project page's context: partners and their shares, map, similar projects, JSON-LD.

Everything here reads the page's synced fields (cms.sync wrote them from the workflow), so a
project page costs three queries on top of Wagtail's routing whatever the number of partners
or projects: the pages it links to (the call's page and the centre directory, in the page's
language), the ranking of similar projects and their pages; two more when it has a main
image (the image and its rendition)."""

import json
from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_countries import countries as country_names
from wagtail.models import Page

from cms.maps import map_place, map_places
from cms.models import CallPage, CentreIndexPage, ProjectPage, ProjectPageFacet, ShowcaseStatus
from cms.navigation import TIMEOUT as NAVIGATION_TIMEOUT
from cms.navigation import navigation_version
from projects.models import PartnershipRole

SIMILAR_LIMIT = 4
# How much one shared facet value weighs when ranking similar projects: a theme says most
# about what a project does, then where it happens, then the call that funded it.
SIMILAR_WEIGHTS = {"theme": 2, "country": 1, "call": 1}
HERO_RENDITION = "fill-1200x630"  # also the OpenGraph image: 1.91:1 as sharing cards show it
# What json.dumps leaves that could close the <script> element or open a comment in it.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def euros(amount):
    """`amount` in euros as readers of the active language write it (€20,000 / 20 000 €):
    whole euros without decimals."""
    if amount is None:
        return ""
    amount = Decimal(amount)
    places = 0 if amount == amount.to_integral_value() else 2
    formatted = number_format(amount, decimal_pos=places, use_l10n=True, force_grouping=True)
    return _("€%(amount)s") % {"amount": formatted}


def _decimal(value):
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None


def linked_pages(page, request):
    """{"call_url", "centres_url"}: the page of the project's call and the centre directory in
    the page's language, each None when it does not exist (one query)."""
    centre_index = ContentType.objects.get_for_model(CentreIndexPage)
    call_page = ContentType.objects.get_for_model(CallPage)
    condition = Q(content_type=centre_index)
    if page.project_id:
        # The call's id through a subquery: a join through the call to its projects read
        # every project of the call (10 ms at scale 50, for one row).
        from projects.models import JointProject

        call_id = JointProject.objects.filter(pk=page.project_id).values("call_id")
        condition |= Q(content_type=call_page, callpage__call_id__in=call_id)
    found = (
        Page.objects.live()
        .filter(condition, locale_id=page.locale_id)
        .only("id", "url_path", "content_type_id", "locale_id")
        .order_by("path")
    )
    urls = {"call_url": None, "centres_url": None}
    for linked in found:
        key = "centres_url" if linked.content_type_id == centre_index.pk else "call_url"
        if urls[key] is None:
            urls[key] = linked.get_url(request=request)
    return urls


def partner_rows(page, centres_url):
    """The partners as the table lists them: each centre's page, place, role and share of the
    grant (in euros and as a percentage of it), the lead first."""
    grant = _decimal(page.grant_amount)
    roles = dict(PartnershipRole.choices)
    rows = []
    for partner in page.partners:
        share = _decimal(partner.get("share"))
        percent = None
        if share is not None and grant:
            percent = number_format(share * 100 / grant, decimal_pos=1, use_l10n=True)
        slug = partner.get("slug")
        rows.append(
            {
                "name": partner.get("name", ""),
                "url": f"{centres_url}{slug}/" if centres_url and slug else None,
                "city": partner.get("city", ""),
                "country": partner.get("country", ""),
                "country_name": partner.get("country_name") or partner.get("country", ""),
                "is_lead": partner.get("role") == PartnershipRole.LEAD,
                "role": str(roles.get(partner.get("role"), partner.get("role", ""))),
                "share": euros(share) if share is not None else "",
                "percent": percent,
                "latitude": partner.get("latitude"),
                "longitude": partner.get("longitude"),
            }
        )
    return rows


def partner_places(rows):
    """The partners with coordinates, as cms/_map.html draws them."""
    return map_places(
        map_place(
            name=row["name"],
            lat=row["latitude"],
            lng=row["longitude"],
            url=row["url"],
            detail=f"{row['city']}, {row['country_name']} · {row['role']}",
        )
        for row in rows
    )


def indicator_rows(indicators):
    """The final report's indicators as the page lists them: counts with their labels, the
    audience per country (by country name) and the outputs (title and link)."""
    from projects.workspace.reports_forms import COUNTS

    indicators = indicators or {}
    audience = indicators.get("audience") or {}
    return {
        "counts": [
            (label, number_format(indicators[name], use_l10n=True, force_grouping=True))
            for name, label, _help in COUNTS
            if isinstance(indicators.get(name), int)
        ],
        "audience": sorted(
            (
                (str(country_names.name(code)) or code, number_format(count, force_grouping=True))
                for code, count in audience.items()
                if isinstance(count, int)
            ),
            key=lambda row: row[0],
        ),
        "outputs": [
            output
            for output in indicators.get("outputs") or []
            if isinstance(output, dict) and output.get("title")
        ],
    }


def similar_projects(page, request, limit=SIMILAR_LIMIT):
    """similar_projects_read, kept in the shared cache under the navigation version: the
    ranking reads the facet rows of every page sharing a value (35 ms at scale 50) and changes
    only when a page is synced, published or unpublished, which replace that version."""
    key = f"cms:similar:{navigation_version()}:{request.get_host()}:{page.pk}:{limit}"
    cards = cache.get(key)
    if cards is None:
        cards = similar_projects_read(page, request, limit)
        cache.set(key, cards, timeout=NAVIGATION_TIMEOUT)
    return cards


def similar_projects_read(page, request, limit=SIMILAR_LIMIT):
    """Up to `limit` other live project pages in the page's language that share the most
    themes, countries and call with it (weighted by SIMILAR_WEIGHTS), as cards: one query
    ranks them by their facet rows, one reads the pages."""
    # The page's own values, read first: a filter on them uses the (facet, value) index, where a
    # correlated EXISTS read every facet row of the locale (13.5 s at scale 50).
    pairs = ProjectPageFacet.objects.filter(page_id=page.pk, facet__in=SIMILAR_WEIGHTS).values_list(
        "facet", "value"
    )
    shared = Q()
    for facet, value in pairs:
        shared |= Q(facet=facet, value=value)
    if not shared:
        return []
    weight = Case(
        *(When(facet=facet, then=Value(w)) for facet, w in SIMILAR_WEIGHTS.items()),
        output_field=IntegerField(),
    )
    ranked = (
        ProjectPageFacet.objects.filter(
            shared,
            page__live=True,
            page__locale_id=page.locale_id,
        )
        .exclude(page_id=page.pk)
        .values("page_id")
        .annotate(
            score=Sum(weight),
            themes=Count("pk", filter=Q(facet="theme")),
            countries=Count("pk", filter=Q(facet="country")),
        )
        # Ties: the more recently created page first (usually the more recently funded).
        .order_by("-score", "-themes", "-countries", "-page_id")
        .values_list("page_id", flat=True)[:limit]
    )
    ids = list(ranked)
    if not ids:
        return []
    pages = ProjectPage.objects.filter(pk__in=ids).only(
        "id", "title", "url_path", "acronym", "lead_centre_name", "countries", "status"
    )
    by_id = {other.pk: other for other in pages}
    return [_card(by_id[pk], request) for pk in ids if pk in by_id]


def _card(other, request):
    return {
        "title": other.title,
        "acronym": other.acronym,
        "url": other.get_url(request=request),
        "lead": other.lead_centre_name,
        "countries": ", ".join(
            sorted(str(country_names.name(code)) or code for code in other.countries)
        ),
        "status": other.status,
        "status_label": str(ShowcaseStatus(other.status).label),
    }


def hero(page):
    """The main image's rendition (shown on the page and shared as og:image), or None."""
    if page.hero_image_id is None:
        return None
    image = page.hero_image
    if image is None:
        return None
    return {"rendition": image.get_rendition(HERO_RENDITION), "alt": image.default_alt_text}


def _organization(row, request):
    organization = {"@type": "Organization", "name": row["name"]}
    if row["url"]:
        organization["url"] = request.build_absolute_uri(row["url"])
    place = {
        "@type": "Place",
        "address": {
            "@type": "PostalAddress",
            "addressLocality": row["city"],
            "addressCountry": row["country"],
        },
    }
    if row["latitude"] is not None and row["longitude"] is not None:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": row["latitude"],
            "longitude": row["longitude"],
        }
    organization["location"] = place
    return organization


def structured_data(page, request, *, rows, image_url):
    """schema.org JSON-LD of the project: a Project whose members are the partner centres
    (Organizations located at a Place) and whose funding is a MonetaryGrant from the network."""
    # The address the visitor used, as the canonical link and og:url give it (base.html).
    url = request.build_absolute_uri(page.get_url(request=request))
    funder = {"@type": "Organization", "name": page.network_name}
    project = {
        "@context": "https://schema.org",
        "@type": "Project",
        "@id": f"{url}#project",
        "name": page.title,
        "url": url,
        "inLanguage": get_language(),
    }
    if page.acronym:
        project["alternateName"] = page.acronym
    if page.summary:
        project["description"] = page.summary
    if page.start_date:
        project["startDate"] = page.start_date.isoformat()
    if page.end_date:
        project["endDate"] = page.end_date.isoformat()
    if image_url:
        project["image"] = image_url
    if page.network_name:
        project["funder"] = funder
    project["member"] = [_organization(row, request) for row in rows]
    if page.grant_amount is not None:
        grant = {
            "@type": "MonetaryGrant",
            "name": page.call_title or page.title,
            "amount": {
                "@type": "MonetaryAmount",
                "currency": "EUR",
                "value": str(page.grant_amount),
            },
            "fundedItem": {"@id": f"{url}#project"},
        }
        if page.network_name:
            grant["funder"] = funder
        if page.funded_on:
            grant["startDate"] = page.funded_on.isoformat()
        project["funding"] = grant
    return project


def json_ld(data):
    """`data` as the text of a <script type="application/ld+json">: nothing in it can end the
    element (escaped as json_script does)."""
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES))


def project_page_context(page, request):
    links = linked_pages(page, request)
    rows = partner_rows(page, links["centres_url"])
    main_image = hero(page)
    image_url = request.build_absolute_uri(main_image["rendition"].url) if main_image else None
    return {
        "call_url": links["call_url"],
        "grant": euros(page.grant_amount),
        "partner_rows": rows,
        "country_names": sorted({row["country_name"] for row in rows if row["country_name"]}),
        "map_places": partner_places(rows),
        "indicators": indicator_rows(page.indicators),
        "hero": main_image,
        "similar_projects": similar_projects(page, request),
        "json_ld": json_ld(structured_data(page, request, rows=rows, image_url=image_url)),
        # base.html writes og:title, og:url and og:locale; the page adds these.
        "og_description": Truncator(page.summary).chars(200),
        "og_image": image_url,
    }
