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
    }
)


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
        has_device = user_has_device(user)
        if not has_device and not roles.is_prefecture(user):
            return None
        target = "accounts:otp_verify" if has_device else "accounts:otp_setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
