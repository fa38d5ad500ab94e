"""Coordinators and superusers reach nothing but the two-factor pages until they pass them."""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from cms.accounts.two_factor import two_factor_enrolled, two_factor_required

OTP_REQUIRED_CODE = "otp_required"

# What an authenticated but unverified coordinator may still reach: the two-factor pages
# themselves, logging in or out, the language switch, files, the health check, and the token
# endpoint (it checks a code of its own).
EXEMPT_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/login/",
    "/accounts/logout/",
    "/i18n/",
    "/static/",
    "/media/",
    "/healthz",
    "/api/v1/auth/token/",
)


class TwoFactorMiddleware:
    """Must come after django_otp's OTPMiddleware, which sets user.is_verified()."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            not request.path.startswith(EXEMPT_PREFIXES)
            and user.is_authenticated
            # Verified first: that is one query, for those who verified only.
            and not user.is_verified()
            and two_factor_required(user)
        ):
            return self.refuse(request, user)
        return self.get_response(request)

    def refuse(self, request, user):
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": _("Confirm your login with a two-factor code first."),
                    "code": OTP_REQUIRED_CODE,
                },
                status=403,
            )
        name = "two_factor_verify" if two_factor_enrolled(user) else "two_factor_setup"
        url = f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request"):
            # A fragment request would swap the whole page into its target: navigate instead.
            return HttpResponse(status=204, headers={"HX-Redirect": url})
        return redirect(url)
