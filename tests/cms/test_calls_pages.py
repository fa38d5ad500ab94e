"""The calls index (/en/calls/: open, upcoming, past) and a call's page rendering its record."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import formats, timezone, translation

from cms.models import CallPage
from cms.public_selectors import CallStatus, call_status
from cms.sync import call_pages_sync
from tests.cms.query_counts import warm_query_count
from tests.cms.showcase_data import funded_project
from tests.factories import (
    AwardCriterionFactory,
    CallFactory,
    CallTierFactory,
    MembershipFactory,
)

pytestmark = pytest.mark.django_db


def call_with_pages(**fields):
    call = CallFactory(**fields)
    call_pages_sync(call_id=call.pk)
    return call


def days(n):
    return timezone.now() + timedelta(days=n)


def page_of(call, language="en"):
    return CallPage.objects.get(call=call, locale__language_code=language)


def test_the_calls_index_sorts_calls_by_their_dates(client, public_site):
    closing_late = call_with_pages(title="Open late", opens_at=days(-10), deadline=days(40))
    closing_soon = call_with_pages(title="Open soon closed", opens_at=days(-20), deadline=days(3))
    upcoming = call_with_pages(title="Next year", opens_at=days(20), deadline=days(60))
    old = call_with_pages(title="Long ago", opens_at=days(-400), deadline=days(-300))
    recent = call_with_pages(title="Just closed", opens_at=days(-60), deadline=days(-1))

    response = client.get("/en/calls/")

    assert response.status_code == 200
    sections = response.context["sections"]
    assert [card.call for card in sections.open] == [closing_soon, closing_late]
    assert [card.call for card in sections.upcoming] == [upcoming]
    assert [card.call for card in sections.past.object_list] == [recent, old]
    html = response.content.decode()
    # Each section in the page, in that order, each call linking to its page.
    assert html.index("Open soon closed") < html.index("Open late") < html.index("Next year")
    assert html.index("Next year") < html.index("Just closed") < html.index("Long ago")
    assert f'<a href="/en/calls/{closing_soon.slug}/">Open soon closed</a>' in html
    assert html.count('call-status-open">Open</span>') == 2
    assert 'call-status-upcoming">Upcoming</span>' in html
    assert html.count('call-status-closed">Closed</span>') == 2


def test_a_call_is_open_from_its_opening_until_its_deadline():
    call = CallFactory.build(opens_at=days(1), deadline=days(2))
    second = timedelta(seconds=1)
    assert call_status(call, call.opens_at - second) == CallStatus.UPCOMING
    assert call_status(call, call.opens_at) == CallStatus.OPEN
    assert call_status(call, call.deadline - second) == CallStatus.OPEN
    assert call_status(call, call.deadline) == CallStatus.CLOSED


def test_a_call_without_a_page_is_listed_without_a_link(client, public_site):
    CallFactory(title="Not synced yet")  # the sync runs after the commit: not in this test
    html = client.get("/en/calls/").content.decode()
    assert "<h3>Not synced yet</h3>" in html


def test_the_sections_say_when_they_are_empty(client, public_site):
    html = client.get("/en/calls/").content.decode()
    assert "No call is open at the moment." in html
    assert "No call is announced yet." in html
    assert "No call has closed yet." in html


def test_past_calls_are_paginated_and_a_bad_page_number_is_harmless(client, public_site):
    for n in range(12):
        CallFactory(title=f"Past call {n:02}", opens_at=days(-100 - n), deadline=days(-50 - n))
    first = client.get("/en/calls/")
    past = first.context["sections"].past
    assert [card.call.title for card in past.object_list][:2] == ["Past call 00", "Past call 01"]
    assert len(past.object_list) == 10
    assert 'href="?page=2#past-calls" rel="next"' in first.content.decode()
    second = client.get("/en/calls/?page=2").context["sections"].past
    assert [card.call.title for card in second.object_list] == ["Past call 10", "Past call 11"]
    for bad in ("abc", "0", "-1", "99999999999999999999", "%00"):
        response = client.get(f"/en/calls/?page={bad}")
        assert response.status_code in (200, 400), bad
        if response.status_code == 200:
            assert response.context["sections"].past.object_list


def test_the_call_page_renders_the_calls_record(client, public_site):
    call = call_with_pages(
        title="Joint Projects 2027",
        summary="Stages shared across borders.",
        opens_at=days(-5),
        deadline=days(30),
        budget=Decimal("1500000"),
        max_grant=Decimal("80000"),
        max_cofinancing_rate=Decimal("0.75"),
        min_partners=3,
        min_countries=2,
        max_duration_months=18,
    )
    AwardCriterionFactory(
        call=call, name="Relevance", description="Fits the call.", max_score=10, threshold=6
    )
    AwardCriterionFactory(call=call, name="Quality", max_score=20, threshold=12)
    page = page_of(call)
    page.body = [("paragraph", "<p>Read the guide before applying.</p>")]
    page.save_revision().publish()

    response = client.get(f"/en/calls/{call.slug}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Joint Projects 2027</h1>" in html
    assert 'call-status-open">Open</span> Joint projects · ' + call.network.name in html
    assert "Stages shared across borders." in html
    local_deadline = timezone.localtime(call.deadline)
    zone = local_deadline.strftime("%Z")  # CET or CEST: Europe/Brussels
    assert f'<time datetime="{local_deadline.isoformat()}">' in html
    assert f"{local_deadline:%H:%M} ({zone})</time>" in html
    assert "1,500,000 €" in html
    assert "80,000 €" in html
    assert "75 %" in html
    assert "18 months" in html
    assert "60 % of the grant when the project starts" in html
    assert html.index("<h3>Relevance</h3>") < html.index("<h3>Quality</h3>")
    assert "Scored out of 10, at least 6 to pass; weight 1." in html
    assert '<a class="button" href="/workspace/">Log in to propose a project</a>' in html
    assert "Read the guide before applying." in html


def test_a_call_with_tiers_shows_each_tiers_rules(client, public_site):
    call = call_with_pages()
    CallTierFactory(call=call, name="Small", max_grant=Decimal("20000"), max_duration_months=12)
    CallTierFactory(call=call, name="Large", max_grant=Decimal("150000"), min_countries=4)
    html = client.get(f"/en/calls/{call.slug}/").content.decode()
    assert "Tiers and rules" in html
    assert '<th scope="row">Small</th>' in html
    assert "20,000 €" in html
    assert '<th scope="row">Large</th>' in html
    assert "150,000 €" in html


def test_a_member_is_sent_to_the_workspace_and_a_closed_call_takes_no_proposal(client, public_site):
    open_call = call_with_pages()
    closed_call = call_with_pages(opens_at=days(-90), deadline=days(-30))
    upcoming_call = call_with_pages(opens_at=days(10), deadline=days(90))
    client.force_login(MembershipFactory().user)
    html = client.get(f"/en/calls/{open_call.slug}/").content.decode()
    assert "Propose a project in your workspace</a>" in html
    closed = client.get(f"/en/calls/{closed_call.slug}/").content.decode()
    assert 'call-status-closed">Closed</span>' in closed
    assert "/workspace/" not in closed.split("<main")[1]
    upcoming = client.get(f"/en/calls/{upcoming_call.slug}/").content.decode()
    assert 'call-status-upcoming">Upcoming</span>' in upcoming
    assert "before the call opens" in upcoming


def test_the_call_page_lists_the_projects_it_funded(client, public_site):
    call = call_with_pages(opens_at=days(-400), deadline=days(-300))
    first = funded_project(call=call, title="Shared Stages", countries=("FR", "DE"))
    second = funded_project(call=call, title="River Voices", countries=("IT", "BE"))
    funded_project(title="Another call's project")

    response = client.get(f"/en/calls/{call.slug}/")

    html = response.content.decode()
    assert [p.title for p in response.context["detail"].projects] == [
        "River Voices",  # the newest funded first
        "Shared Stages",
    ]
    assert f'<a href="/en/projects/{first.slug}/">Shared Stages</a>' in html
    assert f'<a href="/en/projects/{second.slug}/">River Voices</a>' in html
    assert "France, Germany" in html
    assert "20,000 €" in html
    assert "Another call&#x27;s project" not in html


def test_the_call_page_links_the_showcase_beyond_its_limit(client, public_site, monkeypatch):
    from cms import public_selectors

    monkeypatch.setattr(public_selectors, "CALL_PROJECTS_SHOWN", 1)
    call = call_with_pages(opens_at=days(-400), deadline=days(-300))
    for _ in range(3):
        funded_project(call=call)
    response = client.get(f"/en/calls/{call.slug}/")
    assert len(response.context["detail"].projects) == 1
    assert (
        f'<a href="/en/projects/?call={call.slug}">See all 2 more projects in the showcase</a>'
        in response.content.decode()
    )


def test_the_french_call_page(client, public_site):
    call = call_with_pages(title="Projets communs 2027", opens_at=days(-400), deadline=days(-300))
    project = funded_project(call=call, countries=("FR", "DE"))
    response = client.get(f"/fr/appels/{call.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    with translation.override("fr"):
        deadline = formats.date_format(timezone.localtime(call.deadline), "j F Y")
    assert deadline in html  # the month in French
    assert f'href="/fr/projets/{project.slug}/"' in html
    assert "Allemagne, France" in html
    index = client.get("/fr/appels/").content.decode()
    assert f'href="/fr/appels/{call.slug}/"' in index


def test_a_call_page_whose_call_was_deleted_still_answers(client, public_site):
    call = call_with_pages()
    CallPage.objects.filter(call=call).update(call=None)
    response = client.get(f"/en/calls/{call.slug}/")
    assert response.status_code == 200
    assert "This call is no longer published." in response.content.decode()


def test_the_calls_index_runs_a_fixed_number_of_queries(client, public_site):
    def add_calls(n):
        for _ in range(n):
            call_with_pages(opens_at=days(-10), deadline=days(30))
            call_with_pages(opens_at=days(10), deadline=days(30))
            call_with_pages(opens_at=days(-90), deadline=days(-30))

    add_calls(2)
    small = warm_query_count(client, "/en/calls/")
    add_calls(6)
    large = warm_query_count(client, "/en/calls/")
    assert small == large <= 12


def test_a_call_page_runs_a_fixed_number_of_queries(client, public_site):
    call = call_with_pages(opens_at=days(-400), deadline=days(-300))

    def add(n):
        for _ in range(n):
            funded_project(call=call)
            CallTierFactory(call=call)
            AwardCriterionFactory(call=call)

    add(1)
    url = f"/en/calls/{call.slug}/"
    small = warm_query_count(client, url)
    add(4)
    large = warm_query_count(client, url)
    assert small == large <= 12
