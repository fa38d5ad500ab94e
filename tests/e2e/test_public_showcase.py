"""The showcase in a browser: choose a country in the facets, then search within it."""

import pytest

from tests.cms.showcase_data import centre_in, funded_project
from tests.e2e.conftest import assert_accessible
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_visitor_filters_the_showcase_by_country_then_searches(
    live_server, public_site, page, output_dir
):
    funded_project(
        title="Lyon Leipzig Stages",
        acronym="LLS",
        countries=("FR", "DE"),
        themes=("heritage",),
        summary="Puppeteers tour the riverside towns of the Rhône and the Saale.",
    )
    funded_project(
        title="Bologna Sounds",
        acronym="BOS",
        centres=[centre_in("IT", name="Teatro Comunale"), centre_in("FR"), centre_in("ES")],
        themes=("music",),
        state=ProjectState.COMPLETED,
        summary="Brass bands from three cities rehearse together and tour the festivals.",
    )
    funded_project(
        title="Porto Youth Theatre",
        acronym="PYT",
        countries=("PT", "ES", "IT"),
        themes=("youth",),
        summary="Young actors write a play about the harbour.",
    )

    page.goto(f"{live_server.url}/en/projects/")
    assert page.locator("h1").inner_text() == "Projects"
    assert page.get_by_role("status").first.inner_text().startswith("3 projects")
    page.screenshot(path=output_dir / "showcase.png", full_page=True)
    assert_accessible(page)

    facets = page.get_by_role("navigation", name="Refine the list")
    facets.get_by_role("link", name="Italy").click()
    page.wait_for_url("**/en/projects/?country=IT")
    assert page.get_by_role("status").first.inner_text().startswith("2 projects")

    page.get_by_label("Search the projects").fill("brass")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/en/projects/?country=IT&q=brass")
    cards = page.locator(".project-card h3")
    assert cards.all_inner_texts() == ["Bologna Sounds (BOS)"]
    assert page.get_by_role("link", name="Clear all filters").is_visible()
    # The map fetched its places from its own address, under the same filters: the three
    # partners of the project shown.
    page.wait_for_selector('[data-map="showcase-places"][data-ready="true"]')
    assert page.locator("#showcase-places-map .leaflet-marker-icon").count() == 3
    # The map's list of centres, below the map, names the partners of the project shown.
    page.get_by_text("List of the 3 centres").click()
    assert page.get_by_role("link", name="Teatro Comunale").is_visible()
    page.screenshot(path=output_dir / "showcase-facet.png", full_page=True)
    assert_accessible(page)
