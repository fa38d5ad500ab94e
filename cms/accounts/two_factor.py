"""Two-factor authentication (django-otp): who needs it, enrolment, verification.

Coordinators and superusers prove a second factor after their password: a code from an
authenticator app (TOTP) or, when the phone is lost, one of ten single-use recovery codes.
"""

from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from workflow.permissions import roles_of

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


def two_factor_required(user):
    """Coordinators and superusers hold the keys to every project: they need a second factor.
    (roles_of caches on the user, so the views that ask again cost no query.)"""
    return user.is_authenticated and roles_of(user).is_coordinator


def two_factor_enrolled(user):
    """An authenticator app, or recovery codes left: the user can verify rather than enrol."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or StaticToken.objects.filter(device__user=user, device__confirmed=True).exists()
    )


def totp_device_start(*, user):
    """The authenticator being enrolled: the same one until it is confirmed, so reloading the
    page keeps the QR code the user may already have scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_device_confirm(*, device, token):
    """Confirm an enrolment with its first code. The new authenticator replaces the user's
    others, and ten new recovery codes replace the old ones. Returns the codes (shown once), or
    None when the code is wrong."""
    with transaction.atomic():
        if not device.verify_token(normalise_token(token)):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        return recovery_codes_reset(user=device.user)


def recovery_codes_reset(*, user, codes=None):
    """Replace every recovery code of the user with `codes` (default: ten random ones)."""
    codes = (
        list(codes)
        if codes is not None
        else [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    )
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
        )
        if not device.confirmed:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
        StaticToken.objects.filter(device__user=user).delete()
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def otp_verify(*, user, token):
    """The device that accepts `token` (an authenticator code, or a recovery code, which is
    then used up), or None. django-otp slows each device down after failures."""
    token = normalise_token(token)
    if not token:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, for_verify=True):
            if device.verify_token(token):
                return device
    return None


def normalise_token(token):
    """Codes are read off a screen or paper: ignore spaces and case."""
    return "".join(str(token or "").split()).lower()
