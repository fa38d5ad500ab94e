"""Two-factor devices for the demo's coordinator and admin, with secrets published in the
README so anyone trying the demo can log in (never do this with real accounts)."""

from base64 import b32decode

from django_otp.plugins.otp_totp.models import TOTPDevice

from cms.accounts.two_factor import TOTP_DEVICE_NAME, recovery_codes_reset

# Type this key into an authenticator app (time-based, 6 digits, 30 seconds).
DEMO_TOTP_SECRET = "ENSEMBLEDEMOTOTPSECRETKEYABCDEFG"
DEMO_RECOVERY_CODES = [f"ensemble-demo-{n:02d}" for n in range(1, 11)]
DEMO_TWO_FACTOR_USERS = ("admin", "coordinator")


def ensure_demo_two_factor(demo_users):
    """An authenticator with the published key and the ten published recovery codes (restored
    when some were used), for each demo user who must pass two-factor authentication."""
    key = b32decode(DEMO_TOTP_SECRET).hex()
    for username in DEMO_TWO_FACTOR_USERS:
        user = demo_users[username]
        device = TOTPDevice.objects.filter(user=user, name=TOTP_DEVICE_NAME).first()
        if device is None:
            TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, key=key, confirmed=True)
        elif device.key != key or not device.confirmed:
            device.key, device.confirmed = key, True
            device.save(update_fields=["key", "confirmed"])
        recovery_codes_reset(user=user, codes=DEMO_RECOVERY_CODES)
