"""For search engines and sharing: robots.txt, the sitemap (index, sections, hreflang
alternates, pagination, fixed queries) and the Open Graph tags of the layout."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from cms import seo
from cms.models import StandardPage
from tests.cms.showcase_data import funded_project, pages_of
from tests.factories import CentreFactory

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def index_files(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    root = ET.fromstring(response.content)
    return [loc.text for loc in root.findall("s:sitemap/s:loc", NS)]


def section(client, url):
    """{loc: {"lastmod", "alternates": {hreflang: href}}} of one sitemap file."""
    response = client.get(url)
    assert response.status_code == 200, url
    root = ET.fromstring(response.content)
    return {
        entry.findtext("s:loc", namespaces=NS): {
            "lastmod": entry.findtext("s:lastmod", namespaces=NS),
            "alternates": {
                link.get("hreflang"): link.get("href") for link in entry.findall("x:link", NS)
            },
        }
        for entry in root.findall("s:url", NS)
    }


def all_entries(client):
    entries = {}
    for url in index_files(client):
        entries.update(section(client, url.removeprefix("http://testserver")))
    return entries


def standard_page(parent, slug, *, live=True):
    page = parent.add_child(
        instance=StandardPage(title=slug.title(), slug=slug, intro="", live=live)
    )
    if live:
        page.save_revision().publish()
    return page


def test_robots_txt_keeps_robots_out_of_the_private_areas(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    for path in ("/admin/", "/workspace/", "/accounts/", "/api/"):
        assert f"Disallow: {path}" in lines
    assert "Allow: /" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert client.post("/robots.txt").status_code == 405


def test_the_sitemap_lists_every_public_page_and_centre_in_both_languages(client, public_site):
    project = funded_project(title="Shared Stages")
    CentreFactory(slug="la-friche")
    about = StandardPage.objects.get(slug="about")
    standard_page(about, "draft", live=False)
    secret = standard_page(about, "secret")
    PageViewRestriction.objects.create(page=secret, restriction_type="login")

    assert index_files(client) == [
        "http://testserver/sitemap-pages-1.xml",
        "http://testserver/sitemap-centres-1.xml",
    ]
    entries = all_entries(client)
    en_project = "http://testserver" + pages_of(project, "en").url
    fr_project = "http://testserver" + pages_of(project, "fr").url
    assert fr_project.startswith("http://testserver/fr/projets/")
    for url in (
        "http://testserver/en/",
        "http://testserver/fr/",
        "http://testserver/en/fair/",
        "http://testserver/fr/bourse/",
        "http://testserver/fr/a-propos/",
        en_project,
        fr_project,
        "http://testserver/en/centres/la-friche/",
        "http://testserver/fr/centres/la-friche/",
    ):
        assert url in entries, url
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", entries[url]["lastmod"])
    assert entries[fr_project]["alternates"] == {
        "en": en_project,
        "fr": fr_project,
        "x-default": en_project,
    }
    assert entries["http://testserver/en/calls/"]["alternates"]["fr"] == (
        "http://testserver/fr/appels/"
    )
    assert entries["http://testserver/fr/centres/la-friche/"]["alternates"] == {
        "en": "http://testserver/en/centres/la-friche/",
        "fr": "http://testserver/fr/centres/la-friche/",
        "x-default": "http://testserver/en/centres/la-friche/",
    }
    # Neither a draft nor a page behind a login, nor the tree's root.
    assert not [url for url in entries if "draft" in url or "secret" in url]
    assert "http://testserver/" not in entries
    # Each in two languages: the home page and 8 sections, the project, 3 centres (la Friche
    # and the project's two).
    assert len(entries) == 2 * (1 + 8 + 1 + 3)


def test_large_sections_are_split_into_files(client, site_tree, monkeypatch):
    for n in range(4):
        standard_page(site_tree, f"page-{n}")
    monkeypatch.setattr(seo, "SECTION_SIZE", 2)
    # 2 home pages + 4 pages = 6 addresses: 3 files; no centre directory: no centres file.
    files = index_files(client)
    assert files == [f"http://testserver/sitemap-pages-{n}.xml" for n in (1, 2, 3)]
    seen = []
    for url in files:
        entries = section(client, url.removeprefix("http://testserver"))
        assert len(entries) == 2
        seen += entries
    assert len(set(seen)) == 6
    assert client.get("/sitemap-pages-4.xml").status_code == 404
    assert client.get("/sitemap-pages-0.xml").status_code == 404
    assert client.get("/sitemap-centres-1.xml").status_code == 404
    assert client.get("/sitemap-other-1.xml").status_code == 404


def test_the_centre_files_hold_each_centre_in_every_language(client, public_site, monkeypatch):
    for n in range(3):
        CentreFactory(slug=f"centre-x{n}")
    monkeypatch.setattr(seo, "SECTION_SIZE", 4)  # two languages: two centres a file
    files = [url for url in index_files(client) if "centres" in url]
    assert files == [
        "http://testserver/sitemap-centres-1.xml",
        "http://testserver/sitemap-centres-2.xml",
    ]
    first = section(client, "/sitemap-centres-1.xml")
    second = section(client, "/sitemap-centres-2.xml")
    assert len(first) == 4 and len(second) == 2
    assert "http://testserver/fr/centres/centre-x2/" in second


def sitemap_queries(client):
    counts = []
    for url in ("/sitemap.xml", "/sitemap-pages-1.xml", "/sitemap-centres-1.xml"):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
    return counts


def test_the_sitemap_costs_the_same_queries_whatever_the_size_of_the_site(client, public_site):
    about = StandardPage.objects.get(slug="about")
    for n in range(2):
        standard_page(about, f"small-{n}")
        CentreFactory()
    client.get("/sitemap-pages-1.xml")  # Wagtail's site root paths into the cache
    small = sitemap_queries(client)
    for n in range(8):
        standard_page(about, f"large-{n}")
        CentreFactory()
    large = sitemap_queries(client)
    assert small == large
    assert max(large) <= 12


def og_tags(html):
    """[(property or name, content)] of the <meta> tags of Open Graph and Twitter."""
    return re.findall(r'<meta (?:property|name)="((?:og|twitter):[^"]+)" content="([^"]*)"', html)


def test_every_public_page_has_open_graph_tags_once(client, public_site):
    project = funded_project(title="Shared Stages")
    CentreFactory(slug="la-friche", name="La Friche")
    about = StandardPage.objects.get(slug="about")
    about.search_description = "Who we are."
    about.save_revision().publish()

    tags = dict(og_tags(client.get("/en/about/").content.decode()))
    assert tags == {
        "og:site_name": "Ensemble",
        "twitter:card": "summary",
        "og:type": "website",
        "og:title": "About",
        "og:description": "Who we are.",
        "og:url": "http://testserver/en/about/",
        "og:locale": "en_GB",
        "og:locale:alternate": "fr_FR",
    }
    french = dict(og_tags(client.get("/fr/a-propos/").content.decode()))
    assert (french["og:locale"], french["og:locale:alternate"]) == ("fr_FR", "en_GB")

    # Pages that override some of the tags (a project, a centre) still write each tag once.
    for url in (pages_of(project, "en").url, "/en/centres/la-friche/"):
        html = client.get(url).content.decode()
        names = [name for name, _content in og_tags(html)]
        assert len(names) == len(set(names)), url
        tags = dict(og_tags(html))
        assert tags["og:url"] == f"http://testserver{url}"
        assert {"og:title", "og:type", "og:site_name", "og:locale"} <= set(tags)
        assert html.count('<link rel="canonical"') == 1
    assert dict(og_tags(client.get("/en/centres/la-friche/").content.decode()))["og:title"] == (
        "La Friche"
    )


def test_pages_outside_the_public_site_have_no_open_graph_tags(client, site_tree):
    html = client.get("/accounts/login/").content.decode()
    assert og_tags(html) == []
    assert '<link rel="canonical"' not in html
