"""Site-wide middleware: response headers (Content Security Policy, Permissions-Policy, private
caching), 503 when the database is unreachable, language handling for the public site.

Content Security Policy: strict (SECURE_CSP) on the public site and the workspace; Wagtail's
admin and the API docs get policies of their own (CSP_ADMIN*, CSP_API_DOCS in settings), measured
on what they load, rather than loosening the strict one everywhere.
"""

import logging
import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.middleware.locale import LocaleMiddleware
from django.template import loader
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.utils.csp import CSP
from django.utils.translation import gettext as _


def area_policies(request):
    """(enforced, report-only) policies of the areas with their own, or None for SECURE_CSP."""
    if getattr(request, "is_dummy", False):
        # Wagtail's live preview renders the public page through the middleware again, on a
        # fake request for its public URL, shown in a frame of the admin: the public policy,
        # but that frame must be allowed.
        return (
            {**settings.SECURE_CSP, "frame-ancestors": [CSP.SELF]},
            settings.SECURE_CSP_REPORT_ONLY,
        )
    if request.path.startswith("/admin/"):
        return settings.CSP_ADMIN, settings.CSP_ADMIN_REPORT_ONLY
    if request.path.startswith("/api/v1/docs/"):
        return settings.CSP_API_DOCS, settings.CSP_API_DOCS_REPORT_ONLY
    return None


class SiteContentSecurityPolicyMiddleware(ContentSecurityPolicyMiddleware):
    def process_response(self, request, response):
        policies = area_policies(request)
        if policies is not None:
            # A view's own @csp_override / @csp_report_only_override still wins.
            if not hasattr(response, "_csp_config"):
                response._csp_config = policies[0]
            if not hasattr(response, "_csp_ro_config"):
                response._csp_ro_config = policies[1]
        return super().process_response(request, response)


# --- Response headers: privacy of caches, browser features ------------------------------------

# Features no page of the site uses: a script injected into a page, or a framed embed, cannot
# turn them on. Names from the Permissions Policy registry (browsing-topics replaced FLoC's
# interest-cohort).
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)
# Always personal: a shared cache must never keep or hand out these pages.
PRIVATE_PREFIXES = ("/workspace/", "/accounts/", "/admin/")


def is_private(request):
    """A response no shared cache may store: a private area, or a request with credentials
    (a session cookie or an Authorization header: the page may name the person or show their
    data). Anonymous public pages stay cacheable. Decided without the database, so it holds
    when the database is down."""
    if request.path.startswith(PRIVATE_PREFIXES):
        return True
    if request.path.startswith(settings.STATIC_URL):
        return False
    return "HTTP_AUTHORIZATION" in request.META or settings.SESSION_COOKIE_NAME in request.COOKIES


class ResponseHeadersMiddleware:
    """Permissions-Policy on every response; `Cache-Control: private, no-store` and
    `Vary: Authorization, Cookie` on private ones. Placed above DatabaseUnavailableMiddleware so
    that the 503 pages carry the headers too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if is_private(request):
            patch_cache_control(response, private=True, no_store=True)
            patch_vary_headers(response, ("Authorization", "Cookie"))
        elif request.path.startswith("/api/"):
            # What the API answers depends on the credentials, even when there are none.
            patch_vary_headers(response, ("Authorization", "Cookie"))
        return response


# --- The database is unreachable: 503, not 500 --------------------------------------------------

# The database is down or restarting, the network failed, a persistent connection was cut. The
# same classes also cover transient failures (a deadlock, a statement timeout, SQLite's "database
# is locked"), for which "try again shortly" is right too. IntegrityError, DataError and the like
# are programming or input errors: they stay 500s or are handled by the views.
DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
logger = logging.getLogger("cms.database")


def database_unavailable_response(request):
    """Built without the database, the session, the user or context processors."""
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": _("The service is temporarily unavailable. Please try again shortly."),
                "code": "database_unavailable",
            },
            status=503,
        )
    else:
        response = HttpResponse(loader.get_template("cms/errors/503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def _note_database_error(sender, request=None, **kwargs):
    # Django turns an exception raised in a middleware (the session, the user, a redirect
    # lookup) into a 500 response before it reaches the middleware above: it only tells this
    # signal, while the exception is being handled. Remember it on the request.
    if request is not None and isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        request.database_unavailable = True


got_request_exception.connect(_note_database_error, dispatch_uid="cms.database_unavailable")


class DatabaseUnavailableMiddleware:
    """Answers 503 (a plain page, JSON under /api/, with Retry-After) when the database cannot
    be reached, wherever in the request it was needed: in the view (process_exception) or in a
    middleware below this one (the 500 it became is replaced). The broken connection is closed
    at the end of the request by Django (close_if_unusable_or_obsolete: errors occurred and the
    connection is unusable), so the next request connects again and the site recovers by
    itself when the database is back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        except DATABASE_ERRORS:
            # Only when turning an error into a response itself needed the database.
            logger.exception("Database unavailable: %s", request.path)
            return database_unavailable_response(request)
        if getattr(request, "database_unavailable", False) and response.status_code == 500:
            return database_unavailable_response(request)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            logger.error("Database unavailable: %s", request.path, exc_info=exception)
            return database_unavailable_response(request)
        return None


# Paths outside i18n_patterns: a 404 there is final, never a redirect to /en/…
UNPREFIXED = (
    "/api/",
    "/admin/",
    "/accounts/",
    "/workspace/",
    "/documents/",
    "/i18n/",
    "/healthz",
    "/static/",
    "/media/",
    "/open-data/",
    "/sitemap",
    "/robots.txt",
)


class SiteLocaleMiddleware(LocaleMiddleware):
    def process_response(self, request, response):
        if request.path.startswith(UNPREFIXED):
            patch_vary_headers(response, ("Accept-Language",))
            response.headers.setdefault("Content-Language", translation.get_language())
            return response
        return super().process_response(request, response)


def reject_nul_bytes(get_response):
    """A NUL character in the address or the query is never meaningful, and PostgreSQL refuses
    it in text: answer 400 here rather than 500 in the database."""

    def middleware(request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            message = _("NUL characters are not allowed in the address.")
            if request.path.startswith("/api/"):
                # API clients parse every answer as JSON.
                return JsonResponse({"detail": str(message)}, status=400)
            return HttpResponseBadRequest(message)
        return get_response(request)

    return middleware
