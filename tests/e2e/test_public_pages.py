"""The home page, the calls, a call's page, the network in figures and the resource hub, in
a real browser, each checked with axe-core."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.documents.models import Document

from cms.models import ResourceHubPage, StandardPage
from cms.sync import call_pages_sync
from tests.cms.showcase_data import funded_project
from tests.e2e.conftest import assert_accessible
from tests.factories import AwardCriterionFactory, CallFactory, CallTierFactory

pytestmark = pytest.mark.django_db(transaction=True)


def a_call(title, opens_in_days, closes_in_days, **fields):
    now = timezone.now()
    call = CallFactory(
        title=title,
        opens_at=now + timedelta(days=opens_in_days),
        deadline=now + timedelta(days=closes_in_days),
        **fields,
    )
    call_pages_sync(call_id=call.pk)  # as the call's after-commit hook does
    return call


def test_public_pages_in_a_browser(live_server, public_site, page, output_dir):
    call = a_call(
        "Joint Projects 2027",
        -10,
        30,
        summary="Stages, studios and archives shared by centres in two countries or more.",
    )
    AwardCriterionFactory(call=call, name="Relevance", description="How well it fits the call.")
    AwardCriterionFactory(call=call, name="Partnership", description="Who does what, and why.")
    CallTierFactory(call=call, name="Small", max_grant=Decimal("30000"))
    CallTierFactory(call=call, name="Large", max_grant=Decimal("120000"), min_countries=3)
    a_call("Mobility 2028", 40, 100, summary="Staff exchanges between centres.")
    past = a_call("Joint Projects 2025", -400, -300)
    funded_project(call=past, title="Shared Stages", countries=("FR", "DE"), themes=("heritage",))
    funded_project(
        call=call, title="River Voices", countries=("IT", "BE", "PT"), themes=("music", "youth")
    )
    document = Document.objects.create(
        title="Touring together: a study",
        file=ContentFile(b"%PDF-1.4 a small study", name="touring-study.pdf"),
    )
    hub = ResourceHubPage.objects.get(locale__language_code="en")
    hub.resources = [
        ("document", {"document": document, "kind": "study", "description": "What we learnt."})
    ]
    hub.save_revision().publish()
    hub.add_child(instance=StandardPage(title="Writing a budget", slug="budget", intro="Costs."))

    page.goto(f"{live_server.url}/en/")
    assert page.get_by_role("heading", name="Recently funded projects").is_visible()
    assert page.get_by_role("link", name="River Voices").is_visible()
    # The open call's card links to its page.
    open_call = page.locator("#calls-title ~ ul").get_by_role("link", name="Joint Projects 2027")
    assert open_call.get_attribute("href") == f"/en/calls/{call.slug}/"
    # Every figure fits its box (the total granted is the widest).
    overflowing = page.eval_on_selector_all(
        ".figure-grid div", "boxes => boxes.filter(b => b.scrollWidth > b.clientWidth).length"
    )
    assert overflowing == 0
    page.screenshot(path=output_dir / "home.png", full_page=True)
    assert_accessible(page)

    page.get_by_role("link", name="All calls: open, upcoming and past").click()
    page.wait_for_url(f"{live_server.url}/en/calls/")
    for heading in ("Open calls", "Upcoming calls", "Past calls"):
        assert page.get_by_role("heading", name=heading, exact=True).is_visible()
    page.screenshot(path=output_dir / "calls.png", full_page=True)
    assert_accessible(page)

    page.get_by_role("link", name="Joint Projects 2027").click()
    page.wait_for_url(f"{live_server.url}/en/calls/{call.slug}/")
    assert page.locator("h1").inner_text() == "Joint Projects 2027"
    assert page.get_by_role("link", name="Log in to propose a project").is_visible()
    assert page.get_by_role("link", name="River Voices").is_visible()
    page.screenshot(path=output_dir / "call.png", full_page=True)
    assert_accessible(page)

    page.goto(f"{live_server.url}/en/insights/")
    assert page.get_by_role("table", name="Projects funded each year").is_visible()
    assert page.get_by_role("link", name="Grants (CSV)").is_visible()
    page.screenshot(path=output_dir / "insights.png", full_page=True)
    assert_accessible(page)

    page.goto(f"{live_server.url}/en/resources/")
    assert page.get_by_role("link", name="Touring together: a study").is_visible()
    page.screenshot(path=output_dir / "resources.png", full_page=True)
    assert_accessible(page)

    # The French figures page, with its own slug and numbers formatted in French.
    page.goto(f"{live_server.url}/fr/en-chiffres/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert "Allemagne" in page.locator("main").inner_text()
    assert_accessible(page)
