"""A per-viewer cache of the signed-in pages (workspace, JSON API, Grants admin).

Why: what a signed-in page costs is no longer its SQL (a handful of indexed queries) but
building it in Python: templates, serializers, Wagtail's listing machinery (docs/benchmarks.md).
People reload the same dashboards, lists and proposals far more often than anything changes, so
the finished output of a view is kept for the one viewer who asked, and thrown away as soon as
any data changes.

Correctness comes before hit rate:

* **Invalidation by one data generation.** Every statement that writes to the database (seen by
  an execute wrapper on every connection, so `QuerySet.update()`, `bulk_create()` and raw SQL
  count too) replaces the generation token once its transaction commits, in every process that
  shares the cache. An entry is served only while the generation it was built under is current,
  so no page outlives a committed change. The generation is read *before* the view runs: a page
  built while a write commits is stored under the old generation and never served.
* **Time.** Pages show "overdue" and "due in 3 days"; an entry lives at most
  `PRIVATE_PAGE_CACHE_TTL` seconds (60 by default) even if nothing is written.
* **The key is the viewer.** Session key (or API token), user id, two-factor state, language,
  the full path with its query string, the CSRF cookie the page's forms were signed for, and the
  headers a page may answer differently to (Accept, htmx's HX-*). A session or token is
  validated by the normal middleware (or DRF's token check) before the cache is consulted, so a
  logged-out session or an expired token never reads an entry.
* **Only plain, finished pages.** GET, status 200, not streamed, no cookie set, session not
  modified, no new CSRF secret to issue, no flash message shown or waiting, not refused by
  the view (`never_keep`), at most 2 MB. A view's own `Cache-Control` speaks to browsers and
  proxies (Wagtail's admin says `no-store` on every page) and is sent unchanged. Downloads
  (file responses, redirects to signed URLs) are never kept.

The cache must be shared by every process that writes (web workers, the task worker, management
commands), so it is on only with Redis (`REDIS_URL`) in production; tests turn it on for the
cache's own tests and the browser tests.
"""

import functools
import hashlib
import re
import uuid

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY

GENERATION_KEY = "ensemble:data-generation"
ENTRY_PREFIX = "ensemble:page:"
MAX_BYTES = 2 * 1024 * 1024

# Statements that do not change data. Everything else counts as a write (a new statement kind
# costs hit rate, never freshness). PostgreSQL's compound queries start with a parenthesis
# (Django writes `(SELECT …) UNION ALL (SELECT …)` there): the showcase's facet counts and the
# Fair's listing are such reads, and counting them as writes made every such page stale at once.
_READ_ONLY = re.compile(
    r"[\s(]*(SELECT|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|SET|SHOW|EXPLAIN|PRAGMA|VALUES)\b",
    re.IGNORECASE,
)
# A common table expression reads unless one of its parts writes (`WITH … UPDATE …`).
_WITH = re.compile(r"[\s(]*WITH\b", re.IGNORECASE)
_WRITING_VERB = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE|TRUNCATE)\b", re.IGNORECASE)
_TARGET_TABLE = re.compile(
    r"\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+[\"`]?(\w+)", re.IGNORECASE
)
# Tables written all the time that no cached page shows: failed-login records, the task queue.
_NOISY_TABLE_PREFIXES = ("axes_", "django_tasks")


def enabled():
    return getattr(settings, "PRIVATE_PAGE_CACHE", False)


def data_generation():
    return cache.get(GENERATION_KEY)


def bump_data_generation():
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def is_write(sql):
    if not isinstance(sql, str) or _READ_ONLY.match(sql):
        return False
    if _WITH.match(sql) and not _WRITING_VERB.search(sql):
        return False
    target = _TARGET_TABLE.match(sql)
    return not (target and target.group(1).lower().startswith(_NOISY_TABLE_PREFIXES))


def watch_writes(execute, sql, params, many, context):
    """Execute wrapper: a write replaces the generation when (if) its transaction commits."""
    result = execute(sql, params, many, context)
    if enabled() and is_write(sql):
        connection = context["connection"]
        if not connection.in_atomic_block:
            bump_data_generation()
        else:
            # Once per savepoint level: rolling a savepoint back drops what was registered in
            # it, and the next write registers again.
            here = set(connection.savepoint_ids)
            if not any(
                func is bump_data_generation and sids == here
                for sids, func, _ in connection.run_on_commit
            ):
                connection.on_commit(bump_data_generation)
    return result


def install_on(connection, **kwargs):
    """`connection_created` receiver: every connection, also the task worker's, reports writes."""
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)


def _eligible_path(path):
    return path.startswith(settings.PRIVATE_PAGE_CACHE_PATHS) and not path.startswith(
        settings.PRIVATE_PAGE_CACHE_EXCLUDED_PATHS
    )


def _viewer(request):
    """(credential, user) of a signed-in request, or None: then nothing is cached."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "token" or not key.strip():
            return None
        from rest_framework.exceptions import AuthenticationFailed

        from projects.api.authentication import ExpiringTokenAuthentication

        try:
            user, _token = ExpiringTokenAuthentication().authenticate_credentials(key.strip())
        except AuthenticationFailed:
            return None  # DRF answers it
        return "token:" + key.strip(), user
    user = request.user
    if not user.is_authenticated:
        return None
    session = request.session
    if "_messages" in session or request.COOKIES.get("messages"):
        return None  # a flash message waits to be shown on this page
    return "session:" + (session.session_key or ""), user


def _key(request, credential, user):
    parts = [
        credential,
        str(user.pk),
        # The device the session passed two-factor authentication with, as django-otp
        # records it: no query. A device removed or unconfirmed is a write, which ends every
        # entry; the two-factor check runs again on the next page built.
        request.session.get(DEVICE_ID_SESSION_KEY, "") if credential.startswith("session:") else "",
        translation.get_language() or "",
        request.get_full_path(),
        request.headers.get("Accept", ""),
        request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
        *(request.headers.get(h, "") for h in ("HX-Request", "HX-Target", "HX-Current-URL")),
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return ENTRY_PREFIX + digest


def _same_csrf_secret(request):
    """The page's forms are signed for the CSRF cookie the viewer already holds (part of the
    key). Django re-sends a used cookie only to renew its expiry; a new secret is not kept."""
    secret = request.META.get("CSRF_COOKIE")
    return secret is None or secret == request.COOKIES.get(settings.CSRF_COOKIE_NAME)


def _storable(request, response):
    if (
        response.status_code != 200
        or isinstance(response, StreamingHttpResponse)
        or getattr(response, "streaming", False)
        or response.cookies
        or len(response.content) > MAX_BYTES
        or not _same_csrf_secret(request)
    ):
        return False
    if getattr(response, "private_page_cache", True) is False:
        return False  # the view opted out (never_keep)
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    messages = getattr(request, "_messages", None)
    return messages is None or not (messages.used or getattr(messages, "_queued_messages", None))


def never_keep(view):
    """Decorator: this view's answers are built afresh for every request."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        response = view(*args, **kwargs)
        response.private_page_cache = False
        return response

    return wrapped


class PrivatePageCacheMiddleware:
    """Right after Django's AuthenticationMiddleware in MIDDLEWARE.

    A kept page was built through every middleware below this one (django-otp's device check,
    our two-factor rule, messages, X-Frame-Options, Content Security Policy, htmx, redirects)
    and is kept with the headers they added; a hit skips them. That is safe because nothing
    they decide can change while an entry lives without a write to the database (the device
    and the two-factor rule follow rows of the database; a flash message waiting is checked
    here) or is part of the key (the device the session was verified with). The middleware
    above (session, CSRF, private caching headers) handles a kept page as any other.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not enabled() or request.method != "GET" or not _eligible_path(request.path):
            return self.get_response(request)
        viewer = _viewer(request)
        if viewer is None:
            return self.get_response(request)
        key = _key(request, *viewer)
        response, _hit = serve_kept(
            request,
            key,
            self.get_response,
            timeout=settings.PRIVATE_PAGE_CACHE_TTL,
            storable=_storable,
        )
        return response


def serve_kept(request, key, get_response, *, timeout, storable):
    """What both page caches share (this one and cms/public_cache.py): the page kept under `key`
    while its data generation is current, else the page `get_response` builds, kept for
    `timeout` seconds when `storable(request, response)`. Returns (response, True for a page
    served from the cache, False for a page built and kept, None for one built and not kept)."""
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY)
    if generation is None:
        bump_data_generation()
        generation = data_generation()
        if generation is None:
            return get_response(request), None  # the cache is down: serve fresh
    entry = found.get(key)
    if entry is not None and entry["generation"] == generation:
        response = HttpResponse(entry["content"], status=200)
        for name, value in entry["headers"]:
            response[name] = value
        return response, True
    # Read before the view runs: a write committed while it builds the page replaces the
    # generation, and the page stored under the old one is never served.
    response = get_response(request)
    if not storable(request, response):
        return response, None
    cache.set(
        key,
        {"generation": generation, "headers": list(response.items()), "content": response.content},
        timeout=timeout,
    )
    return response, False
