"""The centre directory with its map, a centre's page and who worked with whom, in Chromium."""

import pytest

from projects.models import Discipline
from tests.cms.showcase_data import centre_in, funded_project
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_directory_a_centre_and_who_worked_with_whom(
    live_server, public_site, page, output_dir
):
    theatre = Discipline.objects.create(name="Theatre", name_fr="Théâtre", slug="theatre")
    lyon = centre_in(
        "FR",
        name="Maison de la culture de Lyon",
        website="https://maison-lyon.example",
        description="A house of culture by the Rhône: theatre, music and a cinema.",
    )
    lyon.disciplines.add(theatre)
    leipzig = centre_in("DE", name="Kulturhaus Leipzig")
    bologna = centre_in("IT", name="Casa della cultura di Bologna")
    porto = centre_in("PT", name="Casa da Cultura do Porto")
    funded_project(centres=[lyon, leipzig, bologna], title="Shared Stages")
    funded_project(centres=[leipzig, lyon], title="River Songs", year=2025)
    funded_project(centres=[bologna, porto], title="Festa")

    # The directory: the map is drawn, the list is there.
    page.goto(f"{live_server.url}/en/centres/")
    page.wait_for_selector('[data-map="centres-places"][data-ready="true"]')
    assert page.locator(".leaflet-marker-icon").count() == 4
    assert page.get_by_role("link", name="Maison de la culture de Lyon").is_visible()
    page.screenshot(path=output_dir / "directory.png", full_page=True)
    assert_accessible(page)

    # Filtering through the form (no script needed).
    page.get_by_label("Country").select_option("FR")
    page.get_by_role("button", name="Show centres").click()
    page.wait_for_url("**/en/centres/?*country=FR*")
    assert page.locator(".centre-card").count() == 1

    # A centre's page.
    page.get_by_role("link", name="Maison de la culture de Lyon").click()
    page.wait_for_url(f"**/en/centres/{lyon.slug}/")
    assert page.locator("h1").inner_text() == "Maison de la culture de Lyon"
    assert page.get_by_role("link", name="Shared Stages").is_visible()
    assert page.get_by_role("link", name="River Songs").is_visible()
    page.wait_for_selector('[data-map="centre-places"][data-ready="true"]')
    page.screenshot(path=output_dir / "centre.png", full_page=True)
    assert_accessible(page)

    # In French, the same centre.
    page.get_by_role("link", name="Français").click()
    page.wait_for_url(f"**/fr/centres/{lyon.slug}/")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.get_by_role("link", name="English").click()
    page.wait_for_url(f"**/en/centres/{lyon.slug}/")

    # Who worked with whom.
    page.get_by_role("link", name="Who worked with whom across the network").click()
    page.wait_for_url("**/en/centres/connections/")
    table = page.get_by_role("table", name="Pairs of countries")
    assert table.get_by_role("row").count() == 1 + 4  # header + DE–FR, DE–IT, FR–IT, IT–PT
    page.get_by_label("Show who this country worked with").select_option("PT")
    page.get_by_role("button", name="Show", exact=True).click()
    page.wait_for_url("**/connections/?country=PT")
    assert page.get_by_role("heading", name="Countries that worked with Portugal").is_visible()
    page.goto(f"{live_server.url}/en/centres/connections/")
    page.screenshot(path=output_dir / "connections.png", full_page=True)
    assert_accessible(page)
