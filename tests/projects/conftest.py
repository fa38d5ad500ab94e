import pytest

from tests.factories.auth import verified_login


@pytest.fixture
def admin_client(client, cast):
    """The client of the cast's coordinator, logged in with two factors (the admin needs them)."""
    verified_login(client, cast.coordinator)
    return client


def messages_of(response):
    """The texts of the admin messages a response carries."""
    return [str(message) for message in response.context["messages"]]
