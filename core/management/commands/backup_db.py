from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "データベースとメディアファイル（公開PDFなど）をバックアップします。新しい BACKUP_KEEP 世代を残します。"

    def handle(self, *args, **options):
        try:
            folder = backup_create()
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"バックアップを作成しました: {folder}（{settings.BACKUP_KEEP} 世代まで保存）")
        )
