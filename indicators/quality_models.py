"""What makes a figure trustworthy (issue #17): data sets that are submitted and approved, the due
date they are measured against, validation rules per indicator and the values flagged for review.

Imported at the bottom of `indicators.models`, so Django registers these models with the app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from accounts.roles import RegionScopedQuerySet, editable_region_ids
from core import fiscal
from indicators.models import Indicator, Observation
from regions.models import Prefecture, Region


class DataSetScope(models.TextChoices):
    """Whose figures a data set holds: one region's, or the prefecture's own / its municipalities'."""

    REGION = "region", "圏域"
    PREFECTURE = "prefecture", "県全体"
    MUNICIPALITIES = "municipalities", "市町村別"


class DataSetQuerySet(models.QuerySet):
    def for_prefecture(self, prefecture):
        return self.filter(prefecture=prefecture)

    def for_year(self, fiscal_year: int):
        return self.filter(fiscal_year=fiscal_year)


class DataSet(models.Model):
    """The figures of one area × 年度: observations, 協議の場 status and peer-support figures.

    A region's set is entered and submitted by its health centre and approved by an official; the
    prefecture-level and municipality-level sets (NDB, 630調査, sheet part 1) are submitted by one
    official and approved by another. While 提出済 or 承認済 the figures cannot change (see
    `indicators.datasets.ensure_editable`); an official reopens an approved set with a reason.
    A set with no row yet is 入力中 (nothing submitted).
    """

    class State(models.TextChoices):
        OPEN = "open", "入力中"
        SUBMITTED = "submitted", "提出済"
        APPROVED = "approved", "承認済"
        RETURNED = "returned", "差し戻し"

    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="+", verbose_name="都道府県"
    )
    scope = models.CharField("範囲", max_length=16, choices=DataSetScope.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="圏域"
    )
    fiscal_year = models.PositiveSmallIntegerField("年度")
    state = models.CharField("状況", max_length=10, choices=State.choices, default=State.OPEN)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="提出者",
    )
    submitted_at = models.DateTimeField("提出日時", null=True, blank=True)
    first_submitted_at = models.DateTimeField(
        "最初の提出日時", null=True, blank=True, help_text="期限内の提出かどうかはこの日時で判定します"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="承認者",
    )
    approved_at = models.DateTimeField("承認日時", null=True, blank=True)
    reason = models.TextField("最後の差し戻し・再開の理由", blank=True)
    version = models.PositiveIntegerField("版", default=1, editable=False)

    objects = DataSetQuerySet.as_manager()

    class Meta:
        verbose_name = "データセット"
        verbose_name_plural = "データセット"
        ordering = ["-fiscal_year", "scope", "region__display_order", "region__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "scope", "fiscal_year"],
                condition=models.Q(region__isnull=True),
                name="dataset_unique_prefecture_scope_year",
            ),
            models.UniqueConstraint(
                fields=["region", "fiscal_year"],
                condition=models.Q(region__isnull=False),
                name="dataset_unique_region_year",
            ),
            models.CheckConstraint(
                condition=(models.Q(scope="region") & models.Q(region__isnull=False))
                | (~models.Q(scope="region") & models.Q(region__isnull=True)),
                name="dataset_region_iff_region_scope",
            ),
        ]

    def __str__(self):
        return f"{self.area_label} {fiscal.fiscal_year_label(self.fiscal_year)}"

    @property
    def area_label(self) -> str:
        if self.scope == DataSetScope.REGION:
            return self.region.full_name
        if self.scope == DataSetScope.MUNICIPALITIES:
            return f"{self.prefecture.name}（市町村別）"
        return f"{self.prefecture.name}（県全体）"

    @property
    def is_locked(self) -> bool:
        return self.state in {self.State.SUBMITTED, self.State.APPROVED}


class DataSetTransition(models.Model):
    """One step of a data set's life (提出, 差し戻し, 承認, 再開, 取り下げ): who, when, why."""

    data_set = models.ForeignKey(DataSet, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField("変更前", max_length=10, choices=DataSet.State.choices)
    to_state = models.CharField("変更後", max_length=10, choices=DataSet.State.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="操作者",
    )
    at = models.DateTimeField("日時", auto_now_add=True)
    reason = models.TextField("理由・メモ", blank=True)

    class Meta:
        verbose_name = "データセットの状況変更"
        verbose_name_plural = "データセットの状況変更"
        ordering = ["data_set", "at", "pk"]

    def __str__(self):
        return f"{self.data_set}: {self.get_from_state_display()} → {self.get_to_state_display()}"


class SubmissionDeadline(models.Model):
    """The date by which the regions' (and the prefecture's) figures of a 年度 are due."""

    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="+", verbose_name="都道府県"
    )
    fiscal_year = models.PositiveSmallIntegerField("対象年度")
    due_date = models.DateField("提出期限")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="設定者",
    )
    set_at = models.DateTimeField("設定日時", auto_now=True)

    class Meta:
        verbose_name = "提出期限"
        verbose_name_plural = "提出期限"
        ordering = ["-fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "fiscal_year"], name="deadline_unique_prefecture_year"
            )
        ]

    def __str__(self):
        return f"{fiscal.fiscal_year_label(self.fiscal_year)}の提出期限 {fiscal.wareki_date(self.due_date)}"


class ValidationRule(models.Model):
    """One check of an indicator's values (DHIS2's validation rules and outlier detection, as data).

    HARD rules refuse a value; SOFT rules ask for confirmation with a note and flag the value.
    The cross-field rules (a rate within 0–100, parts not above their total, parts adding up to the
    total) are built in and need no row (`indicators.validation`).
    """

    class Kind(models.TextChoices):
        RANGE = "range", "許容範囲（下限・上限）"
        CHANGE_PERCENT = "change_percent", "前の期間からの変化率（％）"
        CHANGE_ABSOLUTE = "change_absolute", "前の期間からの変化幅（値・ポイント）"
        ZSCORE = "zscore", "過去の値からの zスコア"
        MODIFIED_ZSCORE = "modified_zscore", "過去の値からの修正zスコア（中央値・MAD）"

    class Severity(models.TextChoices):
        HARD = "hard", "誤り（登録できない）"
        SOFT = "soft", "要確認（理由を添えて登録できる）"

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="validation_rules", verbose_name="指標"
    )
    kind = models.CharField("種類", max_length=20, choices=Kind.choices)
    severity = models.CharField("扱い", max_length=4, choices=Severity.choices, default=Severity.SOFT)
    minimum = models.DecimalField("下限", max_digits=14, decimal_places=3, null=True, blank=True)
    maximum = models.DecimalField("上限", max_digits=14, decimal_places=3, null=True, blank=True)
    threshold = models.DecimalField(
        "しきい値",
        max_digits=10,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="変化率なら％、変化幅なら値（ポイント）、zスコアなら標準偏差の何倍か（例: 3、修正zスコアは 3.5）",
    )
    is_active = models.BooleanField("使用中", default=True)
    note = models.CharField("説明", max_length=200, blank=True)
    version = models.PositiveIntegerField("版", default=1, editable=False)

    class Meta:
        verbose_name = "検証ルール"
        verbose_name_plural = "検証ルール"
        ordering = ["indicator__display_order", "indicator__code", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="range")
                | models.Q(minimum__isnull=False)
                | models.Q(maximum__isnull=False),
                name="rule_range_has_bound",
                violation_error_message="許容範囲のルールには下限か上限を入力してください。",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="range") | models.Q(threshold__gt=0),
                name="rule_threshold_positive",
                violation_error_message="しきい値には 0 より大きい値を入力してください。",
            ),
        ]

    def __str__(self):
        return f"{self.indicator}: {self.get_kind_display()}（{self.get_severity_display()}）"


class FlaggedValueQuerySet(RegionScopedQuerySet):
    """Scoped by the value's region (`restrict`): officials resolve every flag, health-centre staff
    those of their own region's values; a prefecture- or municipality-level value only officials."""

    region_field = "observation__region"

    def unresolved(self):
        return self.filter(resolved_at__isnull=True)

    def listed_for(self, user):
        """What the 「確認が必要な値」 list shows: officials every flag; health-centre staff the flags of
        their own regions' values and of the prefecture's own (published) values — never another
        region's or a municipality's, whose small counts (and the messages quoting them) they may not see."""
        rows = self.restrict(user, "view")
        region_ids = editable_region_ids(user)
        if region_ids is None:
            return rows
        # The portal prefecture's own values only: 全国 and other prefectures' reference values (national
        # tables) are the officials' to check.
        prefecture_level = models.Q(
            observation__region__isnull=True,
            observation__municipality__isnull=True,
            observation__prefecture__code=settings.PORTAL_PREFECTURE_CODE,
        )
        return rows.filter(models.Q(observation__region_id__in=region_ids) | prefecture_level)

    def for_list(self):
        """Unresolved first (newest first), then the checked ones, the latest checked first."""
        return self.select_related(
            "observation__indicator",
            "observation__prefecture",
            "observation__region",
            "observation__municipality",
            "flagged_by",
            "resolved_by",
        ).order_by(models.F("resolved_at").desc(nulls_first=True), "-flagged_at", "-pk")


class FlaggedValue(models.Model):
    """A value saved although a soft rule questioned it: the 「確認が必要な値」 list.

    Kept with the message the rule gave, the note the person confirmed it with, and who later
    checked it (resolved). Saving the value again re-runs the rules; a clean value clears its flags.
    """

    observation = models.ForeignKey(
        Observation, on_delete=models.CASCADE, related_name="flags", verbose_name="観測値"
    )
    rule = models.ForeignKey(
        ValidationRule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="ルール",
    )
    rule_label = models.CharField("ルール", max_length=200)
    message = models.TextField("指摘内容")
    note = models.TextField("登録時の確認メモ")
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="登録者",
    )
    flagged_at = models.DateTimeField("登録日時", auto_now_add=True)
    import_batch = models.ForeignKey(
        "indicators.ImportBatch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="取り込み",
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="確認者",
    )
    resolved_at = models.DateTimeField("確認日時", null=True, blank=True)
    resolution = models.TextField("確認結果", blank=True)

    objects = FlaggedValueQuerySet.as_manager()

    class Meta:
        verbose_name = "確認が必要な値"
        verbose_name_plural = "確認が必要な値"
        ordering = ["-flagged_at", "-pk"]

    def __str__(self):
        return f"{self.observation}: {self.message}"
