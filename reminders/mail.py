"""The mails reminders sends, built (not sent): the daily digest and the address confirmation.

Plain text in UTF-8 through Django's `EmailMessage` (Content-Type text/plain; charset="utf-8", the
Japanese subject MIME-encoded), with links made absolute from the SITE_URL setting: a mail has no
request to take the host from. A follow-up is named by its case number only — nothing else of a
case is ever put in a mail.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from reminders.due import MEETING_DAYS, Due

SUBJECT_PREFIX = "【山口県 地域移行ポータル】"
# Automatic mail (RFC 3834): no out-of-office replies to it (Exchange reads the second header).
AUTOMATIC_HEADERS = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}


class MailNotConfigured(ImproperlyConfigured):
    """SITE_URL is not set: a mail's links would lead nowhere."""


def absolute_url(path: str) -> str:
    base = getattr(settings, "SITE_URL", "")
    if not base:
        raise MailNotConfigured(
            "SITE_URL が設定されていないため、メールのリンクを作れません"
            "（例: SITE_URL=https://portal.example.jp）。"
        )
    return base + path


def _message(*, subject: str, body: str, to: str) -> EmailMessage:
    return EmailMessage(
        subject=SUBJECT_PREFIX + subject,
        body=body.strip() + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=dict(AUTOMATIC_HEADERS),
    )


# --- The daily digest -------------------------------------------------------------------------


def digest_subject(due: Due) -> str:
    """「期限が近い対応事項 3件・期限超過 1件」; with nothing due, the meetings and the proposals."""
    near_actions = sum(not a.overdue for a in due.actions)
    near_follow_ups = sum(not f.overdue for f in due.follow_ups)
    parts = []
    if near_actions:
        parts.append(f"期限が近い対応事項 {near_actions}件")
    if near_follow_ups:
        parts.append(f"期限が近い追跡調査 {near_follow_ups}件")
    if due.overdue_count:
        parts.append(f"期限超過 {due.overdue_count}件")
    if not parts:
        if due.meetings:
            parts.append(f"今後{MEETING_DAYS}日間の会議 {len(due.meetings)}件")
        if due.proposals:
            parts.append(f"提案された議題 {len(due.proposals)}件")
    return "・".join(parts) or "お知らせ"


def _meeting_label(meeting) -> str:
    area = meeting.region.full_name if meeting.region_id else "県全域"
    return f"{area} {meeting.title}"


def digest_context(*, user, due: Due) -> dict:
    overdue = [a for a in due.actions if a.overdue]
    near = [a for a in due.actions if not a.overdue]
    return {
        "user": user,
        "name": user.get_full_name() or user.username,
        "due": due,
        "meeting_days": MEETING_DAYS,
        "overdue": [
            {"item": a, "meeting": _meeting_label(a.meeting), "url": _action_url(a)} for a in overdue
        ],
        "near": [{"item": a, "meeting": _meeting_label(a.meeting), "url": _action_url(a)} for a in near],
        "follow_ups": [
            {"item": f, "url": absolute_url(reverse("meetings:case_detail", args=[f.case_id]))}
            for f in due.follow_ups
        ],
        "follow_ups_overdue": sum(f.overdue for f in due.follow_ups),
        "meetings": [
            {
                "item": m,
                "label": _meeting_label(m),
                "url": absolute_url(reverse("meetings:detail", args=[m.pk])),
            }
            for m in due.meetings
        ],
        "proposals": [
            {"item": p, "area": p.region.full_name if p.region_id else "県全体"} for p in due.proposals
        ],
        "proposals_url": absolute_url(reverse("meetings:proposals")),
        "settings_url": absolute_url(reverse("reminders:settings")),
    }


def _action_url(action) -> str:
    return absolute_url(reverse("meetings:action_detail", args=[action.pk]))


def digest_message(*, user, address: str, due: Due) -> EmailMessage:
    body = render_to_string("reminders/mail/digest.txt", digest_context(user=user, due=due))
    return _message(subject=digest_subject(due), body=body, to=address)


# --- Confirming an address ----------------------------------------------------------------------


def confirmation_message(*, user, address: str, token: str, valid_days: int) -> EmailMessage:
    body = render_to_string(
        "reminders/mail/confirmation.txt",
        {
            "name": user.get_full_name() or user.username,
            "username": user.username,
            "address": address,
            "confirm_url": absolute_url(reverse("reminders:confirm", args=[token])),
            "settings_url": absolute_url(reverse("reminders:settings")),
            "valid_days": valid_days,
        },
    )
    return _message(subject="メールアドレスの確認", body=body, to=address)
