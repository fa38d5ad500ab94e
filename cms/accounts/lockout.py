"""Login lockouts (django-axes): who counts as the same client, and what a locked-out one sees.

Failures count per username+address (AXES_FAILURE_LIMIT, 5) and per address alone
(AXES_IP_FAILURE_LIMIT, higher, so that an office behind one address is not locked out by one
person's typos, while one address cannot try every username).
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.db.models import Sum
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext

LOCKED_OUT_CODE = "locked_out"


def client_ip(request):
    """The client's address: REMOTE_ADDR, or, behind TRUSTED_PROXY_COUNT reverse proxies, the
    address the outermost trusted proxy saw (counted from the right of X-Forwarded-For, so a
    client cannot choose it by sending its own header). The same rule as DRF's NUM_PROXIES."""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies and forwarded:
        addresses = [address.strip() for address in forwarded.split(",")]
        return addresses[-min(proxies, len(addresses))]
    return request.META.get("REMOTE_ADDR", "")


def client_username(request, credentials=None):
    """The identifier typed, case-folded: logins ignore case, so "LEA" and "lea" count together."""
    if credentials is not None:
        username = credentials.get("username")
    else:
        data = getattr(request, "data", None) or request.POST
        username = data.get("username")
    if not isinstance(username, str):
        return None
    return username.strip().lower() or None


class LoginAttemptHandler(AxesDatabaseHandler):
    """Axes' database handler with two limits instead of one.

    AXES_LOCKOUT_PARAMETERS is [["username", "ip_address"], "ip_address"]; axes compares the
    largest count of any parameter set with one limit. Here the address alone has its own,
    higher limit, and a successful login forgets only that username's failures at that address
    (forgetting the address's would let someone with one valid account reset the count between
    guesses at another)."""

    def get_failures(self, request, credentials=None):
        by_user, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        if by_address >= settings.AXES_IP_FAILURE_LIMIT:
            return max(by_user, settings.AXES_FAILURE_LIMIT)
        return by_user

    def reset_user_attempts(self, request, credentials=None):
        by_user = self.filter_user_attempts(request, credentials)[0]
        count, _ = by_user.delete()
        return count


def lockout_response(request, original_response=None, credentials=None):
    """429 for a locked-out client: JSON under /api/, the lockout page elsewhere."""
    cool_off = get_cool_off(request)
    minutes = max(1, int(cool_off.total_seconds() // 60)) if cool_off else None
    headers = {"Retry-After": str(int(cool_off.total_seconds()))} if cool_off else {}
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "detail": ngettext(
                    "Too many failed login attempts. Try again in %(minutes)d minute.",
                    "Too many failed login attempts. Try again in %(minutes)d minutes.",
                    minutes,
                )
                % {"minutes": minutes},
                "code": LOCKED_OUT_CODE,
            },
            status=429,
            headers=headers,
        )
    response = render(request, "cms/accounts/locked_out.html", {"minutes": minutes}, status=429)
    for name, value in headers.items():
        response[name] = value
    return response
