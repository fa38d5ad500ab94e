"""Two-factor authentication and the lockout, as a coordinator and an attacker meet them in a
real browser: enrolment with the QR code's key, the recovery codes, the locked-out page; axe-core
finds no serious or critical violation on these pages."""

import base64
import re

import pytest
from django_otp.oath import TOTP

from tests.e2e.conftest import assert_accessible
from tests.factories import UserFactory, coordinator

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "ensemble-demo"


def code_for(secret):
    """What an authenticator app shows for the base32 key typed into it."""
    totp = TOTP(base64.b32decode(secret.replace(" ", "")))
    return f"{totp.token():06d}"


def test_a_coordinator_sets_up_two_factor_before_reaching_the_admin(
    live_server, site_tree, page, output_dir
):
    user = coordinator(username="coordinator")
    user.set_password(PASSWORD)
    user.save()

    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username or email").fill("coordinator")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/accounts/2fa/setup/**")
    assert page.locator(".qr-code svg").is_visible()
    page.screenshot(path=output_dir / "1-setup.png", full_page=True)
    assert_accessible(page)

    page.get_by_label("Code shown by the app").fill("000000")
    page.get_by_role("button", name="Confirm").click()
    # A wrong code is refused in words next to the field, and the field points at them.
    assert page.locator(".field-errors").inner_text().startswith("That code does not match")
    assert "_error" in (
        page.get_by_label("Code shown by the app").get_attribute("aria-describedby") or ""
    )
    page.screenshot(path=output_dir / "1b-wrong-code.png", full_page=True)
    secret = page.locator(".otp-secret").inner_text()
    # django-otp throttles an authenticator after a wrong code (1 s, then doubling): a person
    # takes longer than that to read the next code anyway.
    page.wait_for_timeout(1500)
    page.get_by_label("Code shown by the app").fill(code_for(secret))
    page.get_by_role("button", name="Confirm").click()

    page.get_by_role("heading", name="Your recovery codes").wait_for()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and len(set(codes)) == 10
    page.screenshot(path=output_dir / "2-recovery-codes.png", full_page=True)
    assert_accessible(page)
    page.get_by_role("link", name="I have saved them: continue").click()
    page.wait_for_url(f"{live_server.url}/admin/")
    assert page.get_by_role("heading", name=re.compile("Ensemble")).first.is_visible()
    page.screenshot(path=output_dir / "3-admin.png")


def test_five_wrong_passwords_lock_the_account_out(live_server, site_tree, page, output_dir):
    UserFactory(username="lead").set_password(PASSWORD)

    for _ in range(5):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username or email").fill("lead")
        page.get_by_label("Password").fill("guess")
        page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username or email").fill("lead")
    page.get_by_label("Password").fill(PASSWORD)  # even the right password, now
    with page.expect_response(lambda r: "/accounts/login/" in r.url) as answer:
        page.get_by_role("button", name="Log in").click()
    assert answer.value.status == 429
    assert "/accounts/login/" in page.url
    page.screenshot(path=output_dir / "locked-out.png", full_page=True)
    assert_accessible(page)
