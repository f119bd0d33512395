"""全国との比較: what officials keep between visits.

National and other prefectures' values themselves are ordinary `indicators.Observation` rows under
their own `regions.Prefecture` (全国 is the Prefecture of kind NATION), so every rule of the figures
(validation, imports and their undo, locks of the portal's own approved sets) applies to them unchanged.
"""

from django.conf import settings
from django.db import models

from indicators.models import AreaFields, ImportBatch, Indicator
from regions.models import Prefecture


class ComparisonPeers(models.Model):
    """The prefectures (at most five) an official compares the portal's prefecture with over time,
    remembered per user."""

    MAX_PEERS = 5

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="comparison_peers",
        verbose_name="利用者",
    )
    prefectures = models.ManyToManyField(
        Prefecture, blank=True, related_name="+", verbose_name="比べる都道府県"
    )
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        verbose_name = "比較する都道府県"
        verbose_name_plural = "比較する都道府県"

    def __str__(self):
        return f"{self.user}の比較対象"


class SourceGap(AreaFields):
    """A cell a national table left without a value: the source suppressed it (「＊」「秘匿」「x」) or
    left it out (「‐」「－」, blank). Never a zero, never an error: the comparison shows 「秘匿」 or
    「値なし」 for it, and the import that recorded it takes it away again when undone."""

    class Kind(models.TextChoices):
        SUPPRESSED = "suppressed", "秘匿（出典で非公表）"
        MISSING = "missing", "値なし（出典に記載なし）"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+", verbose_name="指標")
    fiscal_year = models.PositiveSmallIntegerField("年度")
    period_end = models.DateField("期間の終わり")
    period_key = models.CharField("期間キー", max_length=20)
    kind = models.CharField("区分", max_length=10, choices=Kind.choices)
    mark = models.CharField("出典の表記", max_length=20, blank=True, help_text="例: ＊、秘匿、‐")
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="+", verbose_name="取り込み"
    )

    class Meta:
        verbose_name = "出典の空欄"
        verbose_name_plural = "出典の空欄"
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area_key", "period_key"], name="source_gap_unique_cell"
            )
        ]

    def __str__(self):
        return f"{self.indicator} {self.area_name} {self.period_key}: {self.get_kind_display()}"


class WideTableLayout(models.Model):
    """How one source's wide table maps to indicators, saved when an official maps a file, so that next
    year's file of the same shape imports in one step.

    `signature` is the shape: the area column and the value columns' header texts with their years
    taken out (「退院率（3か月）／{年}」), hashed; next year's file, whose headers say 令和2年度 where
    this one said 令和元年度, has the same signature. `columns` maps each such year-free header to an
    indicator code and a period rule: `{"header": ..., "indicator": code, "period": "header"}` reads the
    period from the column's own header each time (the year moves on with the file), `"period": "<text>"`
    is a fixed period (a header that names no year), `"indicator": ""` leaves the column out.
    """

    name = models.CharField("出典（保存名）", max_length=100)
    signature = models.CharField("表の形", max_length=64, db_index=True, editable=False)
    header_rows = models.PositiveSmallIntegerField("見出しの行数")
    area_column = models.PositiveSmallIntegerField("地域の列（左から0始まり）")
    columns = models.JSONField("列と指標の対応", default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="作成者",
    )
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        verbose_name = "全国の表の対応付け"
        verbose_name_plural = "全国の表の対応付け"
        ordering = ["name", "-updated_at"]

    def __str__(self):
        return self.name

    @property
    def mapped_count(self) -> int:
        return sum(1 for column in self.columns if column.get("indicator"))


class WideImport(models.Model):
    """One uploaded wide table between the upload and the import: the cells as read (`table`, text),
    what was detected, and — once mapped — the ImportBatch it became, with the cells the source left
    without a value (`gaps`, recorded as SourceGap when the batch is applied) and the rows of the
    portal's own areas left out because their data set is locked (`skipped`)."""

    file_name = models.CharField("ファイル名", max_length=255)
    file_format = models.CharField("形式", max_length=10)
    source = models.CharField("出典", max_length=100, blank=True)
    table = models.JSONField("読み取った表", default=list)
    formulas = models.JSONField("数式のセル", default=list, blank=True)
    layout = models.ForeignKey(
        WideTableLayout,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="対応付け",
    )
    batch = models.OneToOneField(
        ImportBatch,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="wide_import",
        verbose_name="取り込み",
    )
    gaps = models.JSONField("出典の空欄", default=list, blank=True)
    skipped = models.JSONField("取り込まない行", default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="登録者",
    )
    uploaded_at = models.DateTimeField("アップロード日時", auto_now_add=True)

    class Meta:
        verbose_name = "全国の表のアップロード"
        verbose_name_plural = "全国の表のアップロード"
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return self.file_name
