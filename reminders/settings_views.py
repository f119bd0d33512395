"""「お知らせの設定」 (every signed-in user, their own settings only) and confirming a new address.

The confirmation link only shows a page with a button: confirming is a POST, so a mail scanner that
opens every link of a mail confirms nothing. Viewers may save settings, and are told they have
nothing due.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts import roles
from reminders import services
from reminders.settings_forms import ReminderSettingsForm


def _sent_message(row) -> str:
    return (
        f"{row.email} に確認メールを送りました。メールのリンクを開き、ボタンを押して確認してください"
        f"（有効期限 {services.CONFIRMATION_VALID.days}日間）。確認が済むまで、お知らせは送りません。"
    )


def _send_confirmation(request) -> None:
    try:
        row = services.confirmation_send(by=request.user)
    except services.ConfirmationNotSent as error:
        messages.warning(request, error.message)
    else:
        messages.success(request, _sent_message(row))


@require_http_methods(["GET", "POST"])
def settings_page(request):
    current = services.settings_of(request.user)
    if request.method == "POST":
        form = ReminderSettingsForm(request.POST, instance=services.settings_of(request.user))
        if form.is_valid():
            saved = services.reminder_settings_update(
                by=request.user,
                digest_enabled=form.cleaned_data["digest_enabled"],
                email=form.cleaned_data["email"],
                lead_days=form.cleaned_data["lead_days"],
            )
            messages.success(request, "お知らせの設定を保存しました。")
            if saved.address_changed and saved.needs_confirmation:
                _send_confirmation(request)
            return redirect("reminders:settings")
    else:
        initial = {} if current.pk else {"email": request.user.email}
        form = ReminderSettingsForm(instance=current, initial=initial)
    return render(
        request,
        "reminders/settings.html",
        {
            "form": form,
            "current": current,
            "has_due_items": roles.can_write(request.user),
            "valid_days": services.CONFIRMATION_VALID.days,
        },
    )


@require_POST
def confirmation_resend(request):
    """「確認メールを再送する」: a new link to the pending address (the previous one stops working)."""
    _send_confirmation(request)
    return redirect("reminders:settings")


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    """The link in the confirmation mail: GET shows the button, POST confirms."""
    try:
        if request.method == "POST":
            row = services.email_confirm(by=request.user, token=token)
            messages.success(
                request, f"{row.email} を確認しました。このアドレスにお知らせメールを送れるようになりました。"
            )
            return redirect("reminders:settings")
        row = services.pending_confirmation(user=request.user, token=token)
    except services.ConfirmationError as error:
        return render(request, "reminders/confirm.html", {"error": error.message}, status=error.status)
    return render(request, "reminders/confirm.html", {"row": row})
