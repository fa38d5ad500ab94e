"""Log users in for tests, past the two-factor check coordinators and superusers must pass."""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice


def verified_login(client, user):
    """Log `user` in as if they had passed two-factor authentication."""
    client.force_login(user)
    # A confirmed device is what the OTP middleware checks the session against; a static
    # (recovery-code) device needs no secret, so it is the cheapest one to create.
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="test", defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def enrol_authenticator(user):
    """Give `user` a confirmed authenticator app (TOTP device), as the setup page would."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="Authenticator app", defaults={"confirmed": True}
    )
    return device


def totp_code(device, steps_ahead=0):
    """The code the authenticator app shows now (or `steps_ahead` periods later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"
