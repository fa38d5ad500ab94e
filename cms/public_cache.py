"""The public page cache: finished pages of the public site, shared by every anonymous visitor.

Why: the public pages are read far more often than anything they show changes, by people who
are not signed in and all see the same page. Building one costs a few queries and, mostly,
Python (routing, templates); answering from the cache costs one cache round trip and no query.

What is kept: anonymous GET answers (HEAD is served from them too) of the public site, /en/…
and /fr/…, /sitemap*.xml and /robots.txt, keyed by host, language, path and query string (its
parameters in a canonical order: `?b=1&a=2` and `?a=2&b=1` are the same page), and whether the
client accepts gzip (the maps' data are compressed for those that do). Only plain,
finished pages: status 200, not streamed, no cookie set, session untouched, no CSRF token used
(a page with a POST form is never shared), no flash message, no CSP nonce used (a nonce handed
to every visitor protects nothing), no `Cache-Control: private/no-store` from the view, at
most 2 MB.

Who is never served from it: a signed-in person (the session says so; checked only when a
session cookie comes with the request, so an anonymous request without one costs no query),
anyone with a flash message waiting, Wagtail's previews (their dummy requests, made for a
signed-in editor anyway). The admin, the workspace and the API are outside the paths.

Freshness, as for the signed-in pages (cms/private_cache.py, whose data generation this
reuses): every committed write to the database (a page published, a workflow transition, any
record saved) replaces the generation, read *before* the view runs and stored with the entry;
an entry is served only while its generation is current. Time-dependent content (a call that
opens, "ends in 3 days") is bounded by PUBLIC_PAGE_CACHE_TTL. The generation is replaced only
while the private cache watches writes (PRIVATE_PAGE_CACHE), so this cache is on only then too:
an entry could otherwise outlive a write.

Place: right after cms.private_cache.PrivatePageCacheMiddleware (after AuthenticationMiddleware).
A kept page was built through the middleware below (messages, X-Frame-Options, CSP, htmx,
redirects) and is kept with the headers they added; the middleware above (sessions, CSRF,
language, common, response headers) handles a kept page like any other.
"""

import hashlib
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.http import StreamingHttpResponse
from django.utils import translation
from django.utils.cache import get_max_age, patch_vary_headers

from cms import private_cache
from cms.private_cache import serve_kept

ENTRY_PREFIX = "ensemble:public-page:"
MAX_BYTES = 2 * 1024 * 1024
# Headers a page may answer differently to, part of the key.
VARYING_HEADERS = ("HX-Request", "HX-Target", "HX-Current-URL")


def enabled():
    return getattr(settings, "PUBLIC_PAGE_CACHE", False) and private_cache.enabled()


def _eligible_path(path):
    languages = tuple(f"/{code}/" for code, _name in settings.LANGUAGES)
    return (
        path.startswith(languages)
        or path == "/robots.txt"
        or (path.startswith("/sitemap") and path.endswith(".xml"))
    )


def _anonymous(request):
    """The request is of nobody signed in, with no flash message waiting."""
    if getattr(request, "is_dummy", False):  # Wagtail's preview of a draft
        return False
    if request.headers.get("Authorization") or request.COOKIES.get("messages"):
        return False
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return True  # no session: no one signed in, no message in a session (no query)
    if request.user.is_authenticated:
        return False
    return "_messages" not in request.session


def canonical_query(query_string):
    """The query string with its parameters sorted by name; the values of one name keep their
    order (a view may read the first or the last)."""
    pairs = parse_qsl(query_string, keep_blank_values=True)
    return urlencode(sorted(pairs, key=lambda pair: pair[0]))


def entry_key(request):
    parts = [
        request.get_host(),
        translation.get_language() or "",
        request.path,
        canonical_query(request.META.get("QUERY_STRING", "")),
        *(request.headers.get(name, "") for name in VARYING_HEADERS),
        # Some answers (the maps' data) are compressed for a client that accepts gzip.
        "gzip" if "gzip" in request.headers.get("Accept-Encoding", "") else "",
    ]
    return ENTRY_PREFIX + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _storable(request, response):
    if (
        request.method != "GET"
        or response.status_code != 200
        or isinstance(response, StreamingHttpResponse)
        or getattr(response, "streaming", False)
        or response.cookies
        or len(response.content) > MAX_BYTES
    ):
        return False
    if getattr(response, "private_page_cache", True) is False:
        return False  # the view opted out (cms.private_cache.never_keep)
    cache_control = response.get("Cache-Control", "")
    if "private" in cache_control or "no-store" in cache_control or get_max_age(response) == 0:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # the page used a CSRF token: a form for this visitor
    if getattr(request, "_csp_nonce", None):
        return False  # the page used its nonce (a LazyNonce is true once generated)
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    messages = getattr(request, "_messages", None)
    return messages is None or not (messages.used or getattr(messages, "_queued_messages", None))


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            not enabled()
            or request.method not in ("GET", "HEAD")
            or not _eligible_path(request.path)
            or not _anonymous(request)
        ):
            return self.get_response(request)
        response, hit = serve_kept(
            request,
            entry_key(request),
            self.get_response,
            timeout=settings.PUBLIC_PAGE_CACHE_TTL,
            storable=_storable,
        )
        if hit:
            # The page was built for a visitor without a session: it depends on the cookie
            # (the session middleware said so on the miss, but sees no session read here).
            patch_vary_headers(response, ("Cookie",))
            response["X-Cache"] = "hit"
        elif hit is False:
            response["X-Cache"] = "miss"
        return response
