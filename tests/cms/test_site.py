"""The public site skeleton: home page in two languages, layout, accessibility basics."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CallFactory, CentreFactory

pytestmark = pytest.mark.django_db


def test_root_redirects_by_the_visitors_language(client, site_tree):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="fr-BE,fr;q=0.9")["Location"] == "/fr/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="de-DE,en;q=0.5")["Location"] == "/en/"


@pytest.mark.parametrize(
    ("path", "lang", "headline", "skip"),
    [
        ("/en/", "en", "Cultural centres making things together", "Skip to main content"),
        ("/fr/", "fr", "Des centres culturels qui créent ensemble", "Aller au contenu principal"),
    ],
)
def test_the_home_page_in_each_language(client, site_tree, path, lang, headline, skip):
    CentreFactory(country="FR")
    CentreFactory(country="HR")
    CallFactory(title="Joint Projects 2027")
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert headline in html.replace("&#x27;", "'")
    assert f'<a class="skip-link" href="#main">{skip}</a>' in html
    assert '<main id="main"' in html
    assert "Joint Projects 2027" in html
    # Both languages are linked for search engines and for people.
    assert 'hreflang="en" href="http://testserver/en/"' in html
    assert 'hreflang="fr" href="http://testserver/fr/"' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html


def test_the_home_page_figures_count_the_network(client, site_tree):
    for country in ("FR", "FR", "BE"):
        CentreFactory(country=country)
    response = client.get("/en/")
    figures = response.context["figures"]
    assert figures["centres"] == 3
    assert figures["countries"] == 2


def test_the_home_page_runs_a_fixed_number_of_queries(client, site_tree):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/en/").status_code == 200
        return len(captured)

    CentreFactory()
    CallFactory()
    queries()  # the first request warms Wagtail's site-root cache
    small = queries()
    for _ in range(20):
        CentreFactory()
        CallFactory()
    # The new centres and calls cleared the cached network figures (1 query) and open calls
    # (2: the calls, the next opening): computed once, then read from the cache again.
    assert queries() == small + 3
    assert queries() == small


def test_public_pages_carry_a_content_security_policy(client, site_tree):
    policy = client.get("/en/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


def test_an_unknown_page_is_a_friendly_404(client, site_tree):
    response = client.get("/en/no-such-page/")
    assert response.status_code == 404


def test_health_check(client):
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok", "cache": "ok"}


@pytest.mark.parametrize(
    "url", ["/api/v1/projects/?q=a%00", "/api/v1/centres/?country=%00", "/en/?x%00=1"]
)
def test_nul_characters_in_the_query_are_refused_with_400(client, site_tree, url):
    assert client.get(url).status_code == 400
