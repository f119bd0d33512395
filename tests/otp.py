"""Two-factor helpers for tests: give a user a confirmed TOTP device, compute its current token,
mark a test client's session as having passed TOTP (what django_otp.login does after a real token)."""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="テスト端末", confirmed=True)


def current_token(device: TOTPDevice, *, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset * device.step
    return f"{totp.token():0{device.digits}d}"


def mark_otp_verified(client, user) -> TOTPDevice:
    """After client.force_login(user): the session counts as verified with the user's device."""
    device = totp_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def mark_otp_checked(client, user) -> None:
    """After client.force_login(user): record in the session whether the user has a device, as the
    first request of a real sign-in does, so query counts measure the page alone."""
    from django_otp import user_has_device

    from accounts.middleware import _DEVICE_CHECKED

    session = client.session
    session[_DEVICE_CHECKED] = [user.pk, user_has_device(user)]
    session.save()
