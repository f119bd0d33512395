from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from core.audit import audit_event
from core.models import AuditEvent


class Command(BaseCommand):
    help = (
        "保存期間（AUDIT_RETENTION_DAYS 日）を過ぎた監査ログだけを削除します。"
        "データの変更履歴（ChangeRecord）は記録とともに保存し、削除しません。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="削除せず、削除される件数だけを表示します")

    def handle(self, *args, dry_run=False, **options):
        days = settings.AUDIT_RETENTION_DAYS
        if days < 1:
            raise CommandError("AUDIT_RETENTION_DAYS は 1 以上にしてください。")
        cutoff = timezone.now() - timedelta(days=days)
        old = AuditEvent.objects.older_than(cutoff)
        if dry_run:
            self.stdout.write(f"{old.count()} 件が保存期間（{days} 日）を過ぎています（削除していません）。")
            return
        with transaction.atomic():
            deleted = old._purge()
            audit_event(
                kind=AuditEvent.Kind.AUDIT_PURGE,
                username="system",
                detail={"deleted": deleted, "retention_days": days, "before": cutoff.isoformat()},
            )
        self.stdout.write(
            self.style.SUCCESS(f"保存期間（{days} 日）を過ぎた監査ログ {deleted} 件を削除しました。")
        )
