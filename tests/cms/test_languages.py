"""Both languages of the public site: every page announces its other language (hreflang, with
x-default), French pages under their own slugs, and the language switcher keeps the page, the
routed sub-page and the query string."""

import re

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from cms.models import CentreIndexPage, StandardPage
from cms.navigation import language_links
from tests.factories import CentreFactory

pytestmark = pytest.mark.django_db

SECTIONS = [
    ("", ""),
    ("projects/", "projets/"),
    ("fair/", "bourse/"),
    ("centres/", "centres/"),
    ("calls/", "appels/"),
    ("insights/", "en-chiffres/"),
    ("resources/", "ressources/"),
    ("news/", "actualites/"),
    ("about/", "a-propos/"),
]


def alternates(html):
    """{hreflang: href} of the page's <link rel="alternate" hreflang> tags."""
    found = re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html)
    assert len(found) == len(dict(found)), "an alternate announced twice"
    return dict(found)


def switcher(html):
    """{language code: href} of the language switcher's links (the current one has none)."""
    nav = html.partition('<nav class="language-switcher"')[2].partition("</nav>")[0]
    return {code: href for href, code in re.findall(r'<a href="([^"]+)" hreflang="([^"]+)"', nav)}


def test_each_section_links_its_other_language(client, public_site):
    # One test for all sections: building the site tree is the slow part.
    for english, french in SECTIONS:
        en_url, fr_url = f"http://testserver/en/{english}", f"http://testserver/fr/{french}"
        expected = {"en": en_url, "fr": fr_url, "x-default": en_url}

        english_html = client.get(f"/en/{english}").content.decode()
        assert alternates(english_html) == expected, english
        assert switcher(english_html) == {"fr": f"/fr/{french}"}
        assert f'<link rel="canonical" href="{en_url}">' in english_html

        french_response = client.get(f"/fr/{french}")
        assert french_response.status_code == 200
        french_html = french_response.content.decode()
        assert '<html lang="fr">' in french_html
        assert alternates(french_html) == expected, french
        assert switcher(french_html) == {"en": f"/en/{english}"}
        assert f'<link rel="canonical" href="{fr_url}">' in french_html


def test_a_page_without_translation_announces_no_address_that_would_not_answer(client, public_site):
    about = StandardPage.objects.get(slug="about")
    only_english = about.add_child(
        instance=StandardPage(title="Only in English", slug="only-english", intro="")
    )
    only_english.save_revision().publish()
    html = client.get("/en/about/only-english/").content.decode()
    assert alternates(html) == {
        "en": "http://testserver/en/about/only-english/",
        "x-default": "http://testserver/en/about/only-english/",
    }
    # People may still try the other language: the same address there.
    assert switcher(html) == {"fr": "/fr/about/only-english/"}


def test_the_switcher_keeps_the_query_string(client, public_site):
    html = client.get("/en/projects/?country=FR&year=2026").content.decode()
    assert switcher(html) == {"fr": "/fr/projets/?country=FR&amp;year=2026"}
    # Search engines get the listing itself: the facets are not separate pages.
    assert alternates(html)["fr"] == "http://testserver/fr/projets/"
    assert '<link rel="canonical" href="http://testserver/en/projects/">' in html


def test_a_routed_centre_page_links_the_same_centre_in_the_other_language(client, public_site):
    CentreFactory(slug="la-friche", name="La Friche")
    html = client.get("/en/centres/la-friche/").content.decode()
    assert alternates(html) == {
        "en": "http://testserver/en/centres/la-friche/",
        "fr": "http://testserver/fr/centres/la-friche/",
        "x-default": "http://testserver/en/centres/la-friche/",
    }
    assert switcher(html) == {"fr": "/fr/centres/la-friche/"}
    french = client.get("/fr/centres/la-friche/").content.decode()
    assert switcher(french) == {"en": "/en/centres/la-friche/"}


def test_a_routed_page_keeps_its_sub_path_and_query_under_another_slug(public_site):
    """The showcase's feed or a filtered sub-page of a section whose slug differs by language:
    the translation's address, then the route, then the query."""
    directory = CentreIndexPage.objects.get(locale__language_code="en")
    request = RequestFactory().get("/en/centres/connections/", {"country": "FR"})
    with translation.override("en"):
        links = {link["code"]: link for link in language_links(request, directory)}
    assert links["fr"]["url"] == "/fr/centres/connections/?country=FR"
    assert links["fr"]["absolute_url"] == "http://testserver/fr/centres/connections/"
    assert links["en"]["current"] and links["en"]["default"]
    assert links["fr"]["translated"] and not links["fr"]["current"]
    assert (links["en"]["og_locale"], links["fr"]["og_locale"]) == ("en_GB", "fr_FR")

    showcase = public_site.get_children().get(slug="projects").specific
    request = RequestFactory().get("/en/projects/feed/")
    with translation.override("en"):
        links = {link["code"]: link for link in language_links(request, showcase)}
    assert links["fr"]["url"] == "/fr/projets/feed/"


def test_the_links_of_a_routed_page_come_from_the_cache(client, public_site):
    CentreFactory(slug="la-friche")
    client.get("/en/centres/la-friche/")
    with CaptureQueriesContext(connection) as captured:
        html = client.get("/en/centres/la-friche/").content.decode()
    assert 'hreflang="fr" href="http://testserver/fr/centres/la-friche/"' in html
    assert not any("translation_key" in query["sql"].partition(" WHERE ")[2] for query in captured)
