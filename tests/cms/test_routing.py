"""Wagtail's site and home-page lookups come from the cache, yet never serve a stale route."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction, Site

pytestmark = pytest.mark.django_db


def queries_of(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response, [query["sql"] for query in captured]


def test_the_site_locale_and_home_page_are_not_queried_again(client, site_tree):
    client.get("/en/")
    response, queries = queries_of(client, "/en/")
    assert response.status_code == 200
    tables = " ".join(queries)
    for table in ("wagtailcore_site", "wagtailcore_locale", "wagtailcore_page", "viewrestriction"):
        assert table not in tables, table


def test_publishing_a_new_title_is_served_at_once(client, site_tree):
    client.get("/en/")
    home = Page.objects.get(pk=site_tree.pk).specific
    home.title = "A renamed home"
    home.save_revision().publish()
    assert "A renamed home" in client.get("/en/").content.decode()


def test_a_child_page_is_routed_moved_and_unpublished(client, site_tree):
    client.get("/en/")
    page = site_tree.add_child(instance=Page(title="About", slug="about"))
    assert client.get("/en/about/").status_code == 200
    other = site_tree.add_child(instance=Page(title="Other", slug="other"))
    Page.objects.get(pk=page.pk).move(other, pos="last-child")
    moved = client.get("/en/about/")  # Wagtail's automatic redirect to the new place
    assert (moved.status_code, moved["Location"]) == (301, "/en/other/about/")
    assert client.get("/en/other/about/").status_code == 200
    Page.objects.get(pk=page.pk).unpublish()
    assert client.get("/en/other/about/").status_code == 404


def test_changing_the_site_changes_the_route(client, site_tree):
    assert client.get("/en/").status_code == 200
    elsewhere = site_tree.add_child(instance=Page(title="Elsewhere", slug="elsewhere"))
    site = Site.objects.get(is_default_site=True)
    site.root_page = elsewhere
    site.save()
    response = client.get("/en/")
    assert response.status_code == 200
    assert "Elsewhere" in response.content.decode()
    Site.objects.all().delete()
    assert client.get("/en/").status_code == 404


def test_a_view_restriction_on_the_home_page_applies_at_once(client, site_tree):
    assert client.get("/en/").status_code == 200
    restriction = PageViewRestriction.objects.create(
        page=Page.objects.get(pk=site_tree.pk), restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(Group.objects.create(name="Insiders"))
    assert client.get("/en/").status_code == 302  # to the login page
    restriction.delete()
    assert client.get("/en/").status_code == 200
