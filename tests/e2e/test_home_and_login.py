"""The home page renders and a demo user logs in, in a real browser."""

import pytest

from tests.factories import CallFactory, CentreFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_home_page_renders_and_a_member_logs_in(live_server, site_tree, page, output_dir):
    CallFactory(title="Joint Projects 2027")
    MembershipFactory(
        centre=CentreFactory(name="Maison de la culture de Lyon"),
        user=UserFactory(username="lead", first_name="Léa", email="lead@ensemble.example"),
    )

    page.goto(f"{live_server.url}/")
    assert page.url == f"{live_server.url}/en/"
    assert (
        page.locator("h1").inner_text() == "Cultural centres making things together across Europe"
    )
    assert page.get_by_role("heading", name="Joint Projects 2027").is_visible()
    page.screenshot(path=output_dir / "home.png", full_page=True)

    # The skip link is the first thing a keyboard reaches, and it lands on the main content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("element => element === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    page.get_by_role("link", name="Log in", exact=True).click()
    page.get_by_label("Username or email").fill("lead@ensemble.example")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    assert (
        page.get_by_role("alert")
        .inner_text()
        .startswith("That username or email and password do not match")
    )
    page.screenshot(path=output_dir / "login-error.png", full_page=True)

    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()
    logout = page.get_by_role("button", name="Log out (Léa)")
    assert logout.is_visible()
    page.screenshot(path=output_dir / "logged-in.png", full_page=True)

    logout.click()
    assert page.get_by_role("link", name="Log in", exact=True).is_visible()


def test_the_language_switcher_leads_to_the_french_home_page(
    live_server, site_tree, page, output_dir
):
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(f"{live_server.url}/en/")
    page.get_by_role("link", name="Français").click()
    assert page.url == f"{live_server.url}/fr/"
    assert page.locator("html").get_attribute("lang") == "fr"
    assert "créent ensemble" in page.locator("h1").inner_text()
    # Nothing overflows sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=output_dir / "home-fr-phone.png", full_page=True)
