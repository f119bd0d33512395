"""Training sessions (研修), their attendance by organisation type, and the peer-supporter programme."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce

from accounts.roles import RegionScopedQuerySet
from core import validators
from core.categories import OrganisationType
from core.fiscal import fiscal_year_label
from core.models import AuditedQuerySet
from core.records import RecordQuerySet, RegionLabelMixin, SoftDeleteQuerySet, TrackedRecord
from regions.models import HealthCentre, Prefecture, PrefectureDivision, PrefectureRecordQuerySet, Region

MAX_SESSION_HOURS = Decimal(40)


def format_hours(value) -> str:
    """Hours without trailing zeros: 2.50 → "2.5", 3.00 → "3", 10 → "10"."""
    if value is None:
        return ""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class Course(models.TextChoices):
    TRANSITION = "transition", "地域移行・地域定着研修"
    CONSULTATION_SPECIALIST = "consultation_specialist", "相談支援従事者専門コース（地域移行・定着）"
    MULTIDISCIPLINARY = "multidisciplinary", "多職種連携研修"
    PEER_SUPPORTER = "peer_supporter", "ピアサポーター養成研修"
    AWARENESS = "awareness", "普及啓発（あいサポート運動等）"
    OTHER = "other", "その他"


_DIVISIONS = dict(PrefectureDivision.choices_for("県"))


class OrganiserKind(models.TextChoices):
    """Who ran a session: a health centre, one of the prefecture's divisions (regions.PrefectureDivision,
    stored under the same values), or someone else."""

    HEALTH_CENTRE = "health_centre", "保健所・健康福祉センター"
    DISABILITY_SUPPORT = (
        PrefectureDivision.DISABILITY_SUPPORT.value,
        _DIVISIONS[PrefectureDivision.DISABILITY_SUPPORT],
    )
    HEALTH_PROMOTION = (
        PrefectureDivision.HEALTH_PROMOTION.value,
        _DIVISIONS[PrefectureDivision.HEALTH_PROMOTION],
    )
    OTHER = "other", "その他"


class TrainingSessionQuerySet(
    AuditedQuerySet, RecordQuerySet, PrefectureRecordQuerySet, SoftDeleteQuerySet, RegionScopedQuerySet
):
    region_field = "region"
    alive_lookup = {"is_deleted": False}
    delete_by_officials_only = True

    def active(self):
        """Sessions not soft-deleted (the name the status sheet and dashboard call)."""
        return self.alive()

    def with_attendee_total(self):
        """`attendees_total` per session as a correlated subquery (cheap per page; counts stay plain)."""
        total = (
            TrainingAttendance.objects.filter(session=models.OuterRef("pk"))
            .order_by()
            .values("session")
            .annotate(total=models.Sum("count"))
            .values("total")
        )
        return self.annotate(
            attendees_total=Coalesce(models.Subquery(total), 0, output_field=models.IntegerField())
        )

    def with_attendee_counts(self):
        """`attendees_total` plus `attendees_<type>` for every OrganisationType, in one grouped query (exports)."""
        annotations = {
            f"attendees_{value}": models.Sum(
                "attendances__count", filter=Q(attendances__organisation_type=value), default=0
            )
            for value in OrganisationType.values
        }
        return self.annotate(attendees_total=models.Sum("attendances__count", default=0), **annotations)

    def for_list(self):
        return self.select_related("region", "organiser_health_centre").order_by("-start_date", "-pk")


class TrainingSession(RegionLabelMixin, TrackedRecord):
    """One training session (研修): which course, when, how long, who ran it, where, who came, how it went.

    `region` NULL means a prefecture-wide (県全域) session, created by prefecture officials only.
    `prefecture` is the region's, or for a prefecture-wide session the portal's own (set by the service).
    `fiscal_year` is derived from `start_date` by the service functions and indexed for lists and
    summaries. Deleting is soft (`is_deleted`), and `version` guards against concurrent edits.
    """

    course = models.CharField("研修区分", max_length=40, choices=Course.choices)
    title = models.CharField("研修名", max_length=200)
    start_date = models.DateField("開始日", validators=[validators.activity_date("開始日")])
    end_date = models.DateField("終了日", validators=[validators.activity_date("終了日")])
    hours = models.DecimalField(
        "研修時間（時間）",
        max_digits=5,
        decimal_places=2,
        validators=[
            MinValueValidator(Decimal("0.25"), message="研修時間は0.25時間以上で入力してください。"),
            MaxValueValidator(
                MAX_SESSION_HOURS,
                message=f"研修時間は1回あたり{MAX_SESSION_HOURS}時間以下で入力してください。",
            ),
        ],
    )
    organiser_kind = models.CharField("主催", max_length=30, choices=OrganiserKind.choices)
    organiser_health_centre = models.ForeignKey(
        HealthCentre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_sessions",
        verbose_name="主催保健所",
    )
    organiser_other = models.CharField("主催（その他）", max_length=100, blank=True)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_sessions",
        verbose_name="圏域",
        help_text="空欄は県全域",
    )
    prefecture = models.ForeignKey(
        Prefecture,
        on_delete=models.PROTECT,
        related_name="training_sessions",
        verbose_name="都道府県",
        editable=False,
    )
    place = models.CharField("会場", max_length=200, blank=True)
    respondents = models.PositiveIntegerField("アンケート回答数", default=0)
    satisfied = models.PositiveIntegerField("満足と回答した人数", default=0)
    requests = models.TextField("参加者の要望・意見", blank=True)
    fiscal_year = models.PositiveSmallIntegerField("年度", db_index=True, editable=False)
    is_deleted = models.BooleanField("削除済み", default=False, editable=False)

    objects = TrainingSessionQuerySet.as_manager()

    class Meta:
        verbose_name = "研修"
        verbose_name_plural = "研修"
        ordering = ["-start_date", "-pk"]
        indexes = [
            models.Index(fields=["fiscal_year", "region"], name="training_fy_region"),
            models.Index(fields=["-start_date", "-id"], name="training_start_desc"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="training_end_not_before_start",
                violation_error_message="終了日は開始日以降の日付にしてください。",
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=MAX_SESSION_HOURS),
                name="training_hours_sensible",
                violation_error_message=f"研修時間は0時間より長く{MAX_SESSION_HOURS}時間以下にしてください。",
            ),
            models.CheckConstraint(
                condition=Q(satisfied__lte=models.F("respondents")),
                name="training_satisfied_within_respondents",
                violation_error_message="満足と回答した人数は回答数以下にしてください。",
            ),
            models.CheckConstraint(
                condition=~Q(organiser_kind="health_centre") | Q(organiser_health_centre__isnull=False),
                name="training_organiser_centre_given",
                violation_error_message="主催の保健所を選んでください。",
            ),
        ]

    def __str__(self):
        return f"{self.title}（{self.start_date:%Y-%m-%d}）"

    @property
    def hours_label(self) -> str:
        return format_hours(self.hours)

    @property
    def organiser_label(self) -> str:
        if self.organiser_kind == OrganiserKind.HEALTH_CENTRE and self.organiser_health_centre_id:
            return self.organiser_health_centre.name
        if self.organiser_kind == OrganiserKind.OTHER:
            return self.organiser_other or "その他"
        return self.get_organiser_kind_display()

    @property
    def satisfaction_rate(self) -> float | None:
        """Share satisfied among respondents (0–100), None when nobody answered."""
        if not self.respondents:
            return None
        return self.satisfied * 100 / self.respondents


class TrainingAttendance(models.Model):
    """How many people of one organisation type attended a session (only non-zero counts are stored)."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendances", verbose_name="研修"
    )
    organisation_type = models.CharField("所属・職種", max_length=30, choices=OrganisationType.choices)
    count = models.PositiveIntegerField("人数")

    class Meta:
        verbose_name = "研修参加者数"
        verbose_name_plural = "研修参加者数"
        constraints = [
            models.UniqueConstraint(
                fields=["session", "organisation_type"], name="training_attendance_unique"
            )
        ]

    def __str__(self):
        return f"{self.get_organisation_type_display()} {self.count}人"


class PeerSupportProgrammeQuerySet(AuditedQuerySet, RecordQuerySet, RegionScopedQuerySet):
    region_field = "region"


class PeerSupportProgramme(TrackedRecord):
    """The peer-supporter programme of one region in one 年度 (the sheet's challenge 2: ニーズ把握、養成、活用).

    Needs survey (how many hospitals / support offices were asked and how many want peer supporters,
    and for what), peer supporters trained / registered / active, and their activities.
    """

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="peer_support_programmes", verbose_name="圏域"
    )
    fiscal_year = models.PositiveSmallIntegerField("年度", db_index=True)
    hospitals_surveyed = models.PositiveIntegerField("調査した精神科病院数", default=0)
    hospitals_wanting = models.PositiveIntegerField("ピアサポーターを希望する病院数", default=0)
    offices_surveyed = models.PositiveIntegerField("調査した相談支援事業所等の数", default=0)
    offices_wanting = models.PositiveIntegerField("ピアサポーターを希望する事業所数", default=0)
    needs_purpose = models.TextField("希望する活用内容", blank=True)
    trained = models.PositiveIntegerField("養成したピアサポーター数", default=0)
    registered = models.PositiveIntegerField("登録ピアサポーター数", default=0)
    active = models.PositiveIntegerField("活動中のピアサポーター数", default=0)
    hospital_visits = models.PositiveIntegerField("病院訪問回数", default=0)
    meeting_participations = models.PositiveIntegerField("会議等への参加回数", default=0)
    other_activities = models.TextField("その他の活動", blank=True)

    objects = PeerSupportProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = "ピアサポーター活用事業"
        verbose_name_plural = "ピアサポーター活用事業"
        ordering = ["-fiscal_year", "region__display_order", "region__code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "fiscal_year"], name="peer_support_unique_region_year"),
            models.CheckConstraint(
                condition=Q(active__lte=models.F("registered")),
                name="peer_support_active_within_registered",
                violation_error_message="活動中のピアサポーター数は登録数以下にしてください。",
            ),
            models.CheckConstraint(
                condition=Q(hospitals_wanting__lte=models.F("hospitals_surveyed")),
                name="peer_support_hospitals_within_surveyed",
                violation_error_message="希望する病院数は調査した病院数以下にしてください。",
            ),
            models.CheckConstraint(
                condition=Q(offices_wanting__lte=models.F("offices_surveyed")),
                name="peer_support_offices_within_surveyed",
                violation_error_message="希望する事業所数は調査した事業所数以下にしてください。",
            ),
        ]

    def __str__(self):
        return f"{self.region.full_name} {fiscal_year_label(self.fiscal_year)} ピアサポーター活用事業"
