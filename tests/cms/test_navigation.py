"""The layout's menu, language links and admin link: cached, yet never stale."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from projects.selectors import network_figures
from tests.factories import CallFactory, CentreFactory
from tests.factories.auth import verified_login

pytestmark = pytest.mark.django_db


def menu_page(home, title, *, live=True):
    page = home.add_child(
        instance=Page(title=title, slug=title.lower(), show_in_menus=True, live=live)
    )
    if live:
        page.save_revision().publish()
    return page


def nav(client):
    html = client.get("/en/").content.decode()
    return html.partition('<nav class="site-nav"')[2].partition("</nav>")[0]


def test_the_menu_follows_publishing(client, site_tree):
    menu_page(site_tree, "About")
    assert 'href="/en/about/">About</a>' in nav(client)
    assert 'href="/en/about/">About</a>' in nav(client)  # from the cache this time
    later = menu_page(site_tree, "Calls", live=False)
    assert "Calls" not in nav(client)
    later.save_revision().publish()
    assert 'href="/en/calls/">Calls</a>' in nav(client)
    Page.objects.get(pk=later.pk).unpublish()  # a fresh copy: publish() left `later` as it was
    assert "Calls" not in nav(client)
    about = Page.objects.get(slug="about")
    about.title = "About us"
    about.save_revision().publish()
    assert ">About us</a>" in nav(client)
    about.delete()
    assert "About" not in nav(client)


def test_the_layout_reads_the_menu_from_the_cache(client, site_tree):
    menu_page(site_tree, "About")
    client.get("/en/")
    with CaptureQueriesContext(connection) as captured:
        html = client.get("/en/").content.decode()
    assert 'href="/en/about/">About</a>' in html
    assert 'hreflang="fr" href="http://testserver/fr/"' in html
    conditions = [query["sql"].partition(" WHERE ")[2] for query in captured]
    assert not any("show_in_menus" in where for where in conditions)  # the menu
    assert not any("translation_key" in where for where in conditions)  # the language links


def test_the_home_page_runs_two_queries(client, site_tree):
    """The figures (1) and the open calls (1); Wagtail's routing (site, locale, page, view
    restrictions: 5 queries) comes from the cache (cms.routing), as do the menu and language
    links."""
    CentreFactory()
    CallFactory()
    client.get("/en/")
    with CaptureQueriesContext(connection) as captured:
        client.get("/en/")
    assert len(captured) == 2, [query["sql"][:80] for query in captured]


def test_the_network_figures_are_one_query(django_assert_num_queries):
    for country in ("FR", "FR", "BE"):
        CentreFactory(country=country)
    CallFactory()  # open now (the factory's default)
    with django_assert_num_queries(1):
        figures = network_figures()
    assert figures["centres"] == 3
    assert figures["countries"] == 2
    assert figures["open_calls"] == 1
    assert figures["networks"] >= 1


def test_the_network_figures_of_an_empty_network(django_assert_num_queries):
    assert network_figures() == {"networks": 0, "centres": 0, "countries": 0, "open_calls": 0}


def test_the_admin_link_only_for_who_may_use_the_admin(client, site_tree, cast):
    client.force_login(cast.lead_manager)
    with CaptureQueriesContext(connection) as captured:
        html = client.get("/en/").content.decode()
    assert 'href="/admin/"' not in html
    # One question about the admin permission, not every permission of the user and groups.
    permissions = [query["sql"] for query in captured if "auth_permission" in query["sql"]]
    assert len(permissions) == 1
    assert "access_admin" in permissions[0]
    cast.lead_manager.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    assert 'href="/admin/"' in client.get("/en/").content.decode()
    verified_login(client, cast.coordinator)
    assert 'href="/admin/"' in client.get("/en/").content.decode()
