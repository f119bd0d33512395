from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import lockout, otp, roles
from accounts.forms import OTPTokenForm, UnlockForm


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("home")


@require_http_methods(["GET", "POST"])
def otp_setup(request):
    """二段階認証の設定: register an authenticator app (QR code), then show the recovery codes once."""
    user = request.user
    device = otp.confirmed_totp_device(user)
    if device is not None:
        return render(
            request,
            "accounts/otp_status.html",
            {
                "device": device,
                "codes_left": otp.recovery_codes_left(user),
                "required": roles.is_prefecture(user),
                "verified": user.is_verified(),
            },
        )
    pending = otp.pending_totp_device(user)
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = otp.totp_device_confirm(
            by=user, device=pending, token=form.cleaned_data["token"], request=request
        )
        if codes is not None:
            return render(request, "accounts/otp_codes.html", {"codes": codes, "next": _next_url(request)})
        form.add_error("token", "確認コードが正しくありません。認証アプリの最新のコードを入力してください。")
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr_svg": otp.qr_svg(pending),
            "secret": otp.secret_for_display(pending),
            "required": roles.is_prefecture(user),
            "next": _next_url(request),
        },
    )


@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """確認コードの入力: the second step of signing in for users with a device."""
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    if otp.confirmed_totp_device(user) is None:
        return redirect(f"{reverse('accounts:otp_setup')}?{urlencode({'next': _next_url(request)})}")
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if otp.otp_verify(by=user, token=form.cleaned_data["token"], request=request):
            return redirect(_next_url(request))
        form.add_error(
            "token",
            "確認コードが正しくありません。続けて誤ると、しばらく入力できなくなります。",
        )
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)})


@require_POST
def otp_recovery_codes(request):
    """Issue fresh recovery codes (the old ones stop working); only from a verified session."""
    if not request.user.is_verified():
        return redirect("accounts:otp_verify")
    codes = otp.recovery_codes_generate(by=request.user, request=request)
    return render(request, "accounts/otp_codes.html", {"codes": codes, "next": reverse("home")})


@require_POST
def otp_disable(request):
    """Turn two-factor sign-in off — not allowed for prefecture officials, for whom it is required."""
    if roles.is_prefecture(request.user):
        messages.error(request, "県職員は二段階認証を解除できません。")
        return redirect("accounts:otp_setup")
    if not request.user.is_verified():
        return redirect("accounts:otp_verify")
    otp.otp_disable(by=request.user, request=request)
    messages.success(request, "二段階認証を解除しました。")
    return redirect("accounts:otp_setup")


@roles.prefecture_required
@require_http_methods(["GET", "POST"])
def locked_accounts(request):
    """ロック中のアカウント: every sign-in limit in force (pairs, addresses, delayed user names), each
    with a button to lift it (officials)."""
    if request.method == "POST":
        form = UnlockForm(request.POST)
        done = None
        if form.is_valid():
            data = form.cleaned_data
            if data["attempt"] is not None:
                attempt = lockout.locked_attempts().filter(pk=data["attempt"]).first()
                if attempt is not None:
                    lockout.login_lockout_reset(by=request.user, attempt=attempt, request=request)
                    done = f"「{attempt.username}」のロックを解除しました。"
            elif data["address"]:
                if lockout.login_address_unlock(by=request.user, ip=data["address"], request=request):
                    done = f"接続元 {data['address']} のロックを解除しました。"
            elif lockout.login_username_delay_reset(
                by=request.user, username=data["username"], request=request
            ):
                done = f"「{data['username']}」の待ち時間を解除しました。"
        if done is None:
            messages.error(request, "指定のロックは見つかりません（既に解除されたか、期限が過ぎています）。")
        else:
            messages.success(request, done)
        return redirect("accounts:locked_accounts")
    return render(
        request,
        "accounts/locked_accounts.html",
        {
            "attempts": list(lockout.locked_attempts()),
            "addresses": lockout.locked_addresses(),
            "delayed": lockout.delayed_usernames(),
        },
    )


# --- 監査ログ (the audit trail; recorded by core.audit, read by officials here) ---------------------

AUDIT_PAGE_SIZE = 50


def _audit_filter(request):
    from accounts.filters import AuditLogFilter

    return AuditLogFilter(request.GET or None)


@roles.prefecture_required
@require_GET
def audit_log(request):
    """監査ログ: sign-ins, record views, downloads, rights and data changes in one list (officials only)."""
    from core.auditlog import combined_keys, rows_for_keys
    from core.listing import query_without_page

    filters = _audit_filter(request)
    page = None
    rows = []
    if not filters.is_bound or filters.is_valid():  # refused input lists nothing: the form says why
        paginator = Paginator(combined_keys(filters.events(), filters.changes()), AUDIT_PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        rows = rows_for_keys(list(page.object_list))
    return render(
        request,
        "accounts/audit_log.html",
        {
            "form": filters.form,
            "page": page,
            "rows": rows,
            "query": query_without_page(request),
            "retention_days": settings.AUDIT_RETENTION_DAYS,
        },
    )


@roles.prefecture_required
@require_GET
def audit_log_export(request):
    """The filtered audit trail as CSV (recorded, like every download, by DownloadAuditMiddleware)."""
    from core.auditlog import CSV_HEADER, csv_row, iter_rows
    from core.exports import csv_response, download_stem

    filters = _audit_filter(request)
    if filters.is_bound and not filters.is_valid():
        return render(
            request, "accounts/audit_log.html", {"form": filters.form, "page": None, "rows": []}, status=400
        )
    filename = f"{download_stem('監査ログ')}.csv"
    rows = iter_rows(filters.events(), filters.changes())
    return csv_response(filename, CSV_HEADER, (csv_row(row) for row in rows))
