"""`manage.py send_reminders [--date YYYY-MM-DD] [--dry-run]`: the daily digest for everyone who receives it.

Safe to run again, or on two machines at once: each item is claimed for (user, day) before it is
mailed (reminders.services), so nothing is mailed twice; a failed send is logged and retried by the
next run of the same day. Exits with status 1 when a mail could not be sent.
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reminders import mail, services


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date {value!r} は YYYY-MM-DD の形の日付にしてください。") from None


class Command(BaseCommand):
    help = (
        "期限が近い・期限を過ぎた対応事項などのお知らせメールを、受け取る設定の利用者に送ります"
        "（同じ日に何度実行しても、同じものは一度だけ送ります）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="この日のお知らせとして送ります（YYYY-MM-DD、既定は今日）")
        parser.add_argument(
            "--dry-run", action="store_true", help="送らず、記録もせず、送る予定の件数だけを表示します"
        )

    def handle(self, *args, date=None, dry_run=False, verbosity=1, **options):
        day = _day(date) if date else timezone.localdate()
        if not dry_run:
            try:
                mail.absolute_url("/")
            except mail.MailNotConfigured as error:
                raise CommandError(str(error)) from None
        summary = services.reminders_send(day=day, dry_run=dry_run)
        if verbosity >= 2 or dry_run:
            for result in summary.results:
                if result.items or result.error:
                    state = "失敗" if result.error else ("送信予定" if dry_run else "送信")
                    self.stdout.write(
                        f"  {result.user.username}: {state} {result.items}件 {result.subject}{result.error}"
                    )
        label = f"{day.isoformat()} のお知らせ"
        mailed, items, failed = len(summary.mailed), summary.items, len(summary.failed)
        if dry_run:
            self.stdout.write(
                f"{label}（試行、送信も記録もしていません）: {mailed}人に {items}件を送る予定です。"
            )
            return
        line = f"{label}: {mailed}人に送信（{items}件）、失敗 {failed}人。"
        if failed:
            self.stdout.write(self.style.ERROR(line))
            raise CommandError(f"{failed}人へのお知らせを送れませんでした（次回の実行で再送します）。")
        self.stdout.write(self.style.SUCCESS(line))
