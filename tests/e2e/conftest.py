"""Browser tests: Playwright driving Debian's Chromium against Django's live server."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
OUTPUT_ROOT = Path(__file__).resolve().parents[2] / "test-results" / "e2e"

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make to set
# up data are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def _private_page_cache(settings):
    """Browser tests run with the per-viewer page cache on, as production does with Redis: every
    flow that changes something and reads it back proves the change invalidates the pages."""
    settings.PRIVATE_PAGE_CACHE = True


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def output_dir(request):
    """test-results/e2e/<test name>/: screenshots to look at after the run."""
    path = OUTPUT_ROOT / request.node.name.replace("/", "_")
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    yield page
    context.close()


def log_in(page, live_server, username, password, *, then="/workspace/"):
    """Open `then`, log in on the page it sends to, and land back on `then`. Coordinators and
    superusers also type the code their authenticator app shows (one is set up for them here
    when they have none), as on the real two-factor page."""
    from django.contrib.auth import get_user_model

    from cms.accounts.two_factor import two_factor_required
    from tests.factories.auth import enrol_authenticator, totp_code

    user = get_user_model().objects.get(username=username)
    device = enrol_authenticator(user) if two_factor_required(user) else None
    page.goto(f"{live_server.url}{then}")
    assert "/accounts/login/" in page.url  # the page sends visitors to the login page
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    if device is not None:
        page.wait_for_url("**/accounts/2fa/verify/**")
        page.get_by_label("Code from your authenticator app, or a recovery code").fill(
            totp_code(device)
        )
        page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{live_server.url}{then}")


def assert_accessible(page):
    """axe-core finds no serious or critical violation on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [
        violation
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert not serious, [
        (v["id"], v["help"], [node["target"] for node in v["nodes"]][:3]) for v in serious
    ]
