"""Two-factor sign-in with TOTP (django-otp): one authenticator app device per user, plus recovery codes.

Writes follow the services convention (keyword-only, atomic, audited). The QR code is drawn on the
server as SVG with the `qrcode` package — the secret never leaves the portal.
"""

from __future__ import annotations

import base64
import secrets

import qrcode
import qrcode.image.svg
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.audit import audit_event
from core.models import AuditEvent

RECOVERY_CODE_COUNT = 10
DEVICE_NAME = "認証アプリ"


def confirmed_totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def pending_totp_device(user) -> TOTPDevice:
    """The unconfirmed device being set up (created on first visit of the setup page)."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def recovery_device(user) -> StaticDevice | None:
    return StaticDevice.objects.devices_for_user(user, confirmed=True).first()


def recovery_codes_left(user) -> int:
    device = recovery_device(user)
    return device.token_set.count() if device else 0


def secret_for_display(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing into an app by hand."""
    text = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


def _new_code() -> str:
    raw = secrets.token_hex(5)  # 10 hex digits, 40 bits
    return f"{raw[:5]}-{raw[5:]}"


def _normalise(token: str) -> str:
    return "".join((token or "").split())


@transaction.atomic
def recovery_codes_generate(*, by, request=None) -> list[str]:
    """Replace the user's recovery codes with fresh ones and return them, to be shown once.

    They are django-otp static tokens: each works once in place of the app's code.
    """
    device = recovery_device(by) or StaticDevice.objects.create(user=by, name="回復コード", confirmed=True)
    device.token_set.all().delete()
    codes = [_new_code() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    audit_event(
        kind=AuditEvent.Kind.OTP_CHANGE, request=request, user=by, detail={"action": "回復コードを発行"}
    )
    return codes


@transaction.atomic
def totp_device_confirm(*, by, device: TOTPDevice, token: str, request=None) -> list[str] | None:
    """Confirm a pending device with its first token; returns the new recovery codes, or None if the
    token was wrong. On success the session counts as verified."""
    if device.user_id != by.pk or device.confirmed:
        return None
    if not device.verify_token(_normalise(token)):
        return None
    TOTPDevice.objects.devices_for_user(by, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_event(
        kind=AuditEvent.Kind.OTP_CHANGE, request=request, user=by, detail={"action": "認証アプリを登録"}
    )
    codes = recovery_codes_generate(by=by, request=request)
    if request is not None:
        otp_login(request, device)
    return codes


def otp_verify(*, by, token: str, request) -> bool:
    """Check a token from the authenticator app or a recovery code (used once); mark the session."""
    token = _normalise(token)
    for device in (confirmed_totp_device(by), recovery_device(by)):
        if device is None:
            continue
        allowed, _ = device.verify_is_allowed()
        if allowed and device.verify_token(token):
            otp_login(request, device)
            detail = {"device": "回復コード"} if isinstance(device, StaticDevice) else {}
            audit_event(kind=AuditEvent.Kind.OTP_SUCCESS, request=request, user=by, detail=detail)
            return True
    audit_event(kind=AuditEvent.Kind.OTP_FAILURE, request=request, user=by)
    return False


@transaction.atomic
def otp_disable(*, by, request=None) -> None:
    """Remove the user's TOTP device and recovery codes (not for prefecture officials: theirs is required)."""
    TOTPDevice.objects.devices_for_user(by, confirmed=None).delete()
    StaticDevice.objects.devices_for_user(by, confirmed=None).delete()
    audit_event(
        kind=AuditEvent.Kind.OTP_CHANGE, request=request, user=by, detail={"action": "二段階認証を解除"}
    )
