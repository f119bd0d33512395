"""Helpers for the digest tests: a recipient (settings saved and confirmed as the settings page would
leave them) and the day the tests run on (ActionItemFactory's items fall due on 2022-12-01)."""

from __future__ import annotations

from datetime import date

from django.core import mail

from reminders.models import ReminderSettings

DAY = date(2022, 11, 28)


def receive(user, *, email: str | None = None, lead_days: int = 7) -> ReminderSettings:
    address = email or f"{user.username}@example.jp"
    return ReminderSettings.objects.update_or_create(
        user=user,
        defaults={
            "digest_enabled": True,
            "email": address,
            "confirmed_email": address,
            "lead_days": lead_days,
        },
    )[0]


def mails_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


def body_of(message) -> str:
    """The body as the recipient's mail program shows it (decoded from the MIME message)."""
    return message.message().get_payload(decode=True).decode("utf-8")
