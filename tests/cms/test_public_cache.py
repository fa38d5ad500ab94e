"""The shared cache of anonymous public pages (cms/public_cache.py): the same bytes without the
view, never after a committed write or past its TTL, never for a signed-in person, a form or a
POST; the address, its query string, the language and the host make the key."""

import time

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from cms import private_cache, public_cache
from cms.models import StandardPage
from tests.factories import CentreFactory, UserFactory
from tests.workflow.conftest import _approve, advance, build_ready
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_on(settings):
    # The generation is kept only while the private cache watches writes (see the module).
    settings.PRIVATE_PAGE_CACHE = True
    settings.PUBLIC_PAGE_CACHE = True
    settings.PUBLIC_PAGE_CACHE_TTL = 60


def get(client, url, **extra):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **extra)
    return response, len(captured)


def about_page(home, title="About"):
    page = home.add_child(instance=StandardPage(title=title, slug="about", intro="Who we are."))
    page.save_revision().publish()
    return page


def test_a_second_visit_is_the_same_page_without_the_view(client, site_tree):
    first, first_queries = get(client, "/en/")
    assert first.status_code == 200
    assert first["X-Cache"] == "miss"
    assert first_queries > 0
    hit, hit_queries = get(client, "/en/")
    assert hit["X-Cache"] == "hit"
    assert hit_queries == 0
    assert hit.content == first.content
    # What the middleware above adds is added to a kept page as to a fresh one; the headers
    # of the middleware below were kept with it.
    assert hit["Content-Language"] == "en"
    assert "Cookie" in hit["Vary"]
    assert hit["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert hit["Content-Type"] == first["Content-Type"]
    head = client.head("/en/")
    assert head["X-Cache"] == "hit"


def test_robots_and_the_sitemap_are_kept_too(client, site_tree):
    for url in ("/robots.txt", "/sitemap.xml", "/sitemap-pages-1.xml"):
        assert client.get(url)["X-Cache"] == "miss"
        hit, queries = get(client, url)
        assert (hit["X-Cache"], queries) == ("hit", 0)
        assert hit["Content-Type"].startswith(("text/plain", "application/xml"))


def test_publishing_a_page_shows_at_once(client, site_tree, django_capture_on_commit_callbacks):
    about = about_page(site_tree)
    client.get("/en/about/")
    assert client.get("/en/about/")["X-Cache"] == "hit"
    about.title = "About the network"
    with django_capture_on_commit_callbacks(execute=True):
        about.save_revision().publish()
    response = client.get("/en/about/")
    assert response["X-Cache"] == "miss"
    assert b"About the network" in response.content


def test_any_committed_write_invalidates(client, site_tree, django_capture_on_commit_callbacks):
    client.get("/en/")
    assert client.get("/en/")["X-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        CentreFactory()
    assert client.get("/en/")["X-Cache"] == "miss"


def test_a_write_not_yet_committed_does_not_invalidate(client, site_tree):
    client.get("/en/")
    CentreFactory()  # inside the test's transaction, never committed
    assert client.get("/en/")["X-Cache"] == "hit"


def test_a_project_transition_shows_on_the_showcase(
    client, public_site, cast, django_capture_on_commit_callbacks
):
    project = build_ready(cast)
    advance(cast, project, ProjectState.UNDER_REVIEW)
    client.get("/en/projects/")
    kept = client.get("/en/projects/")
    assert kept["X-Cache"] == "hit"
    assert project.title.encode() not in kept.content
    with django_capture_on_commit_callbacks(execute=True):
        _approve(cast, project)  # the transition publishes the project's page
    response = client.get("/en/projects/")
    assert response["X-Cache"] == "miss"
    assert project.title.encode() in response.content


def test_entries_expire_after_the_ttl(client, site_tree, settings):
    settings.PUBLIC_PAGE_CACHE_TTL = 1
    client.get("/en/")
    assert client.get("/en/")["X-Cache"] == "hit"
    time.sleep(1.1)
    assert client.get("/en/")["X-Cache"] == "miss"


def test_a_signed_in_person_is_never_served_nor_stores_a_shared_page(client, site_tree):
    client.get("/en/")
    assert client.get("/en/")["X-Cache"] == "hit"
    member = UserFactory(username="member")
    client.force_login(member)
    signed_in = client.get("/en/")
    assert "X-Cache" not in signed_in
    assert b"Log out" in signed_in.content
    client.logout()
    anonymous = client.get("/en/")
    assert anonymous["X-Cache"] == "hit"
    assert b"Log out" not in anonymous.content


def test_a_waiting_flash_message_skips_the_cache(client, site_tree):
    client.get("/en/")
    client.cookies["messages"] = "something"
    assert "X-Cache" not in client.get("/en/")


def test_query_strings_are_distinct_keys_in_any_order(client, site_tree):
    client.get("/en/?a=1&b=2")
    assert client.get("/en/?b=2&a=1")["X-Cache"] == "hit"
    assert client.get("/en/?a=1&b=3")["X-Cache"] == "miss"
    assert client.get("/en/?a=1")["X-Cache"] == "miss"
    # The order of one parameter's values is kept: a view may read the first or the last.
    client.get("/en/?a=1&a=2")
    assert client.get("/en/?a=2&a=1")["X-Cache"] == "miss"


def test_a_compressed_answer_is_kept_apart_from_the_plain_one(client, public_site):
    from tests.cms.showcase_data import funded_project

    funded_project(countries=("FR", "DE"))
    url = "/en/projects/map/"
    get(client, url, HTTP_ACCEPT_ENCODING="gzip")
    packed, queries = get(client, url, HTTP_ACCEPT_ENCODING="gzip")
    assert (packed["X-Cache"], packed["Content-Encoding"], queries) == ("hit", "gzip", 0)
    plain, _ = get(client, url)  # a client without gzip never gets the compressed bytes
    assert plain["X-Cache"] == "miss" and "Content-Encoding" not in plain
    assert len(plain.json()) == 2


def test_languages_and_hosts_are_distinct_keys(client, site_tree):
    english = client.get("/en/")
    french = client.get("/fr/")
    assert client.get("/en/").content == english.content
    assert client.get("/fr/").content == french.content
    assert b'<html lang="fr">' in client.get("/fr/").content
    assert client.get("/en/", HTTP_HOST="other.example")["X-Cache"] == "miss"
    request = RequestFactory().get("/robots.txt")
    from django.utils import translation

    with translation.override("en"):
        english_key = public_cache.entry_key(request)
    with translation.override("fr"):
        assert public_cache.entry_key(request) != english_key


def test_a_post_is_never_cached_nor_served_from_the_cache(client, site_tree):
    client.get("/en/")
    response = client.post("/en/")
    assert "X-Cache" not in response


def test_a_page_with_a_form_is_not_kept(client, site_tree):
    """A page behind a password shows a form signed with this visitor's CSRF token."""
    about = about_page(site_tree)
    PageViewRestriction.objects.create(page=about, restriction_type="password", password="x")
    for _ in range(2):
        response = client.get("/en/about/")
        assert response.status_code == 200
        assert b"csrfmiddlewaretoken" in response.content
        assert "X-Cache" not in response


def test_only_200_answers_are_kept(client, site_tree):
    for _ in range(2):
        response = client.get("/en/no-such-page/")
        assert response.status_code == 404
        assert "X-Cache" not in response


def test_the_private_areas_and_previews_are_outside(client, site_tree):
    for _ in range(2):
        assert "X-Cache" not in client.get("/accounts/login/")
    request = RequestFactory().get("/en/")
    request.is_dummy = True  # Wagtail's preview
    assert not public_cache._anonymous(request)


def test_off_unless_the_data_generation_is_kept(client, site_tree, settings):
    settings.PRIVATE_PAGE_CACHE = False
    for _ in range(2):
        assert "X-Cache" not in client.get("/en/")


def test_reading_the_public_listings_counts_as_no_write(client, public_site):
    # The filtered showcase counts its facets with a UNION, the Fair lists its choices with
    # one: on PostgreSQL such a read starts with "(" and once counted as a write, so each
    # such page replaced the data generation and was stale as soon as it was stored.
    from tests.cms.showcase_data import funded_project

    funded_project(countries=["FR", "DE"], themes=["music"], year=2024)
    for url in (
        "/en/projects/?country=FR&theme=music",
        "/en/fair/?country=FR",
        "/en/projects/",
        "/en/centres/",
        "/en/",
    ):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        writes = [q["sql"] for q in captured if private_cache.is_write(q["sql"])]
        assert writes == [], url
