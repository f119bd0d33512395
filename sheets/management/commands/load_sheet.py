from django.core.management.base import BaseCommand

from sheets.loader import load_all


class Command(BaseCommand):
    help = (
        "自治体状況共有シート（山口県 R4）と指標の定義・観測値・目標値をリポジトリのデータから読み込みます。"
        "何度実行しても同じ結果になり、ポータルで編集された記録は --overwrite を付けない限り上書きしません。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="ポータルで編集された記録もデータファイルの内容で上書きします",
        )

    def handle(self, *args, overwrite=False, **options):
        report = load_all(overwrite=overwrite)
        self.stdout.write(report.summary())
