"""Log in with a username or an email, log out, reset a forgotten password."""

import re

import pytest
from django.core import mail
from django.http import HttpRequest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


@pytest.fixture
def user():
    return UserFactory(username="lea", email="lea.martin@example.org")


@pytest.mark.parametrize(
    "identifier", ["lea", "LEA", "lea.martin@example.org", "Lea.Martin@Example.org"]
)
def test_log_in_with_username_or_email(client, site_tree, user, identifier):
    response = client.post("/accounts/login/", {"username": identifier, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_wrong_password_says_so_and_keeps_the_username(client, site_tree, user):
    response = client.post("/accounts/login/", {"username": "lea", "password": "wrong"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "do not match" in html
    assert 'value="lea"' in html
    assert "_auth_user_id" not in client.session


def test_an_email_shared_by_two_accounts_does_not_log_in(client, site_tree, user):
    UserFactory(username="lea2", email="lea.martin@example.org")
    client.post("/accounts/login/", {"username": "lea.martin@example.org", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_the_login_form_has_labels(client, site_tree):
    html = client.get("/accounts/login/").content.decode()
    assert '<label for="id_username">Username or email' in html
    assert '<label for="id_password">Password' in html


def test_log_out(client, site_tree, user):
    client.force_login(user)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_reset_a_forgotten_password_by_email(client, site_tree, user):
    response = client.post("/accounts/password-reset/", {"email": "lea.martin@example.org"})
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lea.martin@example.org"]
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)
    form_url = client.get(link)["Location"]  # Django swaps the token for a session key
    response = client.post(
        form_url, {"new_password1": "a-new-Secret-42", "new_password2": "a-new-Secret-42"}
    )
    assert response["Location"] == "/accounts/reset/done/"
    # django-axes wants the request every login comes with.
    assert client.login(request=HttpRequest(), username="lea", password="a-new-Secret-42")
