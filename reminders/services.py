"""Writes of the reminders app: a user's mail settings, confirming their address, and the daily digest.

Settings and confirmations are keyword-only functions under `transaction.atomic` that record history
(`core.history`) in the same transaction. Mail is sent outside any transaction (no row stays locked
while a mail server answers).

The digest (`digest_send`, run for everyone by `manage.py send_reminders`) claims each item it will
mail by inserting a `SentReminder` row for (user, day, kind, item) before sending. The unique
constraint makes the claim the lock: a second run, or a second machine at the same moment, finds the
row and mails nothing twice (and a lock on the user's settings row while claiming keeps one user's
items in one run's mail). After sending the rows are marked sent; when sending fails they are
marked failed with the error and logged, and the next run (the same day) claims them again.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth.base_user import BaseUserManager
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from core import history
from core.models import ChangeRecord
from reminders import mail
from reminders.due import Due, due_for
from reminders.models import ReminderSettings, SentReminder

logger = logging.getLogger("reminders")

CONFIRMATION_VALID = timedelta(days=7)
CONFIRMATION_RESEND_INTERVAL = timedelta(minutes=1)
# The portal must not become a way to mail anyone many times: a user's confirmations per day.
CONFIRMATIONS_PER_DAY = 5
Kind = SentReminder.Kind
Status = SentReminder.Status


class ConfirmationError(Exception):
    """A confirmation link or mail refused; `message` is what the user is told."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidToken(ConfirmationError):
    status = 404


class ExpiredToken(ConfirmationError):
    status = 410


class ConfirmationNotSent(ConfirmationError):
    pass


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def settings_of(user) -> ReminderSettings:
    """The user's settings, or the defaults (unsaved) when they never saved any."""
    return ReminderSettings.objects.filter(user=user).first() or ReminderSettings(user=user)


# --- Settings -------------------------------------------------------------------------------------


@dataclass
class SettingsSaved:
    settings: ReminderSettings
    address_changed: bool

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.settings.email) and not self.settings.email_confirmed


def reminder_settings_update(*, by, digest_enabled: bool, email: str, lead_days: int) -> SettingsSaved:
    """Save `by`'s own settings. A new address is only pending: it receives nothing (the digest
    included) until confirmed; going back to the confirmed address needs no new confirmation."""
    email = BaseUserManager.normalize_email(email.strip()) if email else ""
    with transaction.atomic():
        row, created = ReminderSettings.objects.select_for_update().get_or_create(user=by)
        before = history.snapshot(row)
        address_changed = email != row.email
        row.digest_enabled = digest_enabled
        row.email = email
        row.lead_days = lead_days
        if address_changed:
            # A link sent to the previous address no longer confirms anything.
            row.confirmation_digest = ""
            row.confirmation_sent_at = None
        row.full_clean(exclude=["user"])
        row.save()
        if created:
            history.record_create(by=by, instance=row)
        else:
            history.record_update(by=by, instance=row, before=before)
    return SettingsSaved(settings=row, address_changed=address_changed)


def confirmation_send(*, by, now: datetime | None = None) -> ReminderSettings:
    """Mail `by`'s pending address a link to confirm it (a new token; the previous link stops working).

    Refused (ConfirmationNotSent) when there is nothing to confirm, within a minute of the last mail,
    past CONFIRMATIONS_PER_DAY a day, or when the mail cannot be sent (logged; the link is dropped)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        row = ReminderSettings.objects.select_for_update().filter(user=by).first()
        if row is None or not row.email or row.email_confirmed:
            raise ConfirmationNotSent("確認が必要なメールアドレスはありません。")
        if row.confirmation_sent_at and now - row.confirmation_sent_at < CONFIRMATION_RESEND_INTERVAL:
            raise ConfirmationNotSent("確認メールは送信したばかりです。1分ほど待ってから再送してください。")
        sent_today = SentReminder.objects.filter(user=by, day=today, kind=Kind.CONFIRMATION).count()
        if sent_today >= CONFIRMATIONS_PER_DAY:
            raise ConfirmationNotSent(
                f"確認メールは1日{CONFIRMATIONS_PER_DAY}通までです。明日以降に再送してください。"
            )
        row.confirmation_digest = token_digest(token)
        row.confirmation_sent_at = now
        row.save(update_fields=["confirmation_digest", "confirmation_sent_at", "updated_at"])
        record = SentReminder.objects.create(
            user=by, day=today, kind=Kind.CONFIRMATION, object_key=f"confirmation:{sent_today + 1}"
        )
    try:
        mail.confirmation_message(
            user=by, address=row.email, token=token, valid_days=CONFIRMATION_VALID.days
        ).send()
    except Exception as error:
        logger.exception("confirmation mail to user %s failed", by.username)
        SentReminder.objects.filter(pk=record.pk).update(status=Status.FAILED, error=_error_text(error))
        ReminderSettings.objects.filter(pk=row.pk, confirmation_digest=row.confirmation_digest).update(
            confirmation_digest="", confirmation_sent_at=None
        )
        raise ConfirmationNotSent(
            "確認メールを送信できませんでした。時間をおいて「確認メールを再送する」を押してください。"
            "続くときは管理者に連絡してください。"
        ) from error
    SentReminder.objects.filter(pk=record.pk).update(status=Status.SENT, sent_at=timezone.now())
    return row


def pending_confirmation(*, user, token: str, now: datetime | None = None) -> ReminderSettings:
    """The settings whose pending address `token` confirms; InvalidToken / ExpiredToken otherwise.
    Only `user`'s own: a link opened by someone else signed in is refused as unknown."""
    row = (
        ReminderSettings.objects.filter(user=user, confirmation_digest=token_digest(token))
        .exclude(confirmation_digest="")
        .first()
    )
    return _check_pending(row, now=now)


def _check_pending(row, *, now) -> ReminderSettings:
    if row is None or not row.email or row.email_confirmed or row.confirmation_sent_at is None:
        raise InvalidToken(
            "この確認用リンクは無効です。最後に届いた確認メールのリンクを、送信先を登録した利用者で"
            "ログインして開いてください。"
        )
    if (now or timezone.now()) - row.confirmation_sent_at > CONFIRMATION_VALID:
        raise ExpiredToken(
            f"この確認用リンクは有効期限（{CONFIRMATION_VALID.days}日間）が切れています。"
            "お知らせの設定から確認メールを再送してください。"
        )
    return row


def email_confirm(*, by, token: str, now: datetime | None = None) -> ReminderSettings:
    """Confirm `by`'s pending address with the token mailed to it (POST only: a mail scanner that
    opens the link confirms nothing)."""
    with transaction.atomic():
        row = (
            ReminderSettings.objects.select_for_update()
            .filter(user=by, confirmation_digest=token_digest(token))
            .exclude(confirmation_digest="")
            .first()
        )
        row = _check_pending(row, now=now)
        old = row.confirmed_email
        row.confirmed_email = row.email
        row.confirmation_digest = ""
        row.save(update_fields=["confirmed_email", "confirmation_digest", "updated_at"])
        history.record_change(
            by=by,
            instance=row,
            action=ChangeRecord.Action.UPDATE,
            changes={
                "confirmed_email": {
                    "label": str(ReminderSettings._meta.get_field("confirmed_email").verbose_name),
                    "old": old or None,
                    "new": row.confirmed_email,
                }
            },
        )
    return row


# --- The daily digest -----------------------------------------------------------------------------


def digest_keys(due: Due) -> list[tuple[str, str]]:
    """(kind, object_key) of every item of a digest, as SentReminder records them."""
    return [
        *((Kind.ACTION, f"action:{a.pk}") for a in due.actions),
        *((Kind.FOLLOW_UP, f"followup:{f.case_id}:{f.months}") for f in due.follow_ups),
        *((Kind.MEETING, f"meeting:{m.pk}") for m in due.meetings),
        *((Kind.PROPOSAL, f"proposal:{p.pk}") for p in due.proposals),
    ]


def only(due: Due, keys: set[tuple[str, str]]) -> Due:
    """`due` with only the items whose keys are in `keys`."""
    return Due(
        today=due.today,
        lead_days=due.lead_days,
        actions=[a for a in due.actions if (Kind.ACTION, f"action:{a.pk}") in keys],
        follow_ups=[
            f for f in due.follow_ups if (Kind.FOLLOW_UP, f"followup:{f.case_id}:{f.months}") in keys
        ],
        meetings=[m for m in due.meetings if (Kind.MEETING, f"meeting:{m.pk}") in keys],
        proposals=[p for p in due.proposals if (Kind.PROPOSAL, f"proposal:{p.pk}") in keys],
    )


def unsent(*, user, day: date, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """The keys not yet recorded for `user` on `day`, and those whose send failed (read only)."""
    done = set(
        SentReminder.objects.filter(user=user, day=day)
        .exclude(status=Status.FAILED)
        .values_list("kind", "object_key")
    )
    return {key for key in keys if key not in done}


def claim(*, user, day: date, keys: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Claim the items of `keys` nobody has recorded for (user, day): {key: SentReminder id} of the
    rows this call inserted, or took back from a failed send; the claims are committed on return.

    One user's claims are made under a lock on their settings row, so two runs at once never split a
    user's items between them (two mails); the unique constraint stays the guarantee that no item is
    claimed twice, whatever else claims."""
    with transaction.atomic():
        # Waits for another run claiming for this user; then its claims are committed and seen below.
        ReminderSettings.objects.select_for_update().filter(user=user).values_list("pk").first()
        existing = {
            (kind, key): (pk, status)
            for pk, kind, key, status in SentReminder.objects.filter(
                user=user, day=day, kind__in={k for k, _ in keys}
            ).values_list("pk", "kind", "object_key", "status")
        }
        claimed = {}
        for kind, key in keys:
            found = existing.get((kind, key))
            if found is None:
                try:
                    with transaction.atomic():
                        row = SentReminder.objects.create(user=user, day=day, kind=kind, object_key=key)
                except IntegrityError:
                    continue  # claimed by another run meanwhile
                claimed[(kind, key)] = row.pk
            elif found[1] == Status.FAILED:
                # Taken back only if still failed: of two runs retrying it, one changes the row.
                taken = SentReminder.objects.filter(pk=found[0], status=Status.FAILED).update(
                    status=Status.SENDING, attempts=F("attempts") + 1, error=""
                )
                if taken:
                    claimed[(kind, key)] = found[0]
    return claimed


@dataclass
class DigestResult:
    user: object
    items: int = 0
    sent: bool = False
    error: str = ""
    subject: str = ""


def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def digest_send(*, user, address: str, day: date, lead_days: int, dry_run: bool = False) -> DigestResult:
    """Mail `user` the items due on `day` that no earlier run mailed them that day; none → no mail."""
    due = due_for(user, today=day, lead_days=lead_days, digest=True)
    keys = digest_keys(due)
    result = DigestResult(user=user)
    if not keys:
        return result
    if dry_run:
        waiting = only(due, unsent(user=user, day=day, keys=keys))
        result.items = len(digest_keys(waiting))
        result.subject = mail.digest_subject(waiting) if result.items else ""
        return result
    claimed = claim(user=user, day=day, keys=keys)
    if not claimed:
        return result
    mine = only(due, set(claimed))
    result.items = len(claimed)
    rows = SentReminder.objects.filter(pk__in=claimed.values())
    try:
        message = mail.digest_message(user=user, address=address, due=mine)
        result.subject = message.subject
        message.send()
    except Exception as error:
        result.error = _error_text(error)
        rows.update(status=Status.FAILED, error=result.error)
        logger.error(
            "digest for user %s (%d items, %s) failed: %s",
            user.username,
            result.items,
            day.isoformat(),
            result.error,
            exc_info=True,
        )
        return result
    rows.update(status=Status.SENT, sent_at=timezone.now())
    result.sent = True
    logger.info("digest sent to user %s: %d items (%s)", user.username, result.items, day.isoformat())
    return result


@dataclass
class RunSummary:
    day: date
    dry_run: bool = False
    results: list[DigestResult] = field(default_factory=list)

    @property
    def mailed(self) -> list[DigestResult]:
        return [r for r in self.results if r.sent or (self.dry_run and r.items)]

    @property
    def failed(self) -> list[DigestResult]:
        return [r for r in self.results if r.error]

    @property
    def items(self) -> int:
        return sum(r.items for r in self.mailed)


def recipients():
    """The settings of everyone who receives the digest: on, and the address confirmed."""
    return (
        ReminderSettings.objects.filter(digest_enabled=True, user__is_active=True, email=F("confirmed_email"))
        .exclude(email="")
        .select_related("user")
        .order_by("user_id")
    )


def reminders_send(*, day: date, dry_run: bool = False) -> RunSummary:
    """The daily run: each recipient's digest. One user's failure (logged) never stops the others."""
    summary = RunSummary(day=day, dry_run=dry_run)
    for row in recipients():
        try:
            result = digest_send(
                user=row.user, address=row.email, day=day, lead_days=row.lead_days, dry_run=dry_run
            )
        except Exception as error:
            logger.exception("digest for user %s could not be prepared", row.user.username)
            result = DigestResult(user=row.user, error=_error_text(error))
        summary.results.append(result)
    return summary
