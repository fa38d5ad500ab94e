"""The layout's menu, language links and admin link: cached, yet never stale."""

import re
from datetime import timedelta
from unittest.mock import patch

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Page

from cms.cache import LocalMemo
from projects import selectors
from projects.models import Call
from projects.selectors import (
    HOME_OPEN_CALLS_KEY,
    NETWORK_FIGURES_KEY,
    home_open_calls,
    network_figures,
)
from tests.factories import CallFactory, CentreFactory, NetworkFactory
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


def test_the_home_page_runs_no_query(client, site_tree):
    """The open calls, the figures, Wagtail's routing (site, locale, page, view restrictions:
    5 queries), the menu and the language links come from the cache."""
    CentreFactory()
    CallFactory()
    client.get("/en/")
    with CaptureQueriesContext(connection) as captured:
        client.get("/en/")
    assert len(captured) == 0, [query["sql"][:80] for query in captured]


def open_call_titles(client):
    html = client.get("/en/").content.decode()
    return re.findall(r'<li class="card">\s*<h3>([^<]*)</h3>', html)


def test_the_home_page_open_calls_follow_calls_and_networks(client, site_tree):
    call = CallFactory(title="First")
    assert open_call_titles(client) == ["First"]
    call.title = "Renamed"
    call.save()
    assert open_call_titles(client) == ["Renamed"]
    CallFactory(title="Second", deadline=call.deadline + timedelta(days=1))
    assert open_call_titles(client) == ["Renamed", "Second"]
    call.network.name = "Other network"
    call.network.save()
    assert "Other network" in client.get("/en/").content.decode()
    call.delete()
    assert open_call_titles(client) == ["Second"]


def test_the_cached_open_calls_expire_when_the_list_changes_with_the_clock(site_tree):
    """No signal when a deadline passes or a call opens: the entry expires at the first."""
    now = timezone.now()
    CallFactory(deadline=now + timedelta(seconds=40))
    CallFactory(opens_at=now + timedelta(seconds=20))
    with patch("django.core.cache.cache.set") as cache_set:
        assert len(home_open_calls()) == 1
    assert 15 <= cache_set.call_args.kwargs["timeout"] <= 20
    selectors._home_memo.clear()  # this process's copy; another process has none
    with patch("django.core.cache.cache.set") as again:
        # Nothing was stored above (set was a mock): a miss computes and stores again.
        assert len(home_open_calls()) == 1
    assert 15 <= again.call_args.kwargs["timeout"] <= 20
    Call.objects.all().delete()
    cache.delete(HOME_OPEN_CALLS_KEY)
    with patch("django.core.cache.cache.set") as cache_set:
        assert home_open_calls() == []
    assert cache_set.call_args.kwargs["timeout"] == 60


def figures_html(client):
    html = client.get("/en/").content.decode()
    return html.partition('<dl class="figure-grid">')[2].partition("</dl>")[0]


def figure(client, label):
    return figures_html(client).partition(f"<dt>{label}</dt><dd>")[2].partition("</dd>")[0]


def test_the_home_page_figures_come_from_the_cache(client, site_tree):
    CentreFactory(country="FR")
    assert figure(client, "Cultural centres") == "1"
    with CaptureQueriesContext(connection) as captured:
        assert figure(client, "Cultural centres") == "1"
    assert not any("projects_centre" in query["sql"] for query in captured)


def test_the_home_page_figures_follow_centres(client, site_tree):
    centre = CentreFactory(country="FR")
    assert figure(client, "Countries") == "1"
    other = CentreFactory(country="FR")
    assert figure(client, "Cultural centres") == "2"
    other.country = "BE"
    other.save()
    assert figure(client, "Countries") == "2"
    centre.delete()
    assert figure(client, "Cultural centres") == "1"
    assert figure(client, "Countries") == "1"


def test_the_home_page_figures_follow_calls_and_networks(client, site_tree):
    assert figure(client, "Open calls") == "0"
    call = CallFactory()
    assert figure(client, "Open calls") == "1"
    networks = int(figure(client, "Networks"))
    call.deadline = timezone.now() - timedelta(days=1)  # closed by hand
    call.save()
    assert figure(client, "Open calls") == "0"
    call.deadline = timezone.now() + timedelta(days=30)
    call.save()
    assert figure(client, "Open calls") == "1"
    call.delete()
    assert figure(client, "Open calls") == "0"
    NetworkFactory()
    assert figure(client, "Networks") == str(networks + 1)


def test_the_cached_figures_expire_within_a_minute(client, site_tree):
    """A call opening or closing with the clock fires no signal: the figures expire."""
    client.get("/en/")
    with patch("django.core.cache.cache.set") as cache_set:
        cache.delete(NETWORK_FIGURES_KEY)
        selectors._home_memo.clear()  # this process's copy; another process has none
        network_figures()
    cache_set.assert_called_once()
    assert cache_set.call_args.kwargs["timeout"] <= 60


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


# --- This process's copies (cms.cache.LocalMemo) -------------------------------------------


def test_a_local_copy_lives_its_seconds_then_is_read_again():
    memo = LocalMemo(seconds=2)
    with patch("cms.cache.time.monotonic", return_value=100.0):
        memo.set("k", "v")
        assert memo.get("k") == "v"
    with patch("cms.cache.time.monotonic", return_value=101.9):
        assert memo.get("k") == "v"
    with patch("cms.cache.time.monotonic", return_value=102.0):
        assert memo.get("k") is None
    memo.set("short", "v", seconds=0)
    assert memo.get("short") is None  # never longer than asked, never longer than its own


def test_the_local_copies_are_bounded():
    memo = LocalMemo(seconds=60, max_entries=3)
    for n in range(4):
        memo.set(n, n)
    assert memo.get(3) == 3
    assert memo.get(0) is None


def test_another_process_changing_the_navigation_is_seen_within_two_seconds(site_tree):
    from cms import navigation

    with patch("cms.cache.time.monotonic", return_value=1000.0):
        seen = navigation.navigation_version()
        cache.set(navigation.VERSION_KEY, "changed-by-another-worker", timeout=None)
        assert navigation.navigation_version() == seen
    with patch("cms.cache.time.monotonic", return_value=1002.0):
        assert navigation.navigation_version() == "changed-by-another-worker"


def test_a_change_in_this_process_is_seen_at_once(site_tree):
    from cms import navigation

    seen = navigation.navigation_version()
    navigation.navigation_changed()
    assert navigation.navigation_version() != seen


def test_the_open_call_cards_are_formatted_in_each_language(client, site_tree):
    deadline = (timezone.now() + timedelta(days=400)).replace(month=1, day=15, hour=17, minute=0)
    CallFactory(title="Winter call", deadline=deadline, summary="word " * 60)
    english = client.get("/en/").content.decode()
    french = client.get("/fr/").content.decode()
    local = timezone.localtime(deadline)
    assert f"{local.day} January {local.year}" in english
    assert f"{local.day} janvier {local.year}" in french
    assert english.count("word") == 40  # the summary cut at 40 words
