"""API tokens: issued for a password (and a two-factor code for coordinators), expiring after
API_TOKEN_TTL, ended by any password change."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cms.accounts.two_factor import recovery_codes_reset
from tests.factories import UserFactory, coordinator
from tests.factories.auth import enrol_authenticator, totp_code, verified_login

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def lea():
    return UserFactory(username="lea", email="lea.martin@example.org")


def token(api, **data):
    return api.post("/api/v1/auth/token/", data, format="json")


def me(api, key):
    return api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")


# --- Expiry ---------------------------------------------------------------------------------


def test_a_token_works_until_it_expires(api, lea):
    key = token(api, username="lea", password=PASSWORD).json()["token"]
    assert me(api, key).status_code == 200
    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(days=7, seconds=1))
    response = me(api, key)
    assert response.status_code == 401
    assert response.json()["detail"] == "Token has expired: ask for a new one."
    assert not Token.objects.filter(key=key).exists()


@override_settings(API_TOKEN_TTL=timedelta(hours=1))
def test_the_lifetime_is_a_setting(api, lea):
    key = token(api, username="lea", password=PASSWORD).json()["token"]
    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(minutes=61))
    assert me(api, key).status_code == 401


def test_asking_again_gives_the_same_token_until_it_expires_then_a_fresh_one(api, lea):
    first = token(api, username="lea", password=PASSWORD).json()["token"]
    assert token(api, username="lea", password=PASSWORD).json()["token"] == first
    Token.objects.filter(key=first).update(created=timezone.now() - timedelta(days=8))
    fresh = token(api, username="lea", password=PASSWORD).json()["token"]
    assert fresh != first
    assert me(api, fresh).status_code == 200


def test_the_setting_reads_seconds_from_the_environment(monkeypatch):
    import importlib

    from cms.settings import base

    monkeypatch.setenv("API_TOKEN_TTL", "3600")
    try:
        ttl = importlib.reload(base).API_TOKEN_TTL
    finally:
        monkeypatch.delenv("API_TOKEN_TTL")
        default = importlib.reload(base).API_TOKEN_TTL
    assert ttl == timedelta(hours=1)
    assert default == timedelta(days=7)


# --- A password change ends the tokens ------------------------------------------------------


def test_set_password_and_save_ends_the_tokens(api, lea):
    key = token(api, username="lea", password=PASSWORD).json()["token"]
    lea.set_password("a-new-Secret-42")
    lea.save()
    assert me(api, key).status_code == 401
    assert not Token.objects.filter(user=lea).exists()


def test_saving_without_a_password_change_keeps_the_tokens(api, lea):
    key = token(api, username="lea", password=PASSWORD).json()["token"]
    lea.first_name = "Léa"
    lea.save()
    lea.save(update_fields=["last_login"])
    assert me(api, key).status_code == 200


def test_a_password_reset_ends_the_tokens(client, site_tree, api, lea):
    key = token(api, username="lea", password=PASSWORD).json()["token"]
    client.post("/accounts/password-reset/", {"email": "lea.martin@example.org"})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    client.post(form_url, {"new_password1": "a-new-Secret-42", "new_password2": "a-new-Secret-42"})
    assert me(api, key).status_code == 401


def test_a_password_set_in_the_admin_ends_the_tokens(client, site_tree, api, lea):
    key = token(api, username="lea", password=PASSWORD).json()["token"]
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    verified_login(client, admin)
    response = client.post(
        f"/admin/users/edit/{lea.pk}/",
        {
            "username": "lea",
            "email": "lea.martin@example.org",
            "first_name": "Léa",
            "last_name": "Martin",
            "password1": "a-new-Secret-42",
            "password2": "a-new-Secret-42",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    lea.refresh_from_db()
    assert lea.check_password("a-new-Secret-42")
    assert me(api, key).status_code == 401


# --- Coordinators send a two-factor code ----------------------------------------------------


@pytest.fixture
def claire():
    user = coordinator(username="claire")
    device = enrol_authenticator(user)
    codes = recovery_codes_reset(user=user)
    return user, device, codes


def test_a_coordinator_without_a_code_is_told_to_send_one(api, claire):
    response = token(api, username="claire", password=PASSWORD)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "This account also needs a two-factor code: send it as otp.",
        "code": "otp_required",
    }
    assert not Token.objects.exists()


def test_a_coordinator_gets_a_token_with_an_authenticator_code(api, claire):
    user, device, _ = claire
    response = token(api, username="claire", password=PASSWORD, otp=totp_code(device))
    assert response.status_code == 200
    assert Token.objects.get(user=user).key == response.json()["token"]


def test_a_recovery_code_works_once_for_a_token(api, claire):
    _, _, codes = claire
    assert token(api, username="claire", password=PASSWORD, otp=codes[0]).status_code == 200
    Token.objects.all().delete()
    response = token(api, username="claire", password=PASSWORD, otp=codes[0])
    assert response.status_code == 400
    assert not Token.objects.exists()


def test_a_wrong_code_reads_like_a_wrong_password(api, claire, lea):
    wrong_code = token(api, username="claire", password=PASSWORD, otp="000000")
    wrong_password = token(api, username="claire", password="wrong", otp="000000")
    unknown = token(api, username="nobody", password="wrong", otp="000000")
    no_code_wrong_password = token(api, username="claire", password="wrong")
    assert (
        wrong_code.json()
        == wrong_password.json()
        == unknown.json()
        == no_code_wrong_password.json()
        == {"non_field_errors": ["Unable to log in with provided credentials."]}
    )
    assert {r.status_code for r in (wrong_code, wrong_password, unknown)} == {400}


def test_wrong_codes_count_towards_the_lockout(api, claire):
    _, device, _ = claire
    statuses = [
        token(api, username="claire", password=PASSWORD, otp="000000").status_code for _ in range(5)
    ]
    assert statuses == [400, 400, 400, 400, 429]
    device.throttle_reset()
    assert token(api, username="claire", password=PASSWORD, otp=totp_code(device)).status_code == (
        429
    )


def test_members_need_no_code(api, lea):
    assert token(api, username="lea", password=PASSWORD).status_code == 200
