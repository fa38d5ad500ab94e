"""Content Security Policy for the public site and the workspace.

Wagtail's admin and the API docs bring their own inline scripts and styles, so they are served
without the strict policy rather than with a loosened one everywhere.
"""

from django.middleware.csp import ContentSecurityPolicyMiddleware

CSP_EXEMPT_PREFIXES = ("/admin/", "/api/v1/docs/")


class SiteContentSecurityPolicyMiddleware(ContentSecurityPolicyMiddleware):
    def process_response(self, request, response):
        if request.path.startswith(CSP_EXEMPT_PREFIXES):
            return response
        return super().process_response(request, response)
