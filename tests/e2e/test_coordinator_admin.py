"""A coordinator manages centres and calls in the Wagtail admin, in a real browser."""

import pytest
from django.urls import reverse

from tests.e2e.conftest import log_in
from tests.factories import CallTierFactory, CentreFactory, MembershipFactory, coordinator

pytestmark = pytest.mark.django_db(transaction=True)


def test_coordinator_searches_centres_and_opens_a_call(live_server, site_tree, page, output_dir):
    coordinator(username="coordinator", password="ensemble-demo", first_name="Claire")
    MembershipFactory(centre=CentreFactory(name="Kulturhaus Graz", city="Graz", country="AT"))
    CentreFactory(name="Maison de la culture de Lyon", city="Lyon", country="FR")
    tier = CallTierFactory(name="Large", call__title="Joint Projects 2027")

    # The admin sends visitors to our login page, then to the two-factor page.
    log_in(page, live_server, "coordinator", "ensemble-demo", then="/admin/")

    page.goto(f"{live_server.url}/admin/network/centres/")
    rows = page.locator("table.listing tbody tr")
    assert rows.count() == 2
    page.goto(f"{live_server.url}/admin/network/centres/?q=graz")
    assert page.locator("table.listing tbody tr").count() == 1
    assert "Kulturhaus Graz" in page.locator("table.listing").inner_text()
    page.screenshot(path=output_dir / "centres-search.png", full_page=True)

    page.goto(f"{live_server.url}{reverse('call:edit', args=[tier.call.pk])}")
    assert page.get_by_role("heading", name="Tiers").first.is_visible()
    assert page.locator("input[value='Large']").count() == 1
    page.screenshot(path=output_dir / "call-edit.png", full_page=True)
