"""For search engines: /robots.txt and the sitemap.

/sitemap.xml is a sitemap index; it lists the sections /sitemap-pages-<n>.xml (every live public
page of the site in every language, whatever its type) and /sitemap-centres-<n>.xml (the page of
each centre in the directory, a route of CentreIndexPage: /<lang>/centres/<slug>/). Each section
file holds at most SECTION_SIZE addresses, so the site may grow without one file growing past
what search engines read (50,000 addresses, 50 MB). Every address carries its <lastmod> and the
same page in the other languages as xhtml:link hreflang alternates, in Google's format (each
address lists all of its versions, itself included, and x-default: the English one).

Each file costs a fixed number of queries whatever the size of the site (the addresses come from
`values()` rows and Wagtail's cached site root paths, never from one query per page). The
public page cache (cms.public_cache) keeps the finished files.
"""

import math
from datetime import UTC
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from django.conf import settings
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe
from wagtail.models import Page

from cms.models import CentreIndexPage
from projects.models import Centre

# Addresses per section file (search engines accept up to 50,000).
SECTION_SIZE = 10_000
SECTIONS = ("pages", "centres")

# Private areas: the robots' rules only; the views check permissions themselves.
DISALLOWED_PATHS = ("/admin/", "/workspace/", "/accounts/", "/api/", "/i18n/")


@require_safe
def robots_txt(request):
    lines = ["User-agent: *", "Allow: /"]
    lines += [f"Disallow: {path}" for path in DISALLOWED_PATHS]
    lines += ["", f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


# --- Selectors -----------------------------------------------------------------------------------


def _public_live_pages():
    """Live pages outside any private section, without the tree's root (no page of the site).
    Wagtail's .public() reads the view restrictions once here, for every query built on it."""
    pages = Page.objects.all()
    return pages.live().exclude(pages.private_q()).filter(depth__gt=1)


def _absolute_page_url(request, url_path):
    """The page's address from its url_path and Wagtail's site root paths (kept in the cache),
    without loading the page: a bare Page instance carries all get_url() reads."""
    url = Page(url_path=url_path).get_url(request=request)
    return request.build_absolute_uri(url) if url else None


def _lastmod(*moments):
    known = [moment for moment in moments if moment is not None]
    return max(known).astimezone(UTC).isoformat(timespec="seconds") if known else None


def page_entries(request, number):
    """The addresses of section file `number` (from 1) of the pages: one dict per page,
    {"loc", "lastmod", "alternates": [(language code, address)]}. Three queries: the view
    restrictions, the pages of the file, their translations."""
    pages = _public_live_pages()
    rows = list(
        pages.order_by("pk").values_list(
            "url_path", "translation_key", "locale__language_code", "last_published_at"
        )[(number - 1) * SECTION_SIZE : number * SECTION_SIZE]
    )
    translations = {}
    for url_path, key, code in (
        pages.filter(translation_key__in={row[1] for row in rows})
        .order_by("locale__language_code")
        .values_list("url_path", "translation_key", "locale__language_code")
    ):
        url = _absolute_page_url(request, url_path)
        if url:
            translations.setdefault(key, []).append((code, url))
    entries = []
    for url_path, key, _code, published_at in rows:
        url = _absolute_page_url(request, url_path)
        if url:  # a page under no site has no address
            entries.append(
                {
                    "loc": url,
                    "lastmod": _lastmod(published_at),
                    "alternates": translations.get(key, []),
                }
            )
    return entries


def _centre_indexes(request):
    """(language code, address, last published) of each live centre directory."""
    indexes = []
    for url_path, code, published_at in (
        CentreIndexPage.objects.live()
        .public()
        .order_by("locale__language_code")
        .values_list("url_path", "locale__language_code", "last_published_at")
    ):
        url = _absolute_page_url(request, url_path)
        if url:
            indexes.append((code, url, published_at))
    return indexes


def _centres_per_file(index_count):
    return max(1, SECTION_SIZE // max(1, index_count))


def centre_entries(request, number):
    """The addresses of section file `number` of the centres' pages: each centre under each
    directory (one per language). Its <lastmod> is the latest of the centre's creation and the
    publishing of the project pages it is part of (what its page shows). Three queries."""
    indexes = _centre_indexes(request)
    if not indexes:
        return []
    per_file = _centres_per_file(len(indexes))
    centres = (
        Centre.objects.order_by("pk")
        .annotate(latest_project=Max("partnerships__project__public_pages__last_published_at"))
        .values_list("slug", "created_at", "latest_project")[
            (number - 1) * per_file : number * per_file
        ]
    )
    entries = []
    for slug, created_at, latest_project in centres:
        alternates = [(code, f"{index_url}{slug}/") for code, index_url, _ in indexes]
        lastmod = _lastmod(created_at, latest_project)
        for _code, url in alternates:
            entries.append({"loc": url, "lastmod": lastmod, "alternates": alternates})
    return entries


def section_file_counts():
    """{section: number of files}: the pages have at least one file (the home page), the
    centres none without a live directory. Three queries."""
    pages = math.ceil(_public_live_pages().count() / SECTION_SIZE)
    index_count = CentreIndexPage.objects.live().public().count()
    centres = 0
    if index_count:
        centres = math.ceil(Centre.objects.count() / _centres_per_file(index_count))
    return {"pages": max(1, pages), "centres": centres}


# --- XML -----------------------------------------------------------------------------------------

XML_HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n'
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"


def _url_element(entry):
    parts = [f"<url><loc>{xml_escape(entry['loc'])}</loc>"]
    if entry["lastmod"]:
        parts.append(f"<lastmod>{entry['lastmod']}</lastmod>")
    alternates = entry["alternates"]
    if len(alternates) > 1:
        for code, url in alternates:
            parts.append(
                f'<xhtml:link rel="alternate" hreflang={quoteattr(code)} href={quoteattr(url)}/>'
            )
        default = dict(alternates).get(settings.LANGUAGE_CODE)
        if default:
            parts.append(
                f'<xhtml:link rel="alternate" hreflang="x-default" href={quoteattr(default)}/>'
            )
    parts.append("</url>")
    return "".join(parts)


def _xml_response(body):
    return HttpResponse(XML_HEADER + body, content_type="application/xml; charset=utf-8")


@require_safe
def sitemap_index(request):
    files = [
        request.build_absolute_uri(f"/sitemap-{section}-{number}.xml")
        for section, count in section_file_counts().items()
        for number in range(1, count + 1)
    ]
    body = "".join(f"<sitemap><loc>{xml_escape(url)}</loc></sitemap>\n" for url in files)
    return _xml_response(f'<sitemapindex xmlns="{SITEMAP_NS}">\n{body}</sitemapindex>\n')


@require_safe
def sitemap_section(request, section, number):
    """One file of a section; a file past the last one (or a section unknown) is a 404."""
    number = int(number)  # the URL pattern allows only 1 to 999999
    if section not in SECTIONS or number < 1:
        raise Http404
    entries = (page_entries if section == "pages" else centre_entries)(request, number)
    if not entries and number > 1:
        raise Http404
    if not entries and section == "centres":
        raise Http404
    body = "".join(_url_element(entry) + "\n" for entry in entries)
    return _xml_response(
        f'<urlset xmlns="{SITEMAP_NS}" xmlns:xhtml="{XHTML_NS}">\n{body}</urlset>\n'
    )
