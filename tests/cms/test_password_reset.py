"""Password reset: the same work and the same answer whether or not the address has an account
(the email goes through a background task), and a throttle that says nothing either."""

import pytest
from django.core import mail
from django.tasks import default_task_backend
from django.test import override_settings

from cms.accounts.tasks import send_password_reset_email
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DUMMY_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def user():
    return UserFactory(username="lea", email="lea.martin@example.org")


@pytest.fixture
def queued():
    """The tasks enqueued, left unrun (as a worker would find them)."""
    with override_settings(TASKS=DUMMY_TASKS):
        default_task_backend.clear()
        yield default_task_backend.results
        default_task_backend.clear()


def ask(client, email, **extra):
    return client.post("/accounts/password-reset/", {"email": email}, **extra)


def test_a_real_and_an_unknown_address_get_the_same_answer_and_the_same_work(
    client, site_tree, user, queued, django_assert_num_queries
):
    with django_assert_num_queries(0):  # no lookup of the account in the request
        real = ask(client, "lea.martin@example.org")
    with django_assert_num_queries(0):
        unknown = ask(client, "nobody@example.org")
    assert real.status_code == unknown.status_code == 302
    assert real["Location"] == unknown["Location"] == "/accounts/password-reset/sent/"
    assert mail.outbox == []  # nothing is sent during the request
    assert [result.task.func for result in queued] == [send_password_reset_email.func] * 2
    real_args, unknown_args = (result.kwargs for result in queued)
    assert real_args["email"] == "lea.martin@example.org"
    assert unknown_args["email"] == "nobody@example.org"
    assert real_args.keys() == unknown_args.keys()
    assert {key: value for key, value in real_args.items() if key != "email"} == {
        key: value for key, value in unknown_args.items() if key != "email"
    }


def test_the_task_writes_only_to_an_existing_account(user):
    arguments = {
        "domain": "ensemble.example",
        "site_name": "ensemble.example",
        "use_https": True,
        "subject_template_name": "cms/email/password_reset_subject.txt",
        "email_template_name": "cms/email/password_reset.txt",
        "language": "fr",
    }
    assert send_password_reset_email.call(email="nobody@example.org", **arguments) == 0
    assert mail.outbox == []
    assert send_password_reset_email.call(email="LEA.MARTIN@example.org", **arguments) == 1
    (message,) = mail.outbox
    assert message.to == ["lea.martin@example.org"]
    assert "https://ensemble.example/accounts/reset/" in message.body
    assert message.body.startswith("Bonjour lea,")  # in the language of the request


def test_the_immediate_backend_still_sends_it(client, site_tree, user):
    ask(client, "lea.martin@example.org")
    assert [message.to for message in mail.outbox] == [["lea.martin@example.org"]]


def test_three_requests_an_hour_for_one_address(client, site_tree, user, queued):
    answers = [ask(client, "lea.martin@example.org", REMOTE_ADDR=f"192.0.2.{n}") for n in range(5)]
    assert {(answer.status_code, answer["Location"]) for answer in answers} == {
        (302, "/accounts/password-reset/sent/")
    }
    assert len(queued) == 3
    # The same limit for an address without an account: the throttle tells nothing.
    for n in range(5):
        ask(client, "nobody@example.org", REMOTE_ADDR=f"198.51.100.{n}")
    assert len(queued) == 6


def test_ten_requests_an_hour_from_one_client(client, site_tree, queued):
    answers = [ask(client, f"person{n}@example.org") for n in range(12)]
    assert {answer["Location"] for answer in answers} == {"/accounts/password-reset/sent/"}
    assert len(queued) == 10
