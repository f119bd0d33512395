from django.conf import settings
from django.db import models

from regions.validators import NATION_CODE, validate_lg_code, validate_prefecture_code

# 都道府県 names read with or without their suffix (山口県 / 山口); 北海道 keeps 道 in its short form.
_PREFECTURE_SUFFIXES = ("都", "府", "県")


def prefecture_short_name(name: str) -> str:
    """山口県 → 山口, 東京都 → 東京, 北海道 → 北海道 (the form national tables and charts use)."""
    name = name.strip()
    if name.endswith(_PREFECTURE_SUFFIXES) and len(name) > 2:
        return name[:-1]
    return name


class PrefectureQuerySet(models.QuerySet):
    def portal(self) -> "Prefecture":
        """The prefecture this deployment serves (settings.PORTAL_PREFECTURE_CODE)."""
        return self.get(code=settings.PORTAL_PREFECTURE_CODE)

    def nation(self) -> "Prefecture":
        """全国: the area national values are recorded under (regions/data/japan.json)."""
        return self.get(kind=Prefecture.Kind.NATION)

    def country(self):
        """The 47 prefectures (全国 excluded), in 団体コード order."""
        return self.filter(kind=Prefecture.Kind.PREFECTURE).order_by("code")


class Prefecture(models.Model):
    """A prefecture (or designated city) that files its own 自治体状況共有シート — or 全国, the one
    area of kind NATION, under which national values and targets are recorded.

    All 47 prefectures ship as reference data so that national tables can be compared; only the
    deployment's own (settings.PORTAL_PREFECTURE_CODE) has regions, municipalities and users.
    """

    class Kind(models.TextChoices):
        PREFECTURE = "prefecture", "都道府県"
        NATION = "nation", "全国"

    code = models.CharField(
        "全国地方公共団体コード",
        max_length=6,
        unique=True,
        validators=[validate_prefecture_code],
        help_text=f"全国は {NATION_CODE}",
    )
    name = models.CharField("名称", max_length=20)
    # db_default too: rows inserted by code that predates the field (older migrations' models) are prefectures.
    kind = models.CharField(
        "区分", max_length=10, choices=Kind.choices, default=Kind.PREFECTURE, db_default=Kind.PREFECTURE
    )
    # Position on the tile map of Japan (one square per prefecture): row from the north, column from
    # the west. Null for 全国 and for prefectures loaded before the country list.
    tile_row = models.PositiveSmallIntegerField("タイル地図の行", null=True, blank=True)
    tile_column = models.PositiveSmallIntegerField("タイル地図の列", null=True, blank=True)

    objects = PrefectureQuerySet.as_manager()

    class Meta:
        verbose_name = "都道府県"
        verbose_name_plural = "都道府県"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(kind="nation"), name="prefecture_one_nation"
            ),
            models.UniqueConstraint(
                fields=["tile_row", "tile_column"],
                condition=models.Q(tile_row__isnull=False),
                name="prefecture_unique_tile",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_nation(self) -> bool:
        return self.kind == self.Kind.NATION

    @property
    def short_name(self) -> str:
        return self.name if self.is_nation else prefecture_short_name(self.name)


def owning_prefecture_id(region) -> int:
    """The prefecture a record belongs to: its region's, or for a prefecture-wide record (no region)
    the deployment's own, whose officials keep those records."""
    return region.prefecture_id if region is not None else Prefecture.objects.portal().pk


class PrefectureRecordQuerySet(models.QuerySet):
    """Reads of records that carry a `prefecture` (meetings, training sessions), prefecture-wide ones included."""

    def for_prefecture(self, prefecture):
        return self.filter(prefecture=prefecture)


class PrefectureDivision(models.TextChoices):
    """The prefecture's divisions that run 地域移行 (where the portal's prefecture officials work).

    The labels are the divisions' own names; a page puts the prefecture in front as reads best
    there (`choices_for`): 山口県 on a meeting's organiser, 県 among a training's organisers.
    """

    DISABILITY_SUPPORT = "disability_support", "障害者支援課"
    HEALTH_PROMOTION = "health_promotion", "健康増進課"

    @classmethod
    def choices_for(cls, prefix: str) -> list[tuple[str, str]]:
        """[("disability_support", "県 障害者支援課"), …] for prefix "県"."""
        return [(division.value, f"{prefix} {division.label}") for division in cls]


def region_full_name(name: str) -> str:
    """岩国 → 岩国圏域."""
    return f"{name}圏域"


class RegionQuerySet(models.QuerySet):
    def choices(self) -> list[tuple[str, str]]:
        """(pk, 圏域名) for a select, without a model instance per region (335 nationally)."""
        return [(str(pk), region_full_name(name)) for pk, name in self.values_list("pk", "name")]

    def with_counts(self):
        return self.annotate(
            municipality_count=models.Count("municipalities", distinct=True),
            health_centre_count=models.Count("health_centres", distinct=True),
        )


class Region(models.Model):
    """障害保健福祉圏域: the unit in which health centres run 地域移行 (Yamaguchi: 8, equal to 二次医療圏)."""

    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="regions", verbose_name="都道府県"
    )
    code = models.CharField("圏域コード", max_length=10, unique=True, help_text="例: 3501")
    name = models.CharField("圏域名", max_length=30, help_text="例: 岩国")
    display_order = models.PositiveSmallIntegerField("表示順", default=0)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = "障害保健福祉圏域"
        verbose_name_plural = "障害保健福祉圏域"
        ordering = ["prefecture__code", "display_order", "code"]
        constraints = [models.UniqueConstraint(fields=["prefecture", "name"], name="region_unique_name")]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return region_full_name(self.name)


class Municipality(models.Model):
    """市町村, identified by its 6-digit 全国地方公共団体コード."""

    class Kind(models.TextChoices):
        CITY = "city", "市"
        TOWN = "town", "町"
        VILLAGE = "village", "村"
        WARD = "ward", "区"

    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="municipalities", verbose_name="都道府県"
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="municipalities", verbose_name="圏域"
    )
    code = models.CharField(
        "全国地方公共団体コード", max_length=6, unique=True, validators=[validate_lg_code]
    )
    name = models.CharField("名称", max_length=30)
    kind = models.CharField("区分", max_length=10, choices=Kind.choices)

    class Meta:
        verbose_name = "市町村"
        verbose_name_plural = "市町村"
        ordering = ["code"]

    def __str__(self):
        return self.name


class HealthCentre(models.Model):
    """保健所 / 健康福祉センター; it runs the regional meetings of the region(s) it covers."""

    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="health_centres", verbose_name="都道府県"
    )
    code = models.CharField("コード", max_length=20, unique=True, help_text="例: iwakuni")
    name = models.CharField("名称", max_length=60)
    operator = models.CharField("設置主体", max_length=30, help_text="例: 山口県、下関市")
    regions = models.ManyToManyField(Region, related_name="health_centres", verbose_name="所管圏域")
    display_order = models.PositiveSmallIntegerField("表示順", default=0)

    class Meta:
        verbose_name = "保健所・健康福祉センター"
        verbose_name_plural = "保健所・健康福祉センター"
        ordering = ["prefecture__code", "display_order", "code"]

    def __str__(self):
        return self.name
