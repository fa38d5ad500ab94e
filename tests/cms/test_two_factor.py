"""Two-factor authentication: required for coordinators and superusers, set up with an
authenticator app, proved with its codes or a single-use recovery code."""

import re
from base64 import b32decode

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cms.accounts.two_factor import recovery_codes_reset
from tests.factories import UserFactory, coordinator
from tests.factories.auth import enrol_authenticator, totp_code, verified_login

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def enrolled(user):
    device = enrol_authenticator(user)
    codes = recovery_codes_reset(user=user)
    return device, codes


def log_in(client, username):
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


@pytest.fixture
def claire():
    return coordinator(username="claire")


@pytest.fixture
def superuser():
    return UserFactory(username="root", is_superuser=True, is_staff=True)


# --- Who must pass it -----------------------------------------------------------------------


def test_a_coordinator_without_a_device_is_sent_to_set_one_up(client, site_tree, claire):
    log_in(client, "claire")
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/setup/?next=%2Fadmin%2F"


def test_an_enrolled_coordinator_is_sent_to_verify(client, site_tree, claire):
    enrolled(claire)
    log_in(client, "claire")
    for url in ("/admin/", "/workspace/", "/en/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/2fa/verify/?next="), url


def test_a_superuser_must_verify_too(client, site_tree, superuser):
    enrolled(superuser)
    log_in(client, "root")
    response = client.get("/admin/")
    assert response["Location"] == "/accounts/2fa/verify/?next=%2Fadmin%2F"


def test_the_api_refuses_an_unverified_session_with_json(client, site_tree, claire):
    enrolled(claire)
    log_in(client, "claire")
    response = client.get("/api/v1/me/")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Confirm your login with a two-factor code first.",
        "code": "otp_required",
    }


def test_some_pages_stay_open_before_verifying(client, site_tree, claire):
    enrolled(claire)
    log_in(client, "claire")
    assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/2fa/verify/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_members_and_reviewers_need_no_second_factor(client, site_tree):
    UserFactory(username="lea")
    log_in(client, "lea")
    assert client.get("/workspace/").status_code == 200
    assert client.get("/accounts/2fa/setup/").status_code == 404


def test_an_htmx_request_is_told_where_to_go(client, site_tree, claire):
    enrolled(claire)
    log_in(client, "claire")
    response = client.get("/workspace/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/accounts/2fa/verify/")


def test_verified_login_passes_the_check(client, site_tree, claire):
    verified_login(client, claire)
    assert client.get("/admin/").status_code == 200


# --- Setting it up --------------------------------------------------------------------------


def test_set_up_an_authenticator_then_see_the_recovery_codes_once(client, site_tree, claire):
    log_in(client, "claire")
    response = client.get("/accounts/2fa/setup/?next=/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_code">Code shown by the app' in html
    # The QR code is inline SVG drawn with attributes: the strict CSP forbids inline styles.
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert "style=" not in svg
    assert "style-src 'self'" in response["Content-Security-Policy"]
    device = TOTPDevice.objects.get(user=claire, confirmed=False)
    secret = re.search(r'<code class="otp-secret">([A-Z2-7 ]+)</code>', html).group(1)
    assert b32decode(secret.replace(" ", "")) == device.bin_key
    assert client.get("/accounts/2fa/setup/").content.decode().count(secret) == 1  # same key

    response = client.post("/accounts/2fa/setup/", {"code": "000000", "next": "/admin/"})
    assert "That code does not match" in response.content.decode()

    device.refresh_from_db()
    device.throttle_reset()
    response = client.post("/accounts/2fa/setup/", {"code": totp_code(device), "next": "/admin/"})
    assert response["Location"] == "/accounts/2fa/recovery-codes/?next=%2Fadmin%2F"
    device.refresh_from_db()
    assert device.confirmed
    page = client.get(response["Location"])
    codes = re.findall(r"<li><code>(\w+)</code></li>", page.content.decode())
    assert len(codes) == 10
    assert sorted(codes) == sorted(
        StaticToken.objects.filter(device__user=claire).values_list("token", flat=True)
    )
    assert 'href="/admin/"' in page.content.decode()
    # Shown once only.
    assert client.get("/accounts/2fa/recovery-codes/")["Location"] == "/"
    # And the session is verified: the admin opens.
    assert client.get("/admin/").status_code == 200


def test_an_enrolled_user_cannot_add_a_device_before_verifying(client, site_tree, claire):
    # Otherwise a stolen password would be enough to enrol the thief's phone.
    enrolled(claire)
    log_in(client, "claire")
    response = client.get("/accounts/2fa/setup/")
    assert response["Location"].startswith("/accounts/2fa/verify/")
    assert not TOTPDevice.objects.filter(user=claire, confirmed=False).exists()


def test_setting_up_again_replaces_the_old_device_and_codes(client, site_tree, claire):
    _, old_codes = enrolled(claire)
    verified_login(client, claire)
    client.get("/accounts/2fa/setup/")
    new = TOTPDevice.objects.get(user=claire, confirmed=False)
    client.post("/accounts/2fa/setup/", {"code": totp_code(new)})
    assert list(TOTPDevice.objects.filter(user=claire)) == [new]
    tokens = set(StaticToken.objects.filter(device__user=claire).values_list("token", flat=True))
    assert len(tokens) == 10
    assert not tokens & set(old_codes)


# --- Verifying ------------------------------------------------------------------------------


def test_verify_with_the_authenticator(client, site_tree, claire):
    device, _ = enrolled(claire)
    log_in(client, "claire")
    page = client.get("/accounts/2fa/verify/?next=/admin/").content.decode()
    assert '<label for="id_code">Code from your authenticator app, or a recovery code' in page
    key_before = client.session.session_key
    response = client.post("/accounts/2fa/verify/", {"code": totp_code(device), "next": "/admin/"})
    assert response["Location"] == "/admin/"
    assert client.session.session_key != key_before  # a new session key, as at login
    assert client.get("/admin/").status_code == 200


def test_a_code_works_once(client, site_tree, claire):
    device, _ = enrolled(claire)
    code = totp_code(device)
    log_in(client, "claire")
    client.post("/accounts/2fa/verify/", {"code": code})
    client.post("/accounts/logout/")
    log_in(client, "claire")
    response = client.post("/accounts/2fa/verify/", {"code": code})
    assert response.status_code == 200
    assert "That code is not valid" in response.content.decode()


def test_a_recovery_code_works_once(client, site_tree, claire):
    _, codes = enrolled(claire)
    log_in(client, "claire")
    response = client.post("/accounts/2fa/verify/", {"code": f" {codes[0].upper()} "})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert StaticToken.objects.filter(device__user=claire).count() == 9
    client.post("/accounts/logout/")

    log_in(client, "claire")
    response = client.post("/accounts/2fa/verify/", {"code": codes[0]})
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_an_offsite_next_is_ignored(client, site_tree, claire):
    device, _ = enrolled(claire)
    log_in(client, "claire")
    response = client.post(
        "/accounts/2fa/verify/", {"code": totp_code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_wrong_codes_lock_out_like_wrong_passwords(client, site_tree, claire):
    enrolled(claire)
    log_in(client, "claire")
    statuses = [
        client.post("/accounts/2fa/verify/", {"code": "123456"}).status_code for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]
    device = TOTPDevice.objects.get(user=claire)
    device.throttle_reset()
    response = client.post("/accounts/2fa/verify/", {"code": totp_code(device)})
    assert response.status_code == 429


# --- The demo -------------------------------------------------------------------------------


def test_the_demo_coordinator_and_admin_have_the_published_devices(client, site_tree):
    from projects.demo.seed import ensure_demo_users, ensure_groups
    from projects.demo.two_factor import (
        DEMO_RECOVERY_CODES,
        DEMO_TOTP_SECRET,
        ensure_demo_two_factor,
    )

    ensure_groups()
    users = ensure_demo_users()
    ensure_demo_two_factor(users)
    ensure_demo_two_factor(users)  # idempotent
    for username in ("admin", "coordinator"):
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        assert device.bin_key == b32decode(DEMO_TOTP_SECRET)
        assert sorted(
            StaticToken.objects.filter(device__user=users[username]).values_list("token", flat=True)
        ) == sorted(DEMO_RECOVERY_CODES)
    assert not TOTPDevice.objects.filter(user__username="lead").exists()

    client.post("/accounts/login/", {"username": "coordinator", "password": "ensemble-demo"})
    client.post("/accounts/2fa/verify/", {"code": DEMO_RECOVERY_CODES[0]})
    assert client.get("/admin/").status_code == 200
    ensure_demo_two_factor(users)  # a used code comes back with the next seed
    assert StaticToken.objects.filter(device__user=users["coordinator"]).count() == 10
