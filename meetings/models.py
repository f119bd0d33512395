"""Meetings of every kind, their participants, action items and anonymised case reviews.

Writes go through `meetings.services`; reads are the QuerySet methods below; who may see or
change what is decided in `accounts.roles`.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from accounts import roles
from core import fiscal, search, validators
from core.categories import OrganisationType
from core.models import AuditedQuerySet
from core.records import RecordQuerySet, RegionLabelMixin, SoftDeleteQuerySet, TrackedRecord
from indicators import small_counts
from indicators.standing import Standing
from indicators.suppression import is_small
from meetings.validators import validate_no_identifiers
from regions.models import HealthCentre, Prefecture, PrefectureDivision, PrefectureRecordQuerySet, Region

NO_IDENTIFIERS = [validate_no_identifiers]
SEARCH_GRAM_INDEX = "meeting_search_grams"  # PostgreSQL only: migration 0005


class MeetingKind(models.TextChoices):
    REGIONAL_COORDINATION = "regional_coordination", "圏域連絡調整会議"
    CASE_REVIEW = "case_review", "地域移行事例検討会"
    PREFECTURE_COUNCIL = "prefecture_council", "県地域生活移行推進会議"
    VENUE_REGION = "venue_region", "協議の場（圏域）"
    VENUE_MUNICIPALITY = "venue_municipality", "協議の場（市町村）"
    INDEPENDENCE_COUNCIL = "independence_council", "自立支援協議会・部会"
    TRAINING_PLANNING = "training_planning", "研修企画会議"
    OTHER = "other", "その他"


class MeetingStatus(models.TextChoices):
    """予定 (planned), 開催済 (held), or 中止: a planned meeting called off — never counted as held, never
    "the next planned meeting", its agenda not frozen; it stays on the list (and in calendars, as
    cancelled) so that people see it will not take place."""

    PLANNED = "planned", "予定"
    HELD = "held", "開催済"
    CANCELLED = "cancelled", "中止"


# The kinds where the voice of 当事者・ピアサポーター and 家族 is expected (にも包括: the 圏域 meeting and the
# 協議の場): a held one without 当事者 is flagged, and the share with 当事者 is an activity indicator.
PEER_EXPECTED_KINDS = (
    MeetingKind.REGIONAL_COORDINATION,
    MeetingKind.VENUE_REGION,
    MeetingKind.VENUE_MUNICIPALITY,
)

# The kinds whose meetings review anonymised cases (CaseReview): the meeting page shows its case section
# for these only, and the services refuse cases on any other kind.
CASE_KINDS = (MeetingKind.CASE_REVIEW,)


def took_part(category: str) -> Exists:
    """Whether people of `category` (core.categories.OrganisationType) took part in the outer meeting."""
    return Exists(
        Participation.objects.filter(meeting=OuterRef("pk"), category=category, count__gt=0).order_by()
    )


# A meeting's organiser when no health centre runs it: one of the prefecture's divisions.
ORGANISER_DIVISION_CHOICES = PrefectureDivision.choices_for("山口県")


class MeetingQuerySet(
    AuditedQuerySet, RecordQuerySet, PrefectureRecordQuerySet, SoftDeleteQuerySet, roles.RegionScopedQuerySet
):
    region_field = "region"
    alive_lookup = {"deleted_at__isnull": True}

    def search(self, text: str):
        """Meetings whose title or agenda items contain every term of `text` (core.search)."""
        return search.search_filter(self, text, gram_index=SEARCH_GRAM_INDEX)

    def with_summary(self):
        """Participant total, open action items and case count as subqueries (no row multiplication)."""
        participants = (
            Participation.objects.filter(meeting=OuterRef("pk"))
            .order_by()
            .values("meeting")
            .annotate(total=Sum("count"))
            .values("total")
        )
        open_actions = (
            ActionItem.objects.filter(meeting=OuterRef("pk"))
            .open()
            .order_by()
            .values("meeting")
            .annotate(n=Count("pk"))
            .values("n")
        )
        cases = (
            CaseReview.objects.filter(meeting=OuterRef("pk"))
            .order_by()
            .values("meeting")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.select_related("region", "organiser_centre").annotate(
            participant_total=Coalesce(Subquery(participants), 0),
            open_action_count=Coalesce(Subquery(open_actions), 0),
            case_count=Coalesce(Subquery(cases), 0),
        )

    def with_participant_counts(self):
        """`participants_<type>` for every OrganisationType as subqueries (the export's per-group columns,
        as the training export has), beside `with_summary()`'s total."""

        def count_of(category):
            return Coalesce(
                Subquery(
                    Participation.objects.filter(meeting=OuterRef("pk"), category=category)
                    .order_by()
                    .values("meeting")
                    .annotate(total=Sum("count"))
                    .values("total")
                ),
                0,
            )

        return self.annotate(
            **{f"participants_{value}": count_of(value) for value in OrganisationType.values}
        )

    def with_participation_mix(self):
        """`has_peer` / `has_family`: whether 当事者・ピアサポーター / 家族 took part (EXISTS, no row multiplication)."""
        return self.annotate(
            has_peer=took_part(OrganisationType.PEER), has_family=took_part(OrganisationType.FAMILY)
        )

    def peer_expected(self):
        """Held meetings of a kind where 当事者 are expected (PEER_EXPECTED_KINDS)."""
        return self.filter(status=MeetingStatus.HELD, kind__in=PEER_EXPECTED_KINDS)

    def without_peer(self):
        """Held meetings of an expected kind that no 当事者・ピアサポーター took part in (the flagged ones)."""
        return self.peer_expected().filter(~took_part(OrganisationType.PEER))

    def newest_first(self):
        return self.order_by("-date", "-pk")


class Meeting(RegionLabelMixin, TrackedRecord):
    """One meeting: a region's 圏域連絡調整会議, a 事例検討会, the prefecture council, ….

    `region` empty means prefecture-wide (県全域). `prefecture` is the region's, or for a
    prefecture-wide meeting the portal's own (set by the service, like `fiscal_year`). `fiscal_year` is derived from `date` by the
    service and indexed for the list filters. `version` grows on every save (optimistic locking);
    deletion is soft so that a prefecture official can restore the meeting.
    """

    kind = models.CharField("種別", max_length=30, choices=MeetingKind.choices)
    title = models.CharField("会議名", max_length=200, validators=NO_IDENTIFIERS)
    date = models.DateField("開催日", validators=[validators.activity_date("開催日")])
    start_time = models.TimeField("開始時刻", null=True, blank=True)
    end_time = models.TimeField("終了時刻", null=True, blank=True)
    place = models.CharField("場所", max_length=200, blank=True, validators=NO_IDENTIFIERS)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name="圏域",
        help_text="空欄は県全域の会議（県職員のみ登録できます）",
    )
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="meetings", verbose_name="都道府県", editable=False
    )
    organiser_centre = models.ForeignKey(
        HealthCentre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name="主催（保健所）",
    )
    organiser_division = models.CharField(
        "主催（県の課）", max_length=30, choices=ORGANISER_DIVISION_CHOICES, blank=True
    )
    minutes = models.TextField("議事要旨", blank=True, validators=NO_IDENTIFIERS)
    decisions = models.TextField("決定事項", blank=True, validators=NO_IDENTIFIERS)
    status = models.CharField(
        "状況",
        max_length=10,
        choices=MeetingStatus.choices,
        default=MeetingStatus.HELD,
        help_text="中止：予定していた会議を取りやめたとき（開催回数には数えません）。",
    )
    fiscal_year = models.PositiveSmallIntegerField("年度", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="作成者",
        editable=False,
    )
    deleted_at = models.DateTimeField("削除日時", null=True, blank=True, editable=False)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="削除者",
        editable=False,
    )
    # Title and agenda items (titles, notes) as the search compares them (core.search); derived by the
    # service, as fiscal_year.
    search_text = models.TextField("検索用の文字列", editable=False, default="")

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = "会議"
        verbose_name_plural = "会議"
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["fiscal_year", "-date", "-id"], name="meeting_fy_date"),
            models.Index(fields=["-date", "-id"], name="meeting_date"),
            # The list's pages: an index-only walk over the meetings not deleted (bench/CHANGES.md).
            models.Index(
                fields=["-date", "-id"], condition=Q(deleted_at__isnull=True), name="meeting_alive_date"
            ),
            models.Index(fields=["region", "fiscal_year"], name="meeting_region_fy"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(organiser_centre__isnull=False, organiser_division="")
                    | Q(organiser_centre__isnull=True) & ~Q(organiser_division="")
                ),
                name="meeting_one_organiser",
                violation_error_message="主催は保健所か県の課のどちらか一つを選んでください。",
            ),
            models.CheckConstraint(
                condition=Q(start_time__isnull=True)
                | Q(end_time__isnull=True)
                | Q(end_time__gte=models.F("start_time")),
                name="meeting_end_after_start",
                violation_error_message="終了時刻は開始時刻より後にしてください。",
            ),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.title}"

    @property
    def organiser_label(self) -> str:
        if self.organiser_centre_id:
            return self.organiser_centre.name
        return self.get_organiser_division_display()

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    @property
    def peer_expected(self) -> bool:
        """A held meeting of a kind where 当事者・ピアサポーター and 家族 are expected."""
        return self.status == MeetingStatus.HELD and self.kind in PEER_EXPECTED_KINDS

    @property
    def lacks_peer(self) -> bool:
        """The flag 「当事者の参加がありません」: expected, and no 当事者 took part.

        Reads the `has_peer` annotation (MeetingQuerySet.with_participation_mix); one query without it.
        """
        if not self.peer_expected:
            return False
        has_peer = getattr(self, "has_peer", None)
        if has_peer is None:
            has_peer = self.participations.filter(category=OrganisationType.PEER, count__gt=0).exists()
        return not has_peer


class Participation(models.Model):
    """How many people of one organisation type took part in a meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participations")
    category = models.CharField("所属の種類", max_length=30, choices=OrganisationType.choices)
    count = models.PositiveIntegerField("人数", validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = "参加者数"
        verbose_name_plural = "参加者数"
        constraints = [
            models.UniqueConstraint(fields=["meeting", "category"], name="participation_unique_category"),
            models.CheckConstraint(condition=Q(count__gte=0), name="participation_count_non_negative"),
        ]

    def __str__(self):
        return f"{self.get_category_display()} {self.count}人"


class AgendaOrigin(models.TextChoices):
    ENTERED = "entered", "会議で登録"
    PROPOSED = "proposed", "ダッシュボードから提案"
    CARRY_OVER = "carry_over", "前回からの継続"


CARRY_OVER_TITLE = "前回からの継続"


class AgendaItemQuerySet(AuditedQuerySet, roles.RegionScopedQuerySet):
    """Agenda items; `region` is the area the item is about (a regional meeting's items: its region)."""

    region_field = "region"

    def alive(self):
        return self.filter(Q(meeting__isnull=True) | Q(meeting__deleted_at__isnull=True))

    def waiting(self):
        """Proposals from the dashboard that wait for the region's next 圏域連絡調整会議 to be planned."""
        return self.filter(meeting__isnull=True)

    def on_meetings(self):
        return self.filter(meeting__isnull=False, meeting__deleted_at__isnull=True)

    def pending(self):
        """Proposed and not yet discussed: waiting for a meeting, or on the agenda of a meeting still 予定
        (what 「次の会議の議題にする」 does not add again)."""
        return self.alive().filter(Q(meeting__isnull=True) | Q(meeting__status=MeetingStatus.PLANNED))

    def about_indicators(self):
        return self.filter(indicator__isnull=False)


class AgendaItem(models.Model):
    """One item (議題) of a meeting's agenda, optionally about an indicator of an area.

    While the meeting is 予定 the item shows the indicator's live standing (indicators.standing); when
    the meeting is marked 開催済 the service freezes the `snapshot_*` fields, so a past meeting shows what
    people saw then. A proposal from the dashboard has no meeting yet: it waits on its region's list
    until a 圏域連絡調整会議 is planned there. Every change is recorded on the meeting's history.
    """

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="agenda_items"
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name="対象地域",
        help_text="空欄は県全体",
    )
    position = models.PositiveSmallIntegerField("順番", default=1)
    title = models.CharField("議題", max_length=200, validators=NO_IDENTIFIERS)
    notes = models.TextField("内容・メモ", blank=True, validators=NO_IDENTIFIERS)
    indicator = models.ForeignKey(
        "indicators.Indicator",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name="関連する指標",
    )
    origin = models.CharField("登録の経緯", max_length=20, choices=AgendaOrigin.choices, default="entered")
    carried_actions = models.ManyToManyField(
        "ActionItem", blank=True, related_name="carried_in", verbose_name="継続する対応事項"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="提案者",
        editable=False,
    )
    proposed_at = models.DateTimeField("提案日時", null=True, blank=True, editable=False)
    # What people saw when the meeting was held (indicators.standing.Standing, frozen).
    snapshot_taken_at = models.DateTimeField("記録日時", null=True, blank=True, editable=False)
    snapshot_value = models.DecimalField(
        "開催時の値", max_digits=14, decimal_places=3, null=True, editable=False
    )
    snapshot_period = models.CharField("開催時の値の時点", max_length=40, blank=True, editable=False)
    snapshot_period_end = models.DateField("開催時の値の期間の終わり", null=True, editable=False)
    snapshot_target = models.DecimalField(
        "開催時の目標値", max_digits=14, decimal_places=3, null=True, editable=False
    )
    snapshot_comparator = models.CharField("開催時の目標の比較", max_length=3, blank=True, editable=False)
    snapshot_plan = models.CharField("開催時の基準計画", max_length=120, blank=True, editable=False)
    snapshot_status = models.CharField("開催時の状況", max_length=20, blank=True, editable=False)
    snapshot_inherited = models.BooleanField("県の目標を適用", default=False, editable=False)

    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        verbose_name = "議題"
        verbose_name_plural = "議題"
        ordering = ["meeting", "position", "pk"]
        indexes = [
            models.Index(fields=["indicator", "region"], name="agenda_indicator_region"),
            models.Index(fields=["region"], condition=Q(meeting__isnull=True), name="agenda_waiting_region"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(meeting__isnull=False) | Q(region__isnull=False, origin="proposed"),
                name="agenda_waiting_is_regional_proposal",
                violation_error_message="会議のない議題は、圏域に提案された議題だけです。",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_frozen(self) -> bool:
        return self.snapshot_taken_at is not None

    def frozen_standing(self) -> Standing | None:
        """The standing recorded when the meeting was held (None before, or for an item about no indicator)."""
        if not self.is_frozen or self.indicator_id is None:
            return None
        return Standing(
            indicator=self.indicator,
            value=self.snapshot_value,
            period_label=self.snapshot_period,
            period_end=self.snapshot_period_end,
            target_value=self.snapshot_target,
            comparator=self.snapshot_comparator,
            plan_name=self.snapshot_plan,
            status=self.snapshot_status,
            inherited=self.snapshot_inherited,
            region_id=self.region_id,
            # The small-count rule on the value alone; the readers judge it against the stored table
            # too (indicators.standing.Basis.judged), which may hide a larger value of that period.
            hidden=self.indicator.counts_people
            and self.region_id is not None
            and is_small(self.snapshot_value, small_counts.threshold()),
            # judged (「古いデータ」) on the meeting's day when the meeting was read with the item
            on=self.meeting.date if self.meeting_id and AgendaItem.meeting.is_cached(self) else None,
        )

    def freeze(self, standing: Standing, *, at) -> None:
        self.snapshot_taken_at = at
        self.snapshot_value = standing.value
        self.snapshot_period = standing.period_label
        self.snapshot_period_end = standing.period_end
        self.snapshot_target = standing.target_value
        self.snapshot_comparator = standing.comparator
        self.snapshot_plan = standing.plan_name
        self.snapshot_status = standing.status
        self.snapshot_inherited = standing.inherited

    def thaw(self) -> None:
        """Back to the live standing (the meeting was set back to 予定)."""
        self.snapshot_taken_at = None
        self.snapshot_value = self.snapshot_target = self.snapshot_period_end = None
        self.snapshot_period = self.snapshot_comparator = self.snapshot_plan = self.snapshot_status = ""
        self.snapshot_inherited = False


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "未着手"
    IN_PROGRESS = "in_progress", "対応中"
    DONE = "done", "完了"


class ActionItemQuerySet(AuditedQuerySet, roles.RegionScopedQuerySet):
    region_field = "meeting__region"

    def alive(self):
        return self.filter(meeting__deleted_at__isnull=True)

    def open(self):
        return self.exclude(status=ActionStatus.DONE)

    def overdue(self, today: date):
        return self.open().filter(due_date__lt=today)

    def for_regions(self, region_ids):
        return self.filter(meeting__region__in=region_ids)


class ActionItem(models.Model):
    """A thing a meeting decided someone will do, with who, by when, and whether it is done."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items")
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name="議題",
    )
    description = models.CharField("対応事項", max_length=300, validators=NO_IDENTIFIERS)
    responsible = models.CharField("担当機関", max_length=100, validators=NO_IDENTIFIERS)
    due_date = models.DateField("期限", null=True, blank=True, validators=[validators.due_date("期限")])
    status = models.CharField(
        "状況", max_length=20, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    completed_on = models.DateField(
        "完了日", null=True, blank=True, validators=[validators.past_date("完了日")]
    )

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        verbose_name = "対応事項"
        verbose_name_plural = "対応事項"
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["status", "due_date"], name="action_status_due"),
            # Open items per region on officials' home page: only the open ones (bench/CHANGES.md).
            models.Index(
                fields=["meeting", "due_date"], condition=~Q(status="done"), name="action_open_meeting_due"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="done", completed_on__isnull=False)
                | ~Q(status="done") & Q(completed_on__isnull=True),
                name="action_completed_on_iff_done",
                violation_error_message="完了日は状況が「完了」のときだけ入力してください（完了には完了日が必要です）。",
            )
        ]

    def __str__(self):
        return self.description

    def is_overdue(self, today: date) -> bool:
        return self.status != ActionStatus.DONE and self.due_date is not None and self.due_date < today


class AgeBand(models.TextChoices):
    UNDER_20 = "u20", "20歳未満"
    AGE_20S = "20s", "20歳代"
    AGE_30S = "30s", "30歳代"
    AGE_40S = "40s", "40歳代"
    AGE_50S = "50s", "50歳代"
    AGE_60S = "60s", "60歳代"
    AGE_70S = "70s", "70歳代"
    OVER_80 = "80plus", "80歳以上"


class StayBand(models.TextChoices):
    UNDER_1Y = "u1", "1年未満"
    Y1_5 = "1to5", "1年以上5年未満"
    Y5_10 = "5to10", "5年以上10年未満"
    Y10_20 = "10to20", "10年以上20年未満"
    OVER_20 = "20plus", "20年以上"


class DiagnosisGroup(models.TextChoices):
    F0 = "F0", "F0 症状性を含む器質性精神障害（認知症等）"
    F1 = "F1", "F1 精神作用物質使用による精神及び行動の障害"
    F2 = "F2", "F2 統合失調症、統合失調症型障害及び妄想性障害"
    F3 = "F3", "F3 気分（感情）障害"
    F4 = "F4", "F4 神経症性障害、ストレス関連障害及び身体表現性障害"
    F5 = "F5", "F5 生理的障害及び身体的要因に関連した行動症候群"
    F6 = "F6", "F6 成人の人格及び行動の障害"
    F7 = "F7", "F7 知的障害（精神遅滞）"
    F8 = "F8", "F8 心理的発達の障害"
    F9 = "F9", "F9 小児期及び青年期に通常発症する行動及び情緒の障害"
    OTHER = "other", "その他（てんかん等）"


class Barrier(models.TextChoices):
    HOUSING = "housing", "住まい"
    FAMILY = "family", "家族"
    MOTIVATION = "motivation", "本人の意欲"
    FINANCES = "finances", "経済面"
    DAYTIME = "daytime", "日中活動"
    TREATMENT = "treatment", "医療継続"
    ACCEPTANCE = "acceptance", "地域の受け入れ"
    OTHER = "other", "その他"


class Support(models.TextChoices):
    TRANSITION = "transition", "地域移行支援"
    SETTLEMENT = "settlement", "地域定着支援"
    INDEPENDENT_LIVING = "independent_living", "自立生活援助"
    GROUP_HOME = "group_home", "グループホーム"
    HOME_NURSING = "home_nursing", "訪問看護"
    PEER_SUPPORT = "peer_support", "ピアサポート"
    OTHER = "other", "その他"


class CaseStatus(models.TextChoices):
    REVIEWING = "reviewing", "検討中"
    PREPARING = "preparing", "退院準備中"
    DISCHARGED = "discharged", "退院"
    IN_COMMUNITY = "in_community", "地域生活継続"
    READMITTED = "readmitted", "再入院"
    CLOSED = "closed", "終結"


DISCHARGED_STATUSES = frozenset({CaseStatus.DISCHARGED, CaseStatus.IN_COMMUNITY, CaseStatus.READMITTED})


def choice_labels(choices, values) -> list[str]:
    labels = dict(choices.choices)
    return [str(labels.get(v, v)) for v in values or []]


class FollowUpStatus(models.TextChoices):
    IN_COMMUNITY = "in_community", "地域生活継続"
    READMITTED = "readmitted", "再入院"
    OTHER = "other", "その他"


class CaseReviewQuerySet(AuditedQuerySet, roles.RegionScopedQuerySet):
    region_field = "region"

    def alive(self):
        return self.filter(meeting__deleted_at__isnull=True)

    def successful(self):
        """成功事例: living in the community at the 6- or 12-month follow-up after discharge."""
        return self.filter(
            Exists(
                CaseFollowUp.objects.filter(
                    case=OuterRef("pk"), months__in=[6, 12], status=FollowUpStatus.IN_COMMUNITY
                )
            )
        )


class CaseReview(models.Model):
    """An anonymised case discussed at a 地域移行事例検討会.

    By design there is no field for a name, address, birth date, patient or insurance number:
    a case is known by its region-scoped number (e.g. 岩国-2022-001) and broad bands only.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="cases")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="cases", verbose_name="圏域")
    fiscal_year = models.PositiveSmallIntegerField("年度")
    sequence = models.PositiveIntegerField("通し番号")
    case_number = models.CharField("事例番号", max_length=40)
    age_band = models.CharField("年代", max_length=10, choices=AgeBand.choices)
    stay_band = models.CharField("在院期間", max_length=10, choices=StayBand.choices)
    diagnosis_group = models.CharField("診断分類", max_length=10, choices=DiagnosisGroup.choices)
    barriers = models.JSONField("退院を妨げる要因", default=list, blank=True)
    supports = models.JSONField("予定する支援", default=list, blank=True)
    status = models.CharField("状況", max_length=20, choices=CaseStatus.choices, default=CaseStatus.REVIEWING)
    discharge_month = models.DateField(
        "退院年月",
        null=True,
        blank=True,
        help_text="月の1日で保存します",
        validators=[validators.past_month("退院年月")],
    )
    summary = models.TextField("検討内容・経過", blank=True, validators=NO_IDENTIFIERS)

    objects = CaseReviewQuerySet.as_manager()

    class Meta:
        verbose_name = "事例検討"
        verbose_name_plural = "事例検討"
        ordering = ["region", "fiscal_year", "sequence"]
        indexes = [
            # The dashboard's per-region activity of one 年度 (cases reviewed, discharges), bench/CHANGES.md.
            models.Index(fields=["fiscal_year", "region"], name="case_fy_region"),
            models.Index(fields=["discharge_month", "region"], name="case_discharge_region"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["region", "case_number"], name="case_unique_number_per_region"),
            models.UniqueConstraint(
                fields=["region", "fiscal_year", "sequence"], name="case_unique_sequence_per_region"
            ),
        ]

    def __str__(self):
        return self.case_number

    @property
    def display_number(self) -> str:
        """The number as the pages show it, in 和暦 (岩国-R8-001); stored as 岩国-2026-001."""
        return fiscal.case_number_display(self.case_number)

    @property
    def barrier_labels(self) -> list[str]:
        return choice_labels(Barrier, self.barriers)

    @property
    def support_labels(self) -> list[str]:
        return choice_labels(Support, self.supports)


class CaseFollowUp(models.Model):
    """追跡調査: where the person is 3, 6 or 12 months after discharge."""

    class Months(models.IntegerChoices):
        M3 = 3, "退院後3か月"
        M6 = 6, "退院後6か月"
        M12 = 12, "退院後12か月"

    case = models.ForeignKey(CaseReview, on_delete=models.CASCADE, related_name="followups")
    months = models.PositiveSmallIntegerField("時期", choices=Months.choices)
    status = models.CharField("状況", max_length=20, choices=FollowUpStatus.choices)
    note = models.TextField("備考", blank=True, validators=NO_IDENTIFIERS)

    class Meta:
        verbose_name = "追跡調査"
        verbose_name_plural = "追跡調査"
        ordering = ["case", "months"]
        constraints = [models.UniqueConstraint(fields=["case", "months"], name="followup_unique_months")]

    def __str__(self):
        return f"{self.case} {self.get_months_display()}"
