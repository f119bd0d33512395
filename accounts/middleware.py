from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import user_has_device

from accounts import roles

# Pages a signed-in official may reach before passing the second factor.
OTP_EXEMPT_VIEWS = frozenset(
    {
        "accounts:login",
        "accounts:logout",
        "accounts:otp_setup",
        "accounts:otp_verify",
        "healthz",
        # A calendar feed is read by the token in its URL, not the session: a browser half-way through
        # an official's sign-in (second factor not yet given) still gets the feed its token names.
        "reminders:feed",
    }
)


_DEVICE_CHECKED = "_portal_otp_device"


def _has_device(request, user) -> bool:
    """Whether the signed-in user has a confirmed device, looked up once per session.

    Setting a device up verifies the session at once, and only a verified session can remove one,
    so the answer cannot go stale in a way that lets an unverified session through.
    """
    cached = request.session.get(_DEVICE_CHECKED)
    if cached is not None and cached[0] == user.pk:
        return cached[1]
    has_device = user_has_device(user)
    request.session[_DEVICE_CHECKED] = [user.pk, has_device]
    return has_device


class OfficialOTPRequiredMiddleware:
    """Prefecture officials must pass TOTP after their password before any other page.

    Officials without a confirmed device are sent to set one up; those with one, to enter a token.
    Runs after django_otp's OTPMiddleware (which gives request.user `is_verified()`). Other roles may
    enable TOTP at /accounts/otp/ and are then asked for a token in the same way.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OTP_EXEMPT_VIEWS:
            return None
        has_device = _has_device(request, user)
        if not has_device and not roles.is_prefecture(user):
            return None
        target = "accounts:otp_verify" if has_device else "accounts:otp_setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
