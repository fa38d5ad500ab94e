"""Response headers: private responses are never stored by shared caches, every response limits
browser features, and each area gets its Content Security Policy."""

import re

import pytest
from django.test import Client
from django.utils.cache import get_max_age
from rest_framework.authtoken.models import Token
from wagtail.models import Page

from tests.factories import coordinator
from tests.factories.auth import verified_login

pytestmark = pytest.mark.django_db

PUBLIC = "public"
PRIVATE = "private"


def directives(response):
    return {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",")}


def vary(response):
    return {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}


@pytest.fixture
def identities(site_tree):
    """Django test clients: nobody, a coordinator logged in (past two-factor authentication),
    an API client with a token and no cookie."""
    user = coordinator(username="coordinator")
    anonymous = Client()
    session = Client()
    verified_login(session, user)
    token = Client(headers={"Authorization": f"Token {Token.objects.create(user=user).key}"})
    return {"anonymous": anonymous, "session": session, "token": token}


@pytest.mark.parametrize(
    ("path", "anonymous", "session", "token"),
    [
        # The public site: cacheable for visitors; personal once someone is logged in (the
        # header names them).
        ("/en/", PUBLIC, PRIVATE, PRIVATE),
        ("/en/no-such-page/", PUBLIC, PRIVATE, PRIVATE),
        # The private areas, whoever asks (an anonymous visitor is sent to the login page).
        ("/workspace/", PRIVATE, PRIVATE, PRIVATE),
        ("/accounts/login/", PRIVATE, PRIVATE, PRIVATE),
        ("/accounts/password-reset/", PRIVATE, PRIVATE, PRIVATE),
        ("/admin/", PRIVATE, PRIVATE, PRIVATE),
        ("/admin/pages/", PRIVATE, PRIVATE, PRIVATE),
        # The API: private as soon as the request carries credentials.
        ("/api/v1/calls/", PUBLIC, PRIVATE, PRIVATE),
        ("/api/v1/schema/", PUBLIC, PRIVATE, PRIVATE),
    ],
)
def test_who_may_cache_what(identities, path, anonymous, session, token):
    for name, expected in (("anonymous", anonymous), ("session", session), ("token", token)):
        response = identities[name].get(path)
        assert response.status_code < 500, (name, response.status_code)
        if expected == PRIVATE:
            assert {"private", "no-store"} <= directives(response), (name, response.headers)
            assert {"authorization", "cookie"} <= vary(response), (name, response.headers)
        else:
            assert not {"private", "no-store"} & directives(response), (name, response.headers)
        # Every response limits the browser features nobody needs here.
        policy = response["Permissions-Policy"]
        assert "camera=()" in policy
        assert "geolocation=()" in policy
        assert "browsing-topics=()" in policy
        assert "interest-cohort" not in policy


def test_existing_vary_and_cache_control_are_kept(identities):
    # The workspace and the API vary by language already.
    response = identities["session"].get("/workspace/")
    assert {"accept-language", "authorization", "cookie"} <= vary(response)
    response = identities["token"].get("/api/v1/calls/")
    assert {"accept-language", "authorization", "cookie"} <= vary(response)
    # never_cache on the login page stays, with private added to it.
    response = identities["anonymous"].get("/accounts/login/")
    assert get_max_age(response) == 0
    assert {"no-cache", "no-store", "must-revalidate", "private"} <= directives(response)


def test_the_api_varies_by_credentials_even_without_them(identities):
    # Open calls are public; what a caller with credentials sees may differ.
    response = identities["anonymous"].get("/api/v1/calls/")
    assert response.status_code == 200
    assert {"authorization", "cookie"} <= vary(response)


def test_the_public_site_keeps_its_strict_policy(identities):
    policy = identities["anonymous"].get("/en/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "Content-Security-Policy-Report-Only" not in identities["anonymous"].get("/en/")


def test_the_admin_has_a_policy_of_its_own(identities):
    response = identities["session"].get("/admin/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'self'" in policy
    assert "object-src 'none'" in policy
    assert "form-action 'self'" in policy
    # The strict version is reported only: what stands in the way of enforcing it.
    report_only = response["Content-Security-Policy-Report-Only"]
    assert "script-src 'self';" in report_only
    assert "unsafe-inline" not in report_only


def test_the_live_preview_may_be_framed_by_the_admin(identities):
    # Wagtail renders the preview through the middleware again, for the page's public URL.
    home = Page.objects.get(depth=2, locale__language_code="en").specific
    response = home.make_preview_request()
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy
    assert "unsafe-inline" not in policy
    # Public pages themselves are still never framed.
    public = identities["anonymous"].get("/en/")
    assert "frame-ancestors 'none'" in public["Content-Security-Policy"]


def test_the_api_docs_run_under_a_nonce(identities):
    response = identities["session"].get("/api/v1/docs/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", policy).group(1)
    assert f"style-src 'self' 'nonce-{nonce}'" in policy
    assert "unsafe-inline" not in policy
    html = response.content.decode()
    # Every inline script and style carries the nonce; the others are files of this site.
    inline = re.findall(r"<(script|style)(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline
    assert all(f'nonce="{nonce}"' in attributes for _, attributes in inline)
