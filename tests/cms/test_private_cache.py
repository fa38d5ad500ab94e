"""The per-viewer cache of signed-in pages (cms/private_cache.py): served only to the viewer it
was built for, never after a committed write, never for what must stay fresh."""

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from cms import private_cache
from projects.models import JointProject
from projects.services import project_update
from tests.factories.auth import verified_login
from tests.workflow.conftest import build_draft

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.PRIVATE_PAGE_CACHE = True


def queries_of(client, url, **extra):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    return response, len(queries)


def warm(client, url, **extra):
    """The first visit sets the CSRF cookie (a page with forms is not kept without it), the
    second is kept; the next one is served from the cache."""
    client.get(url, **extra)
    return client.get(url, **extra)


def test_a_second_visit_is_served_from_the_cache_with_the_same_page(client, cast):
    build_draft(cast)
    verified_login(client, cast.lead_manager)
    fresh = warm(client, "/workspace/")
    _, fresh_queries = queries_of(client, "/workspace/?fresh=1")  # another path: built
    cached, cached_queries = queries_of(client, "/workspace/")
    assert cached.status_code == 200
    assert cached.content == fresh.content
    assert cached_queries < fresh_queries
    # What the middleware above the cache adds is added to a kept page as to a fresh one.
    assert cached["Cache-Control"] == fresh["Cache-Control"]
    assert "Cookie" in cached["Vary"]
    assert cached["Content-Security-Policy"]


def test_a_committed_change_is_shown_at_once(client, cast, django_capture_on_commit_callbacks):
    project = build_draft(cast)
    verified_login(client, cast.lead_manager)
    url = f"/workspace/projects/{project.pk}/"
    assert b"Shared Stages" in warm(client, url).content
    with django_capture_on_commit_callbacks(execute=True):
        project_update(project_id=project.pk, actor=cast.lead_manager, title="After the change")
    assert b"After the change" in client.get(url).content


def test_a_bulk_update_invalidates_too(client, cast, django_capture_on_commit_callbacks):
    project = build_draft(cast)
    verified_login(client, cast.lead_manager)
    url = f"/workspace/projects/{project.pk}/"
    assert b"Shared Stages" in warm(client, url).content
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        JointProject.objects.filter(pk=project.pk).update(title="Changed by update()")
    assert b"Changed by update()" in client.get(url).content


def test_a_write_that_is_not_committed_does_not_invalidate_before_it_commits(cast):
    private_cache.bump_data_generation()
    before = private_cache.data_generation()
    with transaction.atomic():
        JointProject.objects.update(title="x")
        assert private_cache.data_generation() == before  # a reader would still see the old data
    # (the test's own transaction never commits: the generation stays)
    assert private_cache.data_generation() == before


def test_a_rolled_back_savepoint_does_not_lose_the_next_writes_invalidation(
    cast, django_capture_on_commit_callbacks
):
    private_cache.bump_data_generation()
    before = private_cache.data_generation()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        try:
            with transaction.atomic():
                JointProject.objects.update(title="rolled back")
                raise RuntimeError
        except RuntimeError:
            pass
        JointProject.objects.update(title="kept")
    assert private_cache.data_generation() != before


def test_each_viewer_gets_only_their_own_page(client, cast):
    project = build_draft(cast)
    url = f"/workspace/projects/{project.pk}/"
    verified_login(client, cast.lead_manager)
    assert warm(client, url).status_code == 200
    assert client.get(url).status_code == 200  # cached for the lead
    other = client_class_like(client)
    verified_login(other, cast.other_manager)
    assert other.get(url).status_code == 404


def client_class_like(client):
    return type(client)()


def test_a_logged_out_session_never_reads_its_old_pages(client, cast):
    build_draft(cast)
    verified_login(client, cast.lead_manager)
    warm(client, "/workspace/")
    old_session = client.cookies["sessionid"].value
    client.post("/accounts/logout/")
    thief = type(client)()
    thief.cookies["sessionid"] = old_session
    thief.cookies["csrftoken"] = client.cookies["csrftoken"].value
    response = thief.get("/workspace/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_expired_token_is_refused_even_for_a_kept_answer(client, cast, settings):
    build_draft(cast)
    token = Token.objects.create(user=cast.lead_manager)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    assert warm(client, "/api/v1/projects/", **auth).status_code == 200
    _, cached_queries = queries_of(client, "/api/v1/projects/", **auth)
    assert cached_queries <= 2  # the token check, and nothing else
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - timedelta(days=30))
    assert client.get("/api/v1/projects/", **auth).status_code == 401


def test_a_page_that_shows_a_flash_message_is_not_kept(client, cast, rf):
    project = build_draft(cast)
    verified_login(client, cast.lead_manager)
    url = f"/workspace/projects/{project.pk}/"
    warm(client, url)
    # A message waiting in the cookie store: the page is built to show it, and not kept.
    request = rf.get("/")
    from django.contrib.messages.storage.cookie import CookieStorage

    storage = CookieStorage(request)
    storage.add(messages.SUCCESS, "Saved, really.")
    response = type(client)().get("/")  # any response to carry the cookie
    storage.update(response)
    client.cookies["messages"] = response.cookies["messages"].value
    assert b"Saved, really." in client.get(url).content
    assert b"Saved, really." not in client.get(url).content


def test_a_kept_entry_expires_after_its_time_to_live(client, cast, settings):
    settings.PRIVATE_PAGE_CACHE_TTL = 17
    build_draft(cast)
    verified_login(client, cast.lead_manager)
    client.get("/workspace/")
    with mock.patch.object(private_cache.cache, "set", wraps=private_cache.cache.set) as kept:
        client.get("/workspace/")
    timeouts = [call.kwargs.get("timeout") for call in kept.call_args_list]
    assert 17 in timeouts


@pytest.mark.parametrize(
    "url",
    [
        "/en/",  # the public site: not a signed-in area
        "/accounts/2fa/setup/",
    ],
)
def test_other_areas_are_never_kept(client, cast, site_tree, url):
    verified_login(client, cast.lead_manager)
    with mock.patch.object(private_cache.cache, "set", wraps=private_cache.cache.set) as kept:
        client.get(url)
        client.get(url)
    assert not [c for c in kept.call_args_list if c.args[0].startswith("ensemble:page:")]


def test_anonymous_requests_and_posts_are_not_kept(client, cast):
    with mock.patch.object(private_cache.cache, "set", wraps=private_cache.cache.set) as kept:
        client.get("/workspace/")
        client.get("/api/v1/calls/")
        verified_login(client, cast.lead_manager)
        client.post("/workspace/projects/1/transitions/submit/")
    assert not [c for c in kept.call_args_list if c.args[0].startswith("ensemble:page:")]


def test_with_the_cache_off_nothing_is_kept(client, cast, settings):
    settings.PRIVATE_PAGE_CACHE = False
    verified_login(client, cast.lead_manager)
    with mock.patch.object(private_cache.cache, "set", wraps=private_cache.cache.set) as kept:
        warm(client, "/workspace/")
        client.get("/workspace/")
    assert not [c for c in kept.call_args_list if c.args[0].startswith("ensemble:page:")]


@pytest.mark.parametrize(
    ("sql", "write"),
    [
        ('SELECT "projects_jointproject"."id" FROM "projects_jointproject"', False),
        ("  select 1", False),
        ('SAVEPOINT "s1"', False),
        ('RELEASE SAVEPOINT "s1"', False),
        ('INSERT INTO "projects_jointproject" ("title") VALUES (%s)', True),
        ('UPDATE "projects_jointproject" SET "title" = %s', True),
        ('DELETE FROM "workflow_review" WHERE id = %s', True),
        ("INSERT OR IGNORE INTO projects_x VALUES (1)", True),
        ('WITH t AS (SELECT 1) UPDATE "workflow_proposalscore" SET x = 1', True),
        # PostgreSQL's compound queries (Django's union()) and read-only CTEs are reads.
        ('(SELECT "a"."id" FROM "a") UNION ALL (SELECT "b"."id" FROM "b")', False),
        ("((SELECT 1) UNION (SELECT 2)) EXCEPT (SELECT 3)", False),
        ('WITH t AS (SELECT 1) SELECT * FROM t WHERE "t"."updated" IS NULL', False),
        ("WITH t AS (DELETE FROM projects_x RETURNING id) SELECT * FROM t", True),
        ("TRUNCATE projects_jointproject", True),
        ('INSERT INTO "axes_accessattempt" ("username") VALUES (%s)', False),
        ('UPDATE "django_tasks_database_dbtaskresult" SET status = %s', False),
        (b"INSERT INTO x VALUES (1)", False),  # not SQL text Django sends
    ],
)
def test_what_counts_as_a_write(sql, write):
    assert private_cache.is_write(sql) is write


def test_every_new_connection_reports_its_writes():
    connection.ensure_connection()
    assert private_cache.watch_writes in connection.execute_wrappers


def test_a_user_made_inactive_loses_the_kept_pages(
    client, cast, django_capture_on_commit_callbacks
):
    build_draft(cast)
    verified_login(client, cast.lead_manager)
    warm(client, "/workspace/")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        get_user_model().objects.filter(pk=cast.lead_manager.pk).update(is_active=False)
    assert client.get("/workspace/").status_code == 302


def test_a_member_made_coordinator_must_pass_two_factor_despite_kept_pages(
    client, cast, django_capture_on_commit_callbacks
):
    """The cache sits above the two-factor check: a change of roles is a write, so the kept
    pages of the member are gone and the check runs again."""
    from django.contrib.auth.models import Group

    from workflow.permissions import COORDINATORS

    build_draft(cast)
    client.force_login(cast.lead_manager)
    assert warm(client, "/workspace/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        cast.lead_manager.groups.add(Group.objects.get_or_create(name=COORDINATORS)[0])
    response = client.get("/workspace/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/")


def test_a_coordinator_whose_device_is_removed_must_verify_again(
    client, cast, django_capture_on_commit_callbacks
):
    from django_otp import devices_for_user

    build_draft(cast)
    verified_login(client, cast.coordinator)
    assert warm(client, "/workspace/").status_code == 200
    _, cached_queries = queries_of(client, "/workspace/")
    assert cached_queries <= 2  # the session and the user: not even the device
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for device in devices_for_user(cast.coordinator, confirmed=None):
            device.delete()
    response = client.get("/workspace/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/")
