"""The Project Fair in a real browser: a filter, then a member logs in and asks to join a
proposal for one of their centres."""

import pytest

from projects.models import Partnership, Theme
from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import (
    CallFactory,
    CentreFactory,
    JointProjectFactory,
    MembershipFactory,
    PartnershipFactory,
    UserFactory,
)
from workflow.states import PartnershipState, ProjectState

pytestmark = pytest.mark.django_db(transaction=True)


def open_proposal(**fields):
    project = JointProjectFactory(**fields)
    project.__class__.objects.filter(pk=project.pk).update(state=ProjectState.OPEN_FOR_PARTNERS)
    return project


def test_a_member_filters_the_fair_and_asks_to_join(live_server, public_site, page, output_dir):
    call = CallFactory(title="Joint Projects 2027", min_countries=3)
    rural = Theme.objects.create(
        name="Rural culture", name_fr="Culture en milieu rural", slug="rural"
    )
    stories = open_proposal(
        call=call,
        lead_centre=CentreFactory(name="Centre culturel de Liège", city="Liège", country="BE"),
        title="Small Towns, Big Stories",
        acronym="STBS",
        summary="Storytelling festivals in the small towns of three regions.",
        sought_partner_profile="A centre with a puppet theatre, ideally in a rural area.",
    )
    stories.themes.add(rural)
    with_france = open_proposal(
        call=call,
        lead_centre=CentreFactory(name="Kulturni centar Zagreb", city="Zagreb", country="HR"),
        title="Shared Stages",
        acronym="SHS",
    )
    PartnershipFactory(project=with_france, centre=CentreFactory(country="FR", city="Lyon"))
    manager = UserFactory(username="graz", first_name="Greta")
    graz = CentreFactory(name="Kulturhaus Graz", city="Graz", country="AT")
    linz = CentreFactory(name="Kulturhaus Linz", city="Linz", country="AT")
    for centre in (graz, linz):
        MembershipFactory(centre=centre, user=manager, role="manager")

    # A French centre looks for proposals that France is not in yet.
    page.goto(f"{live_server.url}/en/fair/")
    assert page.get_by_role("status").inner_text().startswith("2 proposals")
    page.get_by_label("Still without a partner from").select_option(label="France")
    page.get_by_role("button", name="Show proposals").click()
    page.wait_for_url("**/en/fair/?country=FR**")
    assert page.get_by_role("status").inner_text().startswith("1 proposal is looking")
    assert page.get_by_role("heading", name="Small Towns, Big Stories (STBS)").is_visible()
    assert page.get_by_role("heading", name="Shared Stages (SHS)").count() == 0
    assert page.get_by_text("Partners from 2 more countries").is_visible()
    assert page.get_by_role("link", name="Log in to ask to join STBS").is_visible()
    page.screenshot(path=output_dir / "fair.png", full_page=True)
    assert_accessible(page)

    # The member logs in, comes back and asks to join for one of their two centres.
    log_in(page, live_server, "graz", "correct-horse-battery", then="/workspace/")
    page.goto(f"{live_server.url}/en/fair/?country=FR")
    group = page.get_by_role("group", name="Which of your centres asks to join STBS?")
    assert group.get_by_role("radio").count() == 2
    group.get_by_label("Kulturhaus Linz").check()
    page.screenshot(path=output_dir / "fair-join.png", full_page=True)
    assert_accessible(page)
    page.get_by_role("button", name="Ask to join STBS").click()

    page.wait_for_url(f"**/workspace/projects/{stories.pk}/partners/")
    assert page.get_by_text("Your request to join is sent.").is_visible()
    partnership = Partnership.objects.get(project=stories, centre=linz)
    assert partnership.state == PartnershipState.REQUESTED
    assert not Partnership.objects.filter(project=stories, centre=graz).exists()

    # Back on the Fair, only Graz may still ask.
    page.goto(f"{live_server.url}/en/fair/?country=FR")
    group = page.get_by_role("group", name="Which of your centres asks to join STBS?")
    assert group.get_by_role("radio").count() == 1
    assert group.get_by_label("Kulturhaus Graz").is_checked()
    page.screenshot(path=output_dir / "fair-after-join.png", full_page=True)
