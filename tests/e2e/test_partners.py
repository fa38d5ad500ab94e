"""A lead finds and invites partner centres; a partner accepts and signs the mandate; a centre
asks to join from the Project Fair's link. In a real browser, with htmx and without."""

import re

import pytest
from playwright.sync_api import expect

from projects.models import Discipline, Partnership
from tests.e2e.conftest import assert_accessible
from tests.e2e.conftest import log_in as e2e_log_in
from tests.factories import CentreFactory
from tests.factories.uploads import HTML, pdf_bytes
from tests.workflow.conftest import build_draft
from workflow import services
from workflow.states import PartnershipState

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery"  # UserFactory's default


def log_in(page, live_server, username, then):
    e2e_log_in(page, live_server, username, PASSWORD, then=then)


def log_out(page):
    page.get_by_role("button", name=re.compile("^Log out")).click()
    page.wait_for_load_state()


def test_the_lead_invites_partners_who_accept_and_sign(
    live_server, site_tree, cast, page, output_dir
):
    theatre = Discipline.objects.create(name="Theatre", name_fr="Théâtre", slug="theatre")
    cast.partner_centre.disciplines.add(theatre)
    CentreFactory(name="Cultuurcentrum Gent", country="BE").disciplines.add(theatre)
    CentreFactory(name="Casa da Cultura do Porto", country="PT")
    project = build_draft(cast)
    partners = f"/workspace/projects/{project.pk}/partners/"

    # The lead opens the partners page from the proposal's section nav.
    log_in(page, live_server, "lead", then=f"/workspace/projects/{project.pk}/")
    page.get_by_role("navigation", name="This proposal").get_by_role(
        "link", name="Partners"
    ).click()
    page.wait_for_url(f"{live_server.url}{partners}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Partners")
    expect(page.locator("#consortium")).to_contain_text("Maison de la culture de Lyon")
    page.screenshot(path=output_dir / "1-lead-partners.png", full_page=True)
    assert_accessible(page)

    # htmx: typing a name shows the results without reloading the page.
    marker = page.evaluate("window.__partnersMarker = Math.random()")
    search = page.get_by_role("search", name="Partner centres")
    search.get_by_label("Name of the centre, or part of it").fill("liège")
    results = page.locator("#search-results")
    expect(results.get_by_role("heading", name="Centre culturel de Liège")).to_be_visible()
    expect(page.locator("#search-count")).to_have_text("1 centre found.")
    assert page.evaluate("window.__partnersMarker") == marker  # the same page, not reloaded
    expect(page).to_have_url(re.compile(r"\?q=li%C3%A8ge"))  # the search is in the address
    page.screenshot(path=output_dir / "2-search-by-name.png", full_page=True)

    results.get_by_role("button", name="Invite Centre culturel de Liège").click()
    expect(page.get_by_role("status").first).to_contain_text("Centre culturel de Liège is invited.")
    pending = page.locator("section", has=page.locator("#pending-title"))
    expect(pending).to_contain_text("Invitation sent (1)")
    # Back on the same search: the centre now shows its state instead of a button.
    expect(page.locator("#search-results")).to_contain_text("In this proposal: State: Invited")

    # Only the countries the consortium lacks: France (lead) and Belgium (invited) drop out.
    search.get_by_label("Name of the centre, or part of it").fill("")
    search.get_by_label("Only countries not yet in this consortium").check()
    expect(page.locator("#search-count")).to_have_text("3 centres found.")
    expect(results).not_to_contain_text("Cultuurcentrum Gent")
    expect(results).to_contain_text("Kulturni centar Zagreb")
    search.get_by_label("Country").select_option(label="Croatia")
    expect(page.locator("#search-count")).to_have_text("1 centre found.")
    page.screenshot(path=output_dir / "3-search-new-countries.png", full_page=True)
    assert_accessible(page)
    results.get_by_role("button", name="Invite Kulturni centar Zagreb").click()
    expect(page.get_by_role("status").first).to_contain_text("Kulturni centar Zagreb is invited.")
    expect(pending).to_contain_text("Invitations sent (2)")
    page.screenshot(path=output_dir / "4-two-invited.png", full_page=True)
    log_out(page)

    # The partner's manager accepts, then signs the mandate (a wrong file first).
    log_in(page, live_server, "partner", then=partners)
    expect(
        page.get_by_role("heading", name="Your centre: Centre culturel de Liège")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Find partner centres")).to_have_count(0)
    page.screenshot(path=output_dir / "5-partner-invited.png", full_page=True)
    assert_accessible(page)
    page.get_by_role("button", name="Accept the invitation — Centre culturel de Liège").click()
    expect(page.get_by_role("status").first).to_contain_text("Done: Accept the invitation.")
    expect(page.locator("#consortium")).to_contain_text("Centre culturel de Liège")

    mandate = page.locator("form", has=page.get_by_role("button", name=re.compile("Sign the")))
    mandate.get_by_label(re.compile("I commit Centre culturel de Liège")).check()
    mandate.get_by_label("Signed mandate (optional)").set_input_files(
        files=[{"name": "mandate.pdf", "mimeType": "application/pdf", "buffer": HTML}]
    )
    mandate.get_by_role("button", name=re.compile("Sign the mandate")).click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("This type of file is not accepted. Accepted: PDF.")
    expect(alert).to_be_focused()
    file_field = page.get_by_label("Signed mandate (optional)")
    expect(file_field).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label(re.compile("I commit Centre culturel de Liège"))).to_be_checked()
    page.screenshot(path=output_dir / "6-mandate-bad-file.png", full_page=True)
    assert_accessible(page)

    file_field.set_input_files(
        files=[{"name": "mandate.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}]
    )
    page.get_by_role("button", name=re.compile("Sign the mandate")).click()
    expect(page.get_by_role("status").first).to_contain_text("The mandate is signed.")
    expect(page.get_by_role("link", name="Download the signed PDF")).to_be_visible()
    page.screenshot(path=output_dir / "7-mandate-signed.png", full_page=True)

    partnership = Partnership.objects.get(project=project, centre=cast.partner_centre)
    assert partnership.state == PartnershipState.CONFIRMED
    assert partnership.mandate_signed_by == cast.partner_manager
    assert partnership.mandate_file.name.endswith(".pdf")
    log_out(page)

    # partner2 accepts too (on a phone, nothing overflows sideways).
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "partner2", then=partners)
    page.screenshot(path=output_dir / "8-partner2-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("button", name="Accept the invitation — Kulturni centar Zagreb").click()
    expect(page.get_by_role("status").first).to_contain_text("Done: Accept the invitation.")
    assert (
        Partnership.objects.get(project=project, centre=cast.partner2_centre).state
        == PartnershipState.CONFIRMED
    )


def test_a_centre_asks_to_join_and_a_partner_leaves(live_server, site_tree, cast, page, output_dir):
    project = build_draft(cast, sought_partner_profile="A centre with a puppet theatre.")
    services.project_transition(
        project_id=project.pk, name="open_partner_search", actor=cast.lead_manager
    )

    # The Project Fair's "request to join" link: the page asks which centre.
    log_in(page, live_server, "other", then=f"/workspace/projects/{project.pk}/join/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ask to join")
    expect(page.get_by_text("A centre with a puppet theatre.")).to_be_visible()
    expect(page.get_by_role("radio", name="Kulturhaus Graz")).to_be_checked()
    page.screenshot(path=output_dir / "1-join.png", full_page=True)
    assert_accessible(page)
    page.get_by_role("button", name="Send the request to join").click()
    page.wait_for_url(f"{live_server.url}/workspace/projects/{project.pk}/partners/")
    expect(page.get_by_role("status").first).to_contain_text("Your request to join is sent.")
    expect(page.locator("section", has=page.locator("#pending-title"))).to_contain_text(
        "Request to join (1)"
    )
    page.screenshot(path=output_dir / "2-request-sent.png", full_page=True)
    log_out(page)

    # The lead's manager accepts the request.
    log_in(page, live_server, "lead", then=f"/workspace/projects/{project.pk}/partners/")
    page.get_by_role("button", name="Accept the request — Kulturhaus Graz").click()
    expect(page.get_by_role("status").first).to_contain_text("Done: Accept the request.")
    expect(page.locator("#consortium")).to_contain_text("Kulturhaus Graz")
    log_out(page)

    # The centre then leaves, after confirming.
    log_in(page, live_server, "other", then=f"/workspace/projects/{project.pk}/partners/")
    page.get_by_role("link", name="Leave the project — Kulturhaus Graz").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Should Kulturhaus Graz leave this proposal?"
    )
    page.screenshot(path=output_dir / "3-leave-confirm.png", full_page=True)
    assert_accessible(page)
    page.get_by_role("button", name="Leave the project — Kulturhaus Graz").click()
    expect(page.get_by_role("status").first).to_contain_text("Done: Leave the project.")
    expect(page.locator("#consortium")).to_contain_text("Withdrawn")
    page.screenshot(path=output_dir / "4-left.png", full_page=True)
    assert (
        Partnership.objects.get(project=project, centre=cast.other_centre).state
        == PartnershipState.WITHDRAWN
    )


def test_the_search_works_without_javascript(live_server, site_tree, cast, browser, output_dir):
    project = build_draft(cast)
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    try:
        log_in(page, live_server, "lead", then=f"/workspace/projects/{project.pk}/partners/")
        search = page.get_by_role("search", name="Partner centres")
        search.get_by_label("Country").select_option(label="Belgium")
        search.get_by_role("button", name="Search").click()
        page.wait_for_url(re.compile(r"\?q=&country=BE"))
        expect(page.locator("#search-count")).to_have_text("1 centre found.")
        page.get_by_role("button", name="Invite Centre culturel de Liège").click()
        page.wait_for_url(re.compile(r"country=BE"))
        expect(page.locator("#search-results")).to_contain_text("In this proposal: State: Invited")
        page.screenshot(path=output_dir / "no-js-invited.png", full_page=True)
    finally:
        context.close()
    assert Partnership.objects.get(centre=cast.partner_centre).state == PartnershipState.INVITED
