from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "backup_db で作ったバックアップ（フォルダ）から、データベースとメディアファイルを復元します（上書き）。"

    def add_arguments(self, parser):
        parser.add_argument("source", help="バックアップのフォルダ（var/backups/…）")
        parser.add_argument("--yes", action="store_true", help="現在のデータを上書きすることを確認済み")
        parser.add_argument(
            "--into", help="復元先（SQLite のファイル / PostgreSQL のデータベース名）。省略時は現在の設定先"
        )

    def handle(self, *args, source, yes, into, **options):
        path = Path(source)
        if not path.exists():
            raise CommandError(f"{path} が見つかりません。")
        if not yes:
            raise CommandError(
                "復元は現在のデータを上書きします。確認のうえ --yes を付けて実行してください。"
            )
        try:
            backup_restore(source=path, into=into)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"{path} から復元しました。"))
