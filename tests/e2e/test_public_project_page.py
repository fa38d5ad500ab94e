"""A funded project's public page in a real browser: English, then French through the
language switcher (which keeps the page), accessible in both; and without JavaScript."""

from decimal import Decimal

import pytest
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from cms.models import ProjectPage, ShowcaseStatus
from cms.sync import call_pages_sync
from tests.cms.showcase_data import funded_project, pages_of
from tests.e2e.conftest import assert_accessible
from tests.factories import CallFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def project(public_site):
    call = CallFactory(title="Joint Projects 2027")
    call_pages_sync(call_id=call.pk)
    project = funded_project(
        countries=("FR", "DE", "IT", "BE"),
        themes=("music", "heritage"),
        call=call,
        title="Shared Stages",
        acronym="SHS",
        summary="Four cultural centres share their stages, their crews and their audiences "
        "for two seasons of touring.",
        awarded=Decimal("48000"),
    )
    ProjectPage.objects.filter(project=project).update(
        status=ShowcaseStatus.COMPLETED,
        results="We toured four cities and played to full houses.",
        indicators={"events": 24, "artists": 60, "audience": {"FR": 900, "DE": 650}},
    )
    page = pages_of(project)
    page.hero_image = Image.objects.create(
        title="The stage in Lyon",
        file=get_test_image_file(colour="#0f5c6e", size=(1600, 900)),
    )
    page.hero_credit = "Jeanne Photo"
    page.body = [("quote", {"quote": "We never felt alone on stage.", "attribution": "Léa"})]
    page.save_revision().publish()
    funded_project(countries=("FR", "PL"), themes=("music",), title="Sounds of Cities")
    funded_project(countries=("DE", "NL"), themes=("heritage",), title="Old Halls, New Voices")
    return project


def test_a_project_page_and_its_french_version(live_server, project, page, output_dir):
    page.goto(f"{live_server.url}/en/projects/{project.slug}/")

    assert page.locator("h1").inner_text() == "Shared Stages (SHS)"
    partners = page.get_by_role("table", name="The partner centres and their share of the grant")
    assert partners.locator("tbody tr").count() == 4
    call_link = page.get_by_role("link", name="Joint Projects 2027")
    assert call_link.get_attribute("href") == f"/en/calls/{project.call.slug}/"
    assert page.get_by_role("heading", name="Results").is_visible()
    assert page.get_by_role("heading", name="Similar projects").is_visible()
    assert page.get_by_role("link", name="Sounds of Cities").is_visible()
    page.screenshot(path=output_dir / "project.png", full_page=True)
    assert_accessible(page)

    page.locator('.language-switcher a[hreflang="fr"]').click()
    page.wait_for_url(f"{live_server.url}/fr/projets/{project.slug}/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text() == "Shared Stages (SHS)"
    assert page.get_by_role("cell", name="Allemagne").is_visible()
    assert page.locator("tbody th a").first.get_attribute("href").startswith("/fr/centres/")
    page.screenshot(path=output_dir / "project-fr.png", full_page=True)
    assert_accessible(page)


def test_the_partners_are_listed_without_javascript(live_server, project, browser):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/en/projects/{project.slug}/")
        assert page.locator("tbody tr").first.is_visible()
        assert page.locator("[data-map]").is_hidden()  # the map is only an extra
    finally:
        context.close()
