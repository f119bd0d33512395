"""Numeric facts in one shape: what was measured (Indicator), where (prefecture / region /
municipality), when (a 年度 or an as-of date), the value and where it came from (Observation),
and what a plan aims for (Target under a Plan).

The area is stored as the prefecture (always) plus an optional region or municipality, and a derived
`area_key` ("pref:350001", "region:3501", "muni:352012") so that uniqueness works alike on SQLite and
PostgreSQL (NULLs would make a plain unique constraint over the FKs useless). The period is stored the
way `core.fiscal.parse_period` understands it, with a derived `period_key` ("fy:2017", "month:2021-06",
"date:2021-06-30", "year:2014") for the same reason.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from core import fiscal, validators
from core.models import AuditedQuerySet
from regions.models import Municipality, Prefecture, Region


class EditTracked(models.Model):
    """Records loaded from the repo's data files remember whether a person changed them since.

    `edited_by` / `edited_at` are set by the service functions when a portal user saves the record;
    the loaders leave such records alone unless asked to overwrite. `version` is the optimistic-locking
    counter of `core.records` (an edit form carries it; every write that changes the record bumps it).
    """

    version = models.PositiveIntegerField("版", default=1, editable=False)

    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="最終編集者",
        editable=False,
    )
    edited_at = models.DateTimeField("最終編集日時", null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def is_edited(self) -> bool:
        return self.edited_at is not None


class Indicator(models.Model):
    """An indicator definition (data, not code: an official can add 再入院率 without a release)."""

    class Direction(models.TextChoices):
        HIGHER = "higher", "高いほど良い"
        LOWER = "lower", "低いほど良い"
        NEUTRAL = "neutral", "どちらでもない（基礎情報）"

    class ValueType(models.TextChoices):
        NUMBER = "number", "数値"
        PERCENT = "percent", "割合（％）"
        YES_NO = "yes_no", "有・無（1 = 有、0 = 無）"

    code = models.SlugField("コード", max_length=60, unique=True, help_text="例: discharge_rate_3m")
    name_ja = models.CharField("指標名", max_length=120)
    unit = models.CharField("単位", max_length=20, blank=True, help_text="例: 人、床、か所、％、回／年")
    value_type = models.CharField("値の種類", max_length=10, choices=ValueType.choices, default="number")
    decimal_places = models.PositiveSmallIntegerField("表示する小数桁数", default=0)
    direction = models.CharField("望ましい方向", max_length=10, choices=Direction.choices, default="neutral")
    definition = models.TextField("定義", blank=True)
    usual_source = models.CharField("主な出典", max_length=120, blank=True, help_text="例: 630調査、NDB")
    computation = models.TextField(
        "算出方法",
        blank=True,
        help_text="分子・分母や集計の単位など、値がどう計算されるか（指標の説明ページに表示します）",
    )
    caveats = models.TextField(
        "注意点",
        blank=True,
        help_text="比べるときに気をつけること（算出方法の変更、対象の違いなど）",
    )
    part_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="parts",
        verbose_name="内訳の合計となる指標",
        help_text="この指標が内訳の一つであるとき、その合計の指標（内訳の合計を検算します）",
    )
    denominator = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="分母の指標",
        help_text="構成割合や「12／19」のように比べる母数の指標",
    )
    survey_month = models.PositiveSmallIntegerField(
        "調査基準日（月）",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="年・年度単位で登録した値が毎年決まった日の時点の値であるとき（例: 630調査は6月30日）",
    )
    survey_day = models.PositiveSmallIntegerField(
        "調査基準日（日）", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    chart_group = models.CharField(
        "ダッシュボードのグラフ",
        max_length=60,
        blank=True,
        help_text="同じ名前の指標は一つのグラフにまとめて表示します（例: 退院率）。空欄なら指標ごとのグラフ",
    )
    display_order = models.PositiveIntegerField("表示順", default=0)
    is_active = models.BooleanField("使用中", default=True)
    cycle_months = models.PositiveSmallIntegerField(
        "更新の周期（か月）",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="新しい値が出る間隔（630調査は毎年なので 12）。空欄なら「古いデータ」の判定をしません",
    )
    release_lag_months = models.PositiveSmallIntegerField(
        "公表までの遅れ（か月）",
        default=0,
        validators=[MaxValueValidator(120)],
        help_text="期間の終わりから値が公表されるまで（NDBの退院率は数年遅れて公表されます）",
    )
    counts_people = models.BooleanField(
        "人数を数える指標",
        default=False,
        help_text="圏域・市町村の少ない人数（しきい値未満）を秘匿します（NDBの公表ルールと同じ考え方）",
    )
    version = models.PositiveIntegerField("版", default=1, editable=False)  # core.records.check_version

    class Meta:
        verbose_name = "指標"
        verbose_name_plural = "指標"
        ordering = ["display_order", "code"]

    def __str__(self):
        return self.name_ja

    def clean(self):
        if (self.survey_month is None) != (self.survey_day is None):
            raise ValidationError("調査基準日は月と日の両方を入力するか、両方とも空欄にしてください。")
        if self.survey_month is not None:
            try:
                date(2001, self.survey_month, self.survey_day)
            except ValueError as exc:
                raise ValidationError("調査基準日が存在しない日付です。") from exc

    @property
    def is_rate(self) -> bool:
        """Rates and yes/no values compare across areas (a prefecture's % target applies to a region)."""
        return self.value_type in {self.ValueType.PERCENT, self.ValueType.YES_NO}

    @property
    def chart_title(self) -> str:
        return self.chart_group or self.name_ja


class Plan(models.Model):
    """A plan that sets targets: the national 基本指針 or a prefecture's 障害福祉計画."""

    class Issuer(models.TextChoices):
        NATIONAL = "national", "国（基本指針）"
        PREFECTURE = "prefecture", "県（障害福祉計画等）"
        SHEET = "sheet", "共有シートで定めた目標"

    name = models.CharField("計画名", max_length=120, unique=True)
    issuer = models.CharField("策定主体", max_length=12, choices=Issuer.choices)
    first_fiscal_year = models.PositiveSmallIntegerField(
        "計画期間（初年度）", validators=[validators.FiscalYearRangeValidator("計画期間（初年度）")]
    )
    last_fiscal_year = models.PositiveSmallIntegerField(
        "計画期間（最終年度）", validators=[validators.FiscalYearRangeValidator("計画期間（最終年度）")]
    )
    is_draft = models.BooleanField(
        "案", default=False, help_text="告示・策定の前の案（例: 第8期の基本指針案）。策定されたら外します"
    )
    source = models.CharField("出典", max_length=200, blank=True, help_text="告示・計画書の名称や掲載先")

    class Meta:
        verbose_name = "計画"
        verbose_name_plural = "計画"
        ordering = ["first_fiscal_year", "issuer", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_fiscal_year__gte=models.F("first_fiscal_year")),
                name="plan_years_in_order",
                violation_error_message="最終年度は初年度以降にしてください。",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def period_label(self) -> str:
        first = fiscal.fiscal_year_label(self.first_fiscal_year, short=True)
        last = fiscal.fiscal_year_label(self.last_fiscal_year, short=True)
        return first if first == last else f"{first}～{last}"

    def covers(self, fiscal_year: int) -> bool:
        return self.first_fiscal_year <= fiscal_year <= self.last_fiscal_year

    def has_ended(self, today=None) -> bool:
        """Ended: its last 年度 is over (today's 年度 is later)."""
        return fiscal.fiscal_year_of(today or timezone.localdate()) > self.last_fiscal_year

    def choice_label(self, today=None) -> str:
        """How a plan is offered in a selector: 「…（R3～R5・終了）」「…（R9～R11・案）」."""
        marks = [self.period_label]
        if self.is_draft:
            marks.append("案")
        if self.has_ended(today):
            marks.append("終了")
        return f"{self.name}（{'・'.join(marks)}）"


def area_key_for(*, prefecture, region=None, municipality=None) -> str:
    if municipality is not None:
        return f"muni:{municipality.code}"
    if region is not None:
        return f"region:{region.code}"
    return f"pref:{prefecture.code}"


class AreaFields(models.Model):
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="+", verbose_name="都道府県"
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="圏域"
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="市町村"
    )
    area_key = models.CharField("地域キー", max_length=20, editable=False, db_index=True)

    class Meta:
        abstract = True

    @property
    def area_name(self) -> str:
        if self.municipality_id:
            return self.municipality.name
        if self.region_id:
            return self.region.full_name
        return self.prefecture.name


class ObservationQuerySet(AuditedQuerySet):
    def for_prefecture_area(self, prefecture):
        return self.filter(area_key=area_key_for(prefecture=prefecture))

    def up_to(self, day):
        return self.filter(period_end__lte=day)

    def latest_first(self):
        return self.order_by("indicator_id", "-period_end", "-pk")


class Observation(AreaFields, EditTracked):
    """One value of an indicator for one area and one period, with its provenance."""

    class PeriodKind(models.TextChoices):
        FISCAL_YEAR = "fiscal_year", "年度"
        YEAR = "year", "年"
        MONTH = "month", "年月時点"
        DATE = "date", "日付時点"

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="observations", verbose_name="指標"
    )
    period_kind = models.CharField("期間の種類", max_length=12, choices=PeriodKind.choices)
    fiscal_year = models.PositiveSmallIntegerField(
        "年度", help_text="年度の値はその年度、時点の値は時点を含む年度、暦年の値はその年"
    )
    as_of = models.DateField(
        "時点",
        null=True,
        blank=True,
        help_text="年月時点は月末日で保存します",
        validators=[validators.INDICATOR_PERIODS],
    )
    period_end = models.DateField("期間の終わり", editable=False, db_index=True)
    period_key = models.CharField("期間キー", max_length=20, editable=False)
    value = models.DecimalField("値", max_digits=14, decimal_places=3)
    provenance = models.CharField("出典", max_length=200, blank=True, help_text="例: 630調査、NDB（H29年度）")
    note = models.TextField("備考", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登録者",
        editable=False,
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)

    objects = ObservationQuerySet.as_manager()

    class Meta:
        verbose_name = "観測値"
        verbose_name_plural = "観測値"
        ordering = ["indicator__display_order", "area_key", "period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area_key", "period_key"],
                name="observation_unique_indicator_area_period",
                violation_error_message="同じ指標・地域・期間の値は既に登録されています。",
            ),
            models.CheckConstraint(
                condition=models.Q(region__isnull=True) | models.Q(municipality__isnull=True),
                name="observation_one_area_level",
                violation_error_message="圏域と市町村はどちらか一方だけ指定してください。",
            ),
        ]
        indexes = [
            # The dashboard's latest-value and series reads: one indicator, one area, up to a date.
            models.Index(fields=["indicator", "area_key", "period_end"], name="observation_ind_area_end"),
            models.Index(fields=["prefecture", "indicator", "period_end"], name="observation_pref_ind_end"),
        ]

    def __str__(self):
        return f"{self.indicator} {self.area_key} {self.period_label}: {self.value}"

    @property
    def period_label(self) -> str:
        return period_label(self.period_kind, self.fiscal_year, self.as_of)


def period_label(kind: str, year: int, as_of) -> str:
    """年度 → 平成29年度; 年 → 平成26年; 年月 → 令和3年6月; 日付 → 令和3年6月30日."""
    if kind == Observation.PeriodKind.FISCAL_YEAR:
        return fiscal.fiscal_year_label(year)
    if kind == Observation.PeriodKind.YEAR:
        return fiscal.wareki_year(year)
    if kind == Observation.PeriodKind.MONTH:
        return fiscal.wareki_month(as_of)
    return fiscal.wareki_date(as_of)


class TargetQuerySet(AuditedQuerySet):
    def for_prefecture_area(self, prefecture):
        return self.filter(area_key=area_key_for(prefecture=prefecture))


class Target(AreaFields, EditTracked):
    """What a plan aims for: indicator × area × fiscal year × value × comparator (≥ / ≤)."""

    class Comparator(models.TextChoices):
        GTE = "gte", "以上"
        LTE = "lte", "以下"

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="targets", verbose_name="指標"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="targets", verbose_name="計画")
    fiscal_year = models.PositiveSmallIntegerField(
        "目標年度", validators=[validators.FiscalYearRangeValidator("目標年度")]
    )
    value = models.DecimalField("目標値", max_digits=14, decimal_places=3)
    comparator = models.CharField("比較", max_length=3, choices=Comparator.choices)
    source = models.CharField(
        "出典",
        max_length=200,
        blank=True,
        help_text="目標の根拠（例: 第7期基本指針 告示、山口県第7期計画 p.12）",
    )
    note = models.TextField("備考", blank=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = "目標値"
        verbose_name_plural = "目標値"
        ordering = ["indicator__display_order", "fiscal_year", "plan__first_fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area_key", "fiscal_year", "plan"],
                name="target_unique_indicator_area_year_plan",
                violation_error_message="同じ計画・指標・地域・年度の目標は既に登録されています。",
            ),
            models.CheckConstraint(
                condition=models.Q(region__isnull=True) | models.Q(municipality__isnull=True),
                name="target_one_area_level",
                violation_error_message="圏域と市町村はどちらか一方だけ指定してください。",
            ),
        ]

    def __str__(self):
        return f"{self.indicator} {fiscal.fiscal_year_label(self.fiscal_year, short=True)} {self.value}{self.get_comparator_display()}（{self.plan}）"


class ImportBatchQuerySet(AuditedQuerySet):
    def for_prefecture(self, prefecture):
        return self.filter(prefecture=prefecture)

    def for_list(self):
        return self.select_related("uploaded_by", "applied_by", "undone_by").order_by("-uploaded_at", "-pk")


class ImportBatch(models.Model):
    """One upload of official data (CSV / Excel): who, when, which file, which rows, and what it changed.

    A valid file becomes a PENDING batch holding its checked rows (`rows`); confirming applies them in
    one transaction (APPLIED, with an `ImportChange` per row recording the previous values), and undo
    restores those values (UNDONE). Files with any invalid row never become a batch.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "確認待ち"
        APPLIED = "applied", "取り込み済み"
        UNDONE = "undone", "取り消し済み"
        DISCARDED = "discarded", "破棄"

    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="+", verbose_name="都道府県"
    )
    file_name = models.CharField("ファイル名", max_length=255)
    file_format = models.CharField("形式", max_length=10)
    status = models.CharField("状況", max_length=10, choices=Status.choices, default=Status.PENDING)
    rows = models.JSONField("取り込む行", default=list, blank=True)
    row_count = models.PositiveIntegerField("行数", default=0)
    created_count = models.PositiveIntegerField("新規", default=0)
    updated_count = models.PositiveIntegerField("更新", default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="登録者",
    )
    uploaded_at = models.DateTimeField("アップロード日時", auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="取り込み実行者",
    )
    applied_at = models.DateTimeField("取り込み日時", null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="取り消し実行者",
    )
    undone_at = models.DateTimeField("取り消し日時", null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = "取り込み"
        verbose_name_plural = "取り込み"
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return f"{self.file_name}（{self.get_status_display()}）"


class ImportChange(models.Model):
    """What one row of an applied import did to one observation, with the values before it."""

    class Action(models.TextChoices):
        CREATED = "created", "新規"
        UPDATED = "updated", "更新"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="changes")
    line = models.PositiveIntegerField("行")
    action = models.CharField("操作", max_length=10, choices=Action.choices)
    observation = models.ForeignKey(
        Observation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="観測値"
    )
    observation_pk = models.BigIntegerField("観測値ID")
    # Kept apart from the observation (which an undo may delete) so the record formats its values
    # as the preview did; empty on changes recorded before it was kept.
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="指標"
    )
    label = models.CharField("内容", max_length=300)
    previous = models.JSONField("取り込み前の値", null=True, blank=True)
    applied = models.JSONField("取り込んだ値")

    class Meta:
        verbose_name = "取り込みによる変更"
        verbose_name_plural = "取り込みによる変更"
        ordering = ["batch", "line"]

    def __str__(self):
        return f"{self.batch_id}:{self.line} {self.get_action_display()} {self.label}"

    @staticmethod
    def _plain(text) -> str:
        return f"{Decimal(text).normalize():f}" if text not in (None, "") else ""

    def _text(self, stored) -> str:
        """As the preview showed it (values.format_value_with_unit: 「71.0％」); plain digits only
        for a change recorded before its indicator was kept."""
        from indicators.values import format_value_with_unit  # values imports this module

        if stored in (None, ""):
            return ""
        if self.indicator_id is None:
            return self._plain(stored)
        return format_value_with_unit(Decimal(stored), self.indicator)

    @property
    def previous_text(self) -> str:
        return self._text((self.previous or {}).get("value"))

    @property
    def applied_text(self) -> str:
        return self._text(self.applied.get("value"))


# Data sets, validation rules and flagged values (issue #17) live in their own module.
from indicators.quality_models import (  # noqa: E402, F401
    DataSet,
    DataSetScope,
    DataSetTransition,
    FlaggedValue,
    SubmissionDeadline,
    ValidationRule,
)
