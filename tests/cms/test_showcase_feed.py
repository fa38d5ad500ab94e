"""The Atom feed of newly funded projects (/en/projects/feed/, /fr/projets/feed/)."""

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from cms.showcase import FEED_SIZE
from tests.cms.showcase_data import funded_project, pages_of

pytestmark = pytest.mark.django_db

ATOM = {"atom": "http://www.w3.org/2005/Atom"}


def feed(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def test_the_feed_lists_the_newest_funded_projects_first(client, public_site):
    older = funded_project(title="Older", acronym="OLD", funded_on=date(2025, 3, 1))
    funded_project(title="Newer", acronym="NEW", funded_on=date(2026, 5, 1), summary="Masks.")
    hidden = funded_project(title="Unpublished", funded_on=date(2026, 6, 1))
    pages_of(hidden).unpublish()

    root = feed(client, "/en/projects/feed/")

    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    assert root.find("atom:title", ATOM).text.startswith("Newly funded projects")
    assert root.find("atom:link[@rel='self']", ATOM).get("href") == (
        "http://testserver/en/projects/feed/"
    )
    entries = root.findall("atom:entry", ATOM)
    assert [e.find("atom:title", ATOM).text for e in entries] == ["Newer (NEW)", "Older (OLD)"]
    newer = entries[0]
    assert newer.find("atom:link", ATOM).get("href").startswith("http://testserver/en/projects/")
    assert newer.find("atom:summary", ATOM).text == "Masks."
    assert newer.find("atom:published", ATOM).text.startswith("2026-05-01")
    assert newer.find("atom:updated", ATOM).text
    # The entry's id is a tag URI that survives a change of the page's address.
    entry_id = entries[1].find("atom:id", ATOM).text
    assert entry_id.startswith("tag:testserver,2025:project/")
    page = pages_of(older)
    page.slug = "renamed"
    page.save_revision().publish()
    again = feed(client, "/en/projects/feed/").findall("atom:entry", ATOM)[1]
    assert again.find("atom:id", ATOM).text == entry_id
    assert again.find("atom:link", ATOM).get("href") == "http://testserver/en/projects/renamed/"


def test_the_french_feed_has_the_french_pages(client, public_site):
    funded_project(title="Scènes partagées")

    root = feed(client, "/fr/projets/feed/")

    (entry,) = root.findall("atom:entry", ATOM)
    assert entry.find("atom:link", ATOM).get("href").startswith("http://testserver/fr/projets/")
    assert entry.find("atom:id", ATOM).text.endswith("/fr")
    assert (
        root.find("atom:id", ATOM).text
        != feed(client, "/en/projects/feed/").find("atom:id", ATOM).text
    )


def test_the_feed_has_at_most_the_thirty_newest(client, public_site, monkeypatch):
    monkeypatch.setattr("cms.showcase.FEED_SIZE", 2)
    for day in (1, 2, 3):
        funded_project(title=f"Day {day}", funded_on=date(2026, 4, day))

    entries = feed(client, "/en/projects/feed/").findall("atom:entry", ATOM)

    assert [e.find("atom:title", ATOM).text.split(" (")[0] for e in entries] == ["Day 3", "Day 2"]
    assert FEED_SIZE == 30


def test_an_empty_feed_is_valid(client, public_site):
    root = feed(client, "/en/projects/feed/")

    assert root.findall("atom:entry", ATOM) == []
    assert root.find("atom:updated", ATOM) is not None


def test_the_feed_runs_a_fixed_number_of_queries(client, public_site):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        client.get("/en/projects/feed/")  # publishing clears Wagtail's caches: warm them
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/en/projects/feed/").status_code == 200
        return len(queries)

    funded_project()
    funded_project()
    small = count()
    for _ in range(4):
        funded_project()
    assert count() == small <= 12
