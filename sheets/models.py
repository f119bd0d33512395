"""The 自治体状況共有シート as records: one Edition per prefecture and fiscal year, and the ordered
records of its parts 2–6. Part 1 (基礎情報) and the figures of part 4 are indicator observations and
targets (`indicators`), not sheet text.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from core import fiscal
from core.models import AuditedQuerySet
from indicators.models import EditTracked, Indicator, Observation, Target
from regions.models import Prefecture


class EditionQuerySet(models.QuerySet):
    def portal(self):
        """Editions of the prefecture this deployment serves (settings.PORTAL_PREFECTURE_CODE), as
        every indicators view is limited to it: another prefecture's rows are not this portal's."""
        return self.filter(prefecture__code=settings.PORTAL_PREFECTURE_CODE)

    def for_list(self):
        return self.select_related("prefecture").order_by("-fiscal_year", "prefecture__code")


class Edition(EditTracked):
    """One fiscal year's sheet of one prefecture (令和4年度版 …)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "作成中"
        PUBLISHED = "published", "公開済み"

    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="sheet_editions", verbose_name="都道府県"
    )
    fiscal_year = models.PositiveSmallIntegerField("年度")
    status = models.CharField("状態", max_length=10, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField("表題", max_length=200)
    subtitle = models.CharField("副題", max_length=200, blank=True)
    overview = models.TextField("概要（冒頭の文章）", blank=True, help_text="段落ごとに改行してください")
    show_national = models.BooleanField(
        "全国値を並べて表示する",
        default=False,
        help_text="「１ 基礎情報」に、全国の値と47都道府県中の順位（県と全国の両方に値がある最新の期間）を並べます。"
        "公開済みの版のPDFは変わりません",
    )
    edited_parts = models.JSONField(
        "ポータルで編集した部分",
        default=list,
        blank=True,
        editable=False,
        help_text="読み込みコマンドは、ここにある部分を --overwrite なしでは上書きしません",
    )
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="複製元",
        editable=False,
    )

    objects = EditionQuerySet.as_manager()

    class Meta:
        verbose_name = "共有シート（年度版）"
        verbose_name_plural = "共有シート（年度版）"
        ordering = ["-fiscal_year", "prefecture__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "fiscal_year"],
                name="edition_unique_prefecture_year",
                violation_error_message="この年度のシートは既にあります。",
            )
        ]

    def __str__(self):
        return f"{self.prefecture} {fiscal.fiscal_year_label(self.fiscal_year)} 自治体状況共有シート"

    @property
    def overview_paragraphs(self) -> list[str]:
        return [line.strip() for line in self.overview.splitlines() if line.strip()]

    @property
    def reference_date(self):
        """Part 1 shows the newest observations up to the end of the edition's fiscal year."""
        return fiscal.fiscal_year_range(self.fiscal_year)[1]


class OrderedRecord(EditTracked):
    """A record of a part, kept in the order the official arranges it."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="+", verbose_name="シート")
    order = models.PositiveSmallIntegerField("順番", default=0)

    class Meta:
        abstract = True
        ordering = ["order", "pk"]


class InitiativeHeading(OrderedRecord):
    """取組概要: a heading (○圏域連絡調整会議 …) with its items, one item a line."""

    class Section(models.TextChoices):
        ACTIVITIES = "activities", "取組内容（基礎情報）"
        OVERALL = "overall", "取組概要（全体）"
        NETWORK = "network", "地域移行推進のための取組概要"

    class Level(models.IntegerChoices):
        BANNER = 1, "大見出し"
        HEADING = 2, "見出し"

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="initiatives", verbose_name="シート"
    )
    section = models.CharField("区分", max_length=12, choices=Section.choices)
    level = models.PositiveSmallIntegerField("見出しの種類", choices=Level.choices, default=Level.HEADING)
    heading = models.CharField("見出し", max_length=200)
    items = models.TextField("項目（1行に1項目）", blank=True)

    class Meta(OrderedRecord.Meta):
        verbose_name = "取組概要の見出し"
        verbose_name_plural = "取組概要の見出し"
        ordering = ["section", "order", "pk"]

    def __str__(self):
        return self.heading

    @property
    def item_lines(self) -> list[str]:
        return [line for line in self.items.splitlines() if line.strip()]


class HistoryEntry(OrderedRecord):
    """取組の経緯: 年度 range, what was done, who ran it, who took part."""

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="history_entries", verbose_name="シート"
    )
    years = models.CharField("年度", max_length=60, help_text="例: 平成２０年度～２３年度")
    content = models.TextField("実施内容")
    organiser = models.TextField("実施主体", blank=True)
    participants = models.TextField("関係者", blank=True)

    class Meta(OrderedRecord.Meta):
        verbose_name = "取組の経緯"
        verbose_name_plural = "取組の経緯"

    def __str__(self):
        return f"{self.years} {self.content[:30]}"


class OutcomeRow(OrderedRecord):
    """成果・効果: one indicator row with its target (R3年度当初), actual value and what was achieved.

    `target` / `actual` are the sheet's cells (empty when the sheet leaves them empty); `reference_baseline`
    / `reference_target` draw the breakdown table under a row (慢性期入院需要 H26 → R5年度末).
    """

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="outcomes", verbose_name="シート"
    )
    number = models.CharField("番号", max_length=4, blank=True, help_text="例: ①（同じ番号の続きの行は空欄）")
    label = models.CharField("課題解決の達成度を測る指標", max_length=200)
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="指標"
    )
    target = models.ForeignKey(
        Target, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="目標値"
    )
    actual = models.ForeignKey(
        Observation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="実績値"
    )
    achievement = models.TextField("具体的な成果・効果", blank=True)
    achievement_same_as_above = models.BooleanField(
        "成果・効果は上に同じ（〃）",
        default=False,
        help_text="シートの「〃」です。表示は上の行の文章を指します",
    )
    reference_baseline = models.ForeignKey(
        Observation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="内訳表の基準値",
    )
    reference_target = models.ForeignKey(
        Target,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="内訳表の目標値",
    )

    class Meta(OrderedRecord.Meta):
        verbose_name = "成果・効果"
        verbose_name_plural = "成果・効果"

    def __str__(self):
        return f"{self.number}{self.label}"


class Strength(OrderedRecord):
    """特徴（強み）."""

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="strengths", verbose_name="シート"
    )
    text = models.TextField("特徴（強み）")

    class Meta(OrderedRecord.Meta):
        verbose_name = "特徴（強み）"
        verbose_name_plural = "特徴（強み）"

    def __str__(self):
        return self.text[:40]


class Challenge(OrderedRecord):
    """課題 with its 取組方針; the roles of each actor are ChallengeRole rows."""

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="challenges", verbose_name="シート"
    )
    title = models.TextField("課題")
    policy = models.TextField("課題解決に向けた取組方針", blank=True, help_text="1行に1項目")

    class Meta(OrderedRecord.Meta):
        verbose_name = "課題"
        verbose_name_plural = "課題"

    def __str__(self):
        return self.title[:40]

    @property
    def policy_lines(self) -> list[str]:
        return [line for line in self.policy.splitlines() if line.strip()]


class Actor(models.TextChoices):
    ADMINISTRATION = "administration", "行政"
    MEDICAL = "medical", "医療"
    WELFARE = "welfare", "福祉"
    OTHERS = "others", "その他関係機関・住民等"


ACTOR_ORDER = [choice.value for choice in Actor]


class ChallengeRole(EditTracked):
    """課題・方針に対する役割（取組）of one actor; `same_as_above` is the sheet's 〃."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="roles", verbose_name="課題"
    )
    actor = models.CharField("主体", max_length=16, choices=Actor.choices)
    text = models.TextField("役割（取組）", blank=True)
    same_as_above = models.BooleanField("上に同じ（〃）", default=False)

    class Meta:
        verbose_name = "課題に対する役割"
        verbose_name_plural = "課題に対する役割"
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "actor"],
                name="challenge_role_unique_actor",
                violation_error_message="同じ主体の役割が既にあります。",
            )
        ]

    def __str__(self):
        return f"{self.get_actor_display()}: {self.text[:30]}"


class ScheduleEntry(OrderedRecord):
    """今年度の取組スケジュール: period, item, content."""

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="schedule", verbose_name="シート"
    )
    period = models.CharField("時期", max_length=60)
    item = models.TextField("実施する項目")
    content = models.TextField("実施する内容", blank=True)

    class Meta(OrderedRecord.Meta):
        verbose_name = "取組スケジュール"
        verbose_name_plural = "取組スケジュール"

    def __str__(self):
        return f"{self.period} {self.item[:30]}"


def published_pdf_path(instance, filename):
    edition = instance.edition
    return (
        f"sheets/published/{edition.prefecture.code}/{edition.fiscal_year}/"
        f"{edition.prefecture.code}-{edition.fiscal_year}-v{instance.number}-{instance.sha256[:12]}.pdf"
    )


class PublishedEditionQuerySet(AuditedQuerySet):
    def newest_first(self):
        return self.order_by("-number")

    def next_number(self) -> int:
        """The number the next publication gets: one past the highest published (1 for the first)."""
        return (self.aggregate(last=models.Max("number"))["last"] or 0) + 1


class PublishedEdition(models.Model):
    """A published PDF of a fiscal year's sheet (第1版, 第2版 …): stored once, served byte for byte.

    The file is never regenerated: whatever changes in the data afterwards, this edition's download
    is the stored file, checked against `sha256` before it is served. `content_hash` is the hash of
    the live sheet's HTML at publication, so the portal can tell whether the sheet has changed since.
    `unapproved_figures` keeps the figures whose data set was not 承認済 at publication (the PDF marks
    them), grouped by data set as `sheets.publication.unapproved_record` writes them.
    """

    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, related_name="publications", verbose_name="シート"
    )
    number = models.PositiveSmallIntegerField("版")
    note = models.TextField("公開にあたってのメモ", blank=True)
    pdf = models.FileField("PDF", upload_to=published_pdf_path, max_length=200, editable=False)
    sha256 = models.CharField("SHA-256", max_length=64, editable=False)
    size = models.PositiveIntegerField("バイト数", editable=False)
    content_hash = models.CharField("公開時の内容のハッシュ", max_length=64, editable=False)
    published_at = models.DateTimeField("公開日時", editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="公開した職員",
        editable=False,
    )
    unapproved_figures = models.JSONField(
        "公開時に未承認だった数値",
        default=list,
        blank=True,
        editable=False,
        help_text="公開した職員が確認した、承認前のデータセットの数値（データセットごと）。PDF にも印があります",
    )

    objects = PublishedEditionQuerySet.as_manager()

    class Meta:
        verbose_name = "共有シートの公開版"
        verbose_name_plural = "共有シートの公開版"
        ordering = ["edition", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "number"],
                name="published_edition_unique_number",
                violation_error_message="この版は既に公開されています。",
            )
        ]

    def __str__(self):
        return f"{self.edition} 第{self.number}版"

    @property
    def unapproved_count(self) -> int:
        return sum(len(group["figures"]) for group in self.unapproved_figures)
