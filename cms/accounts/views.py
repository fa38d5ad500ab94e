"""Two-factor pages under /accounts/2fa/, and the throttled password reset."""

import hashlib
import logging
from base64 import b32encode
from io import BytesIO

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from cms.accounts.lockout import client_ip, lockout_response
from cms.accounts.two_factor import (
    otp_verify,
    totp_device_confirm,
    totp_device_start,
    two_factor_enrolled,
    two_factor_required,
)
from cms.forms import PasswordResetForm, TwoFactorCodeForm

logger = logging.getLogger(__name__)

RECOVERY_CODES_SESSION_KEY = "two_factor_new_recovery_codes"


def next_url(request):
    """Where to go once verified: a local `next`, else the usual landing page."""
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def with_next(name, request):
    return f"{reverse(name)}?{urlencode({'next': next_url(request)})}"


def qr_code_svg(url):
    """The QR code as inline SVG. segno draws with presentation attributes (stroke, fill), no
    `style` attribute, so the page's strict Content-Security-Policy allows it."""
    buffer = BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", xmldecl=False, svgns=True, scale=5, border=4, dark="#000", light="#fff"
    )
    return mark_safe(buffer.getvalue().decode())


def grouped(key, size=4):
    return " ".join(key[i : i + size] for i in range(0, len(key), size))


def verified_now(request, device):
    """The session now carries the second factor: give it a new key, as a login would."""
    request.session.cycle_key()
    otp_login(request, device)


@never_cache
@login_required
def two_factor_setup(request):
    user = request.user
    if not two_factor_required(user):
        raise Http404
    if two_factor_enrolled(user) and not user.is_verified():
        # Adding a device is only for someone who has proved the one they have: otherwise a
        # stolen password would be enough to enrol the thief's phone.
        return redirect(with_next("two_factor_verify", request))
    device = totp_device_start(user=user)
    form = TwoFactorCodeForm(
        request.POST or None,
        label=_("Code shown by the app"),
        help_text=_("Six digits; the app shows a new one every 30 seconds."),
    )
    if request.method == "POST" and form.is_valid():
        codes = totp_device_confirm(device=device, token=form.cleaned_data["code"])
        if codes is not None:
            verified_now(request, device)
            request.session[RECOVERY_CODES_SESSION_KEY] = codes
            return redirect(with_next("two_factor_recovery_codes", request))
        form.add_error(
            "code",
            _("That code does not match. Check the clock of your phone and enter the newest code."),
        )
    return render(
        request,
        "cms/accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_code": qr_code_svg(device.config_url),
            "secret": grouped(b32encode(device.bin_key).decode()),
            "next": next_url(request),
        },
    )


@never_cache
@login_required
def two_factor_recovery_codes(request):
    """The new recovery codes, shown once, straight after enrolment."""
    codes = request.session.pop(RECOVERY_CODES_SESSION_KEY, None)
    if not codes or not request.user.is_verified():
        return HttpResponseRedirect(next_url(request))
    return render(
        request,
        "cms/accounts/two_factor_recovery_codes.html",
        {"codes": codes, "next": next_url(request)},
    )


@never_cache
@login_required
def two_factor_verify(request):
    user = request.user
    if not two_factor_required(user):
        raise Http404
    if not two_factor_enrolled(user):
        return redirect(with_next("two_factor_setup", request))
    if user.is_verified():
        return HttpResponseRedirect(next_url(request))
    # Wrong codes count as failed logins: the same lockout as for passwords.
    credentials = {"username": user.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        return lockout_response(request)
    form = TwoFactorCodeForm(
        request.POST or None,
        label=_("Code from your authenticator app, or a recovery code"),
    )
    if request.method == "POST" and form.is_valid():
        device = otp_verify(user=user, token=form.cleaned_data["code"])
        if device is not None:
            verified_now(request, device)
            if isinstance(device, StaticDevice):
                left = StaticToken.objects.filter(device__user=user).count()
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code: %(count)d is left. Set up your "
                        "authenticator again to get new ones.",
                        "You used a recovery code: %(count)d are left. Set up your "
                        "authenticator again to get new ones.",
                        left,
                    )
                    % {"count": left},
                )
            return HttpResponseRedirect(next_url(request))
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            return lockout_response(request)
        form.add_error(
            "code", _("That code is not valid. Enter the newest code, or a recovery code.")
        )
    return render(
        request,
        "cms/accounts/two_factor_verify.html",
        {"form": form, "next": next_url(request)},
    )


# --- Password reset -------------------------------------------------------------------------

# Per hour: enough for someone who mistyped, too few to flood a mailbox or probe addresses.
PASSWORD_RESET_LIMITS = {"ip": 10, "email": 3}
PASSWORD_RESET_WINDOW = 3600


def password_reset_allowed(*, ip, email):
    """Count this request against its address and its email; False beyond either limit."""
    allowed = True
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    for kind, value in (("ip", ip), ("email", digest)):
        key = f"password-reset:{kind}:{value}"
        cache.add(key, 0, PASSWORD_RESET_WINDOW)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, PASSWORD_RESET_WINDOW)
            count = 1
        if count > PASSWORD_RESET_LIMITS[kind]:
            allowed = False
    return allowed


class PasswordResetView(auth_views.PasswordResetView):
    """Django's view with our form (the email goes through a task) and a throttle. A throttled
    request gets the very same answer, "if an account has this address, we sent a link", so
    the throttle tells nothing about accounts."""

    form_class = PasswordResetForm

    def form_valid(self, form):
        if password_reset_allowed(ip=client_ip(self.request), email=form.cleaned_data["email"]):
            return super().form_valid(form)
        logger.warning("password reset throttled", extra={"ip": client_ip(self.request)})
        return HttpResponseRedirect(self.get_success_url())
