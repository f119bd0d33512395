from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from regions.services import DATA_DIR, reference_data_load

LABELS = {
    "prefecture": "都道府県（全国を含む）",
    "region": "圏域",
    "municipality": "市町村",
    "health_centre": "保健所",
}


class Command(BaseCommand):
    help = "都道府県の基準データ（圏域・市町村・保健所）を読み込みます。何度実行しても安全です。"

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DATA_DIR / "yamaguchi.json"), help="読み込む JSON ファイル")

    def handle(self, *args, **options):
        try:
            report = reference_data_load(path=options["file"])
        except (OSError, ValidationError) as exc:
            raise CommandError(f"基準データを読み込めませんでした: {exc}") from exc
        if not report.created and not report.updated:
            self.stdout.write("基準データは最新です（変更なし）。")
            return
        for title, counts in (("追加", report.created), ("更新", report.updated)):
            if counts:
                text = "、".join(f"{LABELS[k]} {v} 件" for k, v in counts.items())
                self.stdout.write(self.style.SUCCESS(f"{title}: {text}"))
