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
