"""What reminds people of due work: their mail settings, the action items officials follow, what was
sent (so a reminder goes once), and their secret calendar feeds.

Writes go through `reminders.services`; what is "due" is decided in `reminders.due` alone.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from meetings.models import ActionItem

DEFAULT_LEAD_DAYS = 7
MAX_LEAD_DAYS = 60


class ReminderSettings(models.Model):
    """One user's choice: the daily digest on or off, where it goes, and how early an item is "due".

    Mail goes to `email` only once it is confirmed (`email == confirmed_email`): a new address
    receives nothing but its confirmation link until then.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_settings"
    )
    digest_enabled = models.BooleanField("毎日のお知らせメールを受け取る", default=False)
    email = models.EmailField("送信先メールアドレス", blank=True)
    confirmed_email = models.EmailField("確認済みのメールアドレス", blank=True, editable=False)
    # SHA-256 of the confirmation link's token (the token itself is only in the mail).
    confirmation_digest = models.CharField(max_length=64, blank=True, editable=False)
    confirmation_sent_at = models.DateTimeField("確認メールの送信日時", null=True, blank=True, editable=False)
    lead_days = models.PositiveSmallIntegerField(
        "期限の何日前から知らせるか",
        default=DEFAULT_LEAD_DAYS,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_LEAD_DAYS)],
        help_text=f"0〜{MAX_LEAD_DAYS}日。期限を過ぎたものは常に知らせます。",
    )
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        verbose_name = "お知らせの設定"
        verbose_name_plural = "お知らせの設定"

    def __str__(self):
        return f"{self.user} のお知らせ設定"

    @property
    def email_confirmed(self) -> bool:
        return bool(self.email) and self.email == self.confirmed_email

    @property
    def receives_digest(self) -> bool:
        return self.digest_enabled and self.email_confirmed


class ActionFollow(models.Model):
    """An official follows an action item (its 担当機関 is a body, not a user): it is in their digest."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="action_follows"
    )
    action = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        verbose_name = "フォロー中の対応事項"
        verbose_name_plural = "フォロー中の対応事項"
        constraints = [models.UniqueConstraint(fields=["user", "action"], name="action_follow_once")]

    def __str__(self):
        return f"{self.user} → {self.action}"


class SentReminder(models.Model):
    """One item of one user's digest on one day: claimed (inserted) before the mail is sent, so a second
    run — or a second machine at the same time — finds it and sends nothing twice. A failed send is
    marked failed and claimed again by the next run."""

    class Kind(models.TextChoices):
        ACTION = "action", "対応事項"
        FOLLOW_UP = "followup", "追跡調査"
        MEETING = "meeting", "会議"
        PROPOSAL = "proposal", "提案された議題"
        CONFIRMATION = "confirmation", "メールアドレスの確認"

    class Status(models.TextChoices):
        SENDING = "sending", "送信中"
        SENT = "sent", "送信済み"
        FAILED = "failed", "送信失敗"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField("日付")
    kind = models.CharField("種類", max_length=20, choices=Kind.choices)
    object_key = models.CharField("対象", max_length=60, help_text="例: action:12、followup:34:6")
    status = models.CharField("状況", max_length=10, choices=Status.choices, default=Status.SENDING)
    attempts = models.PositiveSmallIntegerField("送信回数", default=1)
    error = models.TextField("エラー", blank=True)
    created_at = models.DateTimeField("記録日時", auto_now_add=True)
    sent_at = models.DateTimeField("送信日時", null=True, blank=True)

    class Meta:
        verbose_name = "送信したお知らせ"
        verbose_name_plural = "送信したお知らせ"
        constraints = [
            models.UniqueConstraint(fields=["user", "day", "kind", "object_key"], name="reminder_sent_once")
        ]
        indexes = [models.Index(fields=["status", "day"], name="reminder_status_day")]

    def __str__(self):
        return f"{self.user} {self.day} {self.kind} {self.object_key}"


class CalendarFeed(models.Model):
    """A user's secret iCalendar feed URL: only the SHA-256 of its token is stored (shown once)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("発行日時", auto_now_add=True)
    revoked_at = models.DateTimeField("無効にした日時", null=True, blank=True)
    last_fetched_at = models.DateTimeField("最終取得日時", null=True, blank=True)

    class Meta:
        verbose_name = "カレンダー配信"
        verbose_name_plural = "カレンダー配信"

    def __str__(self):
        return f"{self.user} のカレンダー配信"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
