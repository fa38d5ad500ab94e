"""Login lockouts (django-axes), the token endpoint's throttle, and logins that take as long
whether or not the account exists."""

from unittest import mock

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import MD5PasswordHasher
from django.http import HttpRequest
from django.test import override_settings

from tests.factories import UserFactory, coordinator

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


@pytest.fixture
def user():
    return UserFactory(username="lea", email="lea.martin@example.org")


def fail(client, url, username, times, **extra):
    """`times` wrong passwords; the last one answers 429 when it reaches the limit."""
    return [
        client.post(url, {"username": username, "password": "wrong"}, **extra).status_code
        for _ in range(times)
    ]


# --- Lockouts -------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_login_page_even_for_the_right_one(client, site_tree, user):
    assert fail(client, "/accounts/login/", "lea", 5) == [200, 200, 200, 200, 429]
    response = client.post("/accounts/login/", {"username": "lea", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    html = response.content.decode()
    assert "Too many attempts" in html
    assert "try again in 15 minutes" in html
    assert response["Retry-After"] == "900"
    assert '<link rel="stylesheet"' in html  # the site's own page, not a bare message


def test_the_username_counts_whatever_its_case(client, site_tree, user):
    for spelling in ("lea", "LEA", "Lea", "lEa", "leA"):
        client.post("/accounts/login/", {"username": spelling, "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "lea", "password": PASSWORD})
    assert response.status_code == 429


def test_the_lockout_is_per_address(client, site_tree, user):
    fail(client, "/accounts/login/", "lea", 5)
    response = client.post(
        "/accounts/login/", {"username": "lea", "password": PASSWORD}, REMOTE_ADDR="192.0.2.7"
    )
    assert response.status_code == 302  # the owner, elsewhere, is not locked out


def test_the_lockout_ends_after_fifteen_minutes(client, site_tree, user):
    from axes.models import AccessAttempt
    from django.utils import timezone

    fail(client, "/accounts/login/", "lea", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timezone.timedelta(minutes=16))
    response = client.post("/accounts/login/", {"username": "lea", "password": PASSWORD})
    assert response.status_code == 302


def test_a_login_forgets_the_failures_of_that_username_only(client, site_tree, user):
    UserFactory(username="mallory")
    fail(client, "/accounts/login/", "lea", 4)  # guesses at someone else's password…
    client.post("/accounts/login/", {"username": "mallory", "password": PASSWORD})
    client.post("/accounts/logout/")
    # …are not forgotten when the guesser logs into their own account from the same address.
    response = client.post("/accounts/login/", {"username": "lea", "password": "wrong"})
    assert response.status_code == 429
    # The owner's own successful login does forget their earlier typos.
    client.post(
        "/accounts/login/", {"username": "lea", "password": "wrong"}, REMOTE_ADDR="192.0.2.9"
    )
    client.post(
        "/accounts/login/", {"username": "lea", "password": PASSWORD}, REMOTE_ADDR="192.0.2.9"
    )
    client.post("/accounts/logout/")
    fail(client, "/accounts/login/", "lea", 4, REMOTE_ADDR="192.0.2.9")
    response = client.post(
        "/accounts/login/", {"username": "lea", "password": PASSWORD}, REMOTE_ADDR="192.0.2.9"
    )
    assert response.status_code == 302


@override_settings(AXES_IP_FAILURE_LIMIT=12)
def test_one_address_trying_many_usernames_is_locked_out(client, site_tree, user):
    for n in range(12):
        client.post("/accounts/login/", {"username": f"guess{n}", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "lea", "password": PASSWORD})
    assert response.status_code == 429


def test_the_address_limit_is_higher_than_the_username_limit(client, site_tree, user):
    for n in range(10):  # two people's typos behind one office address
        client.post("/accounts/login/", {"username": f"colleague{n}", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "lea", "password": PASSWORD})
    assert response.status_code == 302


def test_a_forged_forwarded_for_header_does_not_escape_the_lockout(client, site_tree, user):
    for n in range(5):
        client.post(
            "/accounts/login/",
            {"username": "lea", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    response = client.post("/accounts/login/", {"username": "lea", "password": PASSWORD})
    assert response.status_code == 429


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_the_address_it_saw_counts(client, site_tree, user):
    fail(client, "/accounts/login/", "lea", 5, HTTP_X_FORWARDED_FOR="203.0.113.5")
    response = client.post(
        "/accounts/login/",
        {"username": "lea", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.5",
    )
    assert response.status_code == 429
    # Another client behind the same proxy is not locked out.
    response = client.post(
        "/accounts/login/",
        {"username": "lea", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.6",
    )
    assert response.status_code == 302


def test_wagtails_own_login_page_is_locked_out_too(client, site_tree):
    coordinator(username="claire")
    for _ in range(5):
        client.post("/admin/login/", {"username": "claire", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "claire", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_failures_on_one_login_page_count_on_the_others(client, site_tree, user):
    fail(client, "/admin/login/", "lea", 3)
    fail(client, "/api/v1/auth/token/", "lea", 2)
    response = client.post("/accounts/login/", {"username": "lea", "password": PASSWORD})
    assert response.status_code == 429


def test_the_token_endpoint_locks_out_with_json(client, user):
    assert fail(client, "/api/v1/auth/token/", "lea", 5) == [400, 400, 400, 400, 429]
    response = client.post("/api/v1/auth/token/", {"username": "lea", "password": PASSWORD})
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "Too many failed login attempts. Try again in 15 minutes.",
        "code": "locked_out",
    }


def test_authenticating_without_a_request_is_refused():
    # Every login must come with its request, or the lockout could be bypassed.
    from axes.exceptions import AxesBackendRequestParameterRequired

    UserFactory(username="lea")
    with pytest.raises(AxesBackendRequestParameterRequired):
        authenticate(username="lea", password=PASSWORD)


# --- The token endpoint's throttle ----------------------------------------------------------


def test_the_token_endpoint_allows_ten_requests_a_minute_per_address(client, user):
    for n in range(10):
        response = client.post(
            "/api/v1/auth/token/", {"username": f"nobody{n}", "password": "wrong"}
        )
        assert response.status_code == 400
    response = client.post("/api/v1/auth/token/", {"username": "lea", "password": PASSWORD})
    assert response.status_code == 429
    assert "throttled" in response.json()["detail"]
    other = client.post(
        "/api/v1/auth/token/", {"username": "lea", "password": PASSWORD}, REMOTE_ADDR="192.0.2.8"
    )
    assert other.status_code == 200


# --- One hash per login, whoever asks -------------------------------------------------------


def hashes(username, password):
    """How many times the password hasher ran for one login attempt."""
    with mock.patch.object(
        MD5PasswordHasher, "encode", autospec=True, side_effect=MD5PasswordHasher.encode
    ) as encode:
        user = authenticate(HttpRequest(), username=username, password=password)
    return encode.call_count, user


@pytest.mark.parametrize(
    ("username", "password", "logs_in"),
    [
        ("lea", "wrong", False),  # a real account, a wrong password
        ("nobody", "wrong", False),  # no such account
        ("lea", PASSWORD, True),  # the right password
        ("lea.martin@example.org", PASSWORD, True),  # by email
        ("lea.martin@example.org", "wrong", False),
        ("nobody@example.org", "wrong", False),
    ],
)
def test_every_login_attempt_hashes_exactly_once(user, username, password, logs_in):
    count, logged_in = hashes(username, password)
    assert count == 1
    assert (logged_in == user) is logs_in


def test_an_inactive_account_hashes_once_too(user):
    user.is_active = False
    user.save()
    assert hashes("lea", PASSWORD) == (1, None)


def test_two_usernames_differing_in_case_log_in_by_their_exact_spelling(user):
    other = UserFactory(username="Lea", email="other@example.org")
    assert hashes("Lea", PASSWORD) == (1, other)
    assert hashes("lea", PASSWORD) == (1, user)
    assert hashes("LEA", PASSWORD) == (1, None)  # ambiguous: neither
