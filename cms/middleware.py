"""Content Security Policy and language handling for the public site.

Content Security Policy: for the public site and the workspace.

Wagtail's admin and the API docs bring their own inline scripts and styles, so they are served
without the strict policy rather than with a loosened one everywhere.
"""

from django.http import HttpResponseBadRequest
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers

CSP_EXEMPT_PREFIXES = ("/admin/", "/api/v1/docs/")


class SiteContentSecurityPolicyMiddleware(ContentSecurityPolicyMiddleware):
    def process_response(self, request, response):
        if request.path.startswith(CSP_EXEMPT_PREFIXES):
            return response
        return super().process_response(request, response)


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
            return HttpResponseBadRequest("NUL characters are not allowed in the address.")
        return get_response(request)

    return middleware
