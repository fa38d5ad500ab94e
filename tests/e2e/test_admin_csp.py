"""The Wagtail admin and the API docs work under their Content Security Policy: a coordinator
goes through the main admin screens in Chromium and the browser blocks nothing.

Violations are collected from `securitypolicyviolation` events (in every frame, the live preview
included) and from console messages about blocked framing. The admin's report-only policy (its
enforced one without 'unsafe-inline') may only report inline scripts and styles: anything else
(a script or image from elsewhere, eval, a frame) would be a new need to look at.
"""

import pytest
from django.test import Client
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Page

from tests.factories import CallTierFactory, CentreFactory, coordinator
from tests.factories.auth import verified_login

pytestmark = pytest.mark.django_db(transaction=True)

LISTEN = """
document.addEventListener("securitypolicyviolation", (event) => {
    window.cspViolation({
        page: location.pathname,
        directive: event.effectiveDirective,
        blocked: event.blockedURI,
        disposition: event.disposition,
        source: event.sourceFile + ":" + event.lineNumber,
        sample: event.sample,
    });
});
"""


# What the admin's report-only policy may report (see CSP_ADMIN in cms/settings/base.py).
INLINE_ONLY = {
    ("script-src-elem", "inline"),
    ("script-src-attr", "inline"),
    ("style-src-elem", "inline"),
    ("style-src-attr", "inline"),
}


@pytest.fixture
def admin_page(browser, live_server):
    """A browser page logged in as the coordinator, past two-factor authentication: the
    session is made by Django's test client and handed to the browser as its cookie."""
    user = coordinator(username="coordinator", password="ensemble-demo", first_name="Claire")
    client = Client()
    verified_login(client, user)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    violations = []
    context.expose_binding("cspViolation", lambda source, data: violations.append(data))
    context.add_init_script(LISTEN)
    page = context.new_page()
    # Blocked framing is only told on the console, not as an event in the framing page.
    page.on(
        "console",
        lambda message: (
            violations.append({"page": page.url, "console": message.text})
            if "Content Security Policy" in message.text and "report-only" not in message.text
            else None
        ),
    )
    page.violations = violations
    yield page
    context.close()


def visit(page, url):
    response = page.goto(url)
    assert response.status == 200, (url, response.status)
    page.wait_for_load_state("networkidle")
    return response


def test_the_admin_screens_raise_no_policy_violation(live_server, site_tree, admin_page):
    home = Page.objects.get(depth=2, locale__language_code="en").specific
    image = Image.objects.create(title="Poster", file=get_test_image_file())
    Document.objects.create(title="Guide", file=get_test_image_file(filename="guide.png"))
    CentreFactory(name="Kulturhaus Graz", city="Graz", country="AT")
    tier = CallTierFactory(name="Large", call__title="Joint Projects 2027")
    base = live_server.url
    screens = [
        "/admin/",
        "/admin/pages/",
        f"/admin/pages/{home.pk}/",
        "/admin/images/",
        f"/admin/images/{image.pk}/",
        "/admin/documents/",
        "/admin/network/centres/",
        "/admin/network/calls/",
        f"/admin/network/calls/edit/{tier.call.pk}/",
        "/admin/network/projects/",
    ]
    for path in screens:
        response = visit(admin_page, base + path)
        assert response.headers.get("content-security-policy") or response.headers.get(
            "content-security-policy-report-only"
        )
    # The page editor, with the rich text editor and the live preview beside it.
    visit(admin_page, f"{base}/admin/pages/{home.pk}/edit/")
    admin_page.locator("[data-side-panel-toggle='preview']").first.click()
    preview = admin_page.frame_locator("iframe[src*='/edit/preview/']")
    assert preview.get_by_role("heading", level=1).first.inner_text() == home.headline
    admin_page.wait_for_load_state("networkidle")

    enforced = [v for v in admin_page.violations if v.get("disposition") != "report"]
    assert enforced == []
    reported = {(v["directive"], v["blocked"]) for v in admin_page.violations}
    assert reported <= INLINE_ONLY, reported - INLINE_ONLY


def test_the_api_docs_raise_no_policy_violation(live_server, admin_page):
    visit(admin_page, f"{live_server.url}/api/v1/docs/")
    admin_page.wait_for_selector(".swagger-ui .info")
    assert admin_page.violations == []
