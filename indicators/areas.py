"""The areas an indicator value can belong to — the prefecture, its regions, its municipalities — by code.

Codes are the ones officials already use: the prefecture's and municipalities' 全国地方公共団体コード
(350001, 352012) and the region codes (3501…3508). By default only the deployment's own prefecture is
known here, so a value can never be recorded for another prefecture's area.

`AreaIndex(prefecture, reference=True)` also knows 全国 (000000) and the other 46 prefectures by their
団体コード: the reference areas a national wide table (national app) brings, whose values are recorded
under their own Prefecture. Only the official import of such a table asks for them (the batch's
`file_format` says so, `importing.WIDE_FORMATS`); every other entry path keeps the narrow index.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from core.fiscal import normalise
from indicators.models import area_key_for
from regions.models import Municipality, Prefecture, Region

# The 協議の場 indicators: whether an area (the prefecture, a region, a municipality) has one, and the
# prefecture's own counts of regions and municipalities that do. The dashboard's coverage reads all
# three; the officials' per-municipality form writes the first.
VENUE = "consultation_venue"
VENUE_REGIONS = "consultation_venue_regions"
VENUE_MUNICIPALITIES = "consultation_venue_municipalities"
VENUE_CODES = (VENUE, VENUE_REGIONS, VENUE_MUNICIPALITIES)


def portal_prefecture() -> Prefecture:
    return Prefecture.objects.get(code=settings.PORTAL_PREFECTURE_CODE)


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    level: str  # "prefecture" | "region" | "municipality"
    key: str
    region: Region | None = None
    municipality: Municipality | None = None
    # Set only for reference areas (全国, other prefectures): the Prefecture their values belong to.
    # Data-set locks never apply to them: they are other bodies' published figures.
    prefecture: Prefecture | None = None

    @property
    def is_reference(self) -> bool:
        return self.prefecture is not None


class AreaIndex:
    """Every area of one prefecture by code (two queries; three with `reference`)."""

    def __init__(self, prefecture: Prefecture, *, reference: bool = False):
        self.prefecture = prefecture
        self.regions = list(Region.objects.filter(prefecture=prefecture).order_by("display_order", "code"))
        self.municipalities = list(
            Municipality.objects.filter(prefecture=prefecture).select_related("region").order_by("code")
        )
        self.by_code: dict[str, Area] = {
            prefecture.code: Area(
                prefecture.code,
                f"{prefecture.name}（県全体）",
                "prefecture",
                area_key_for(prefecture=prefecture),
            )
        }
        for region in self.regions:
            self.by_code[region.code] = Area(
                region.code,
                region.full_name,
                "region",
                area_key_for(prefecture=prefecture, region=region),
                region=region,
            )
        for municipality in self.municipalities:
            self.by_code[municipality.code] = Area(
                municipality.code,
                municipality.name,
                "municipality",
                area_key_for(prefecture=prefecture, municipality=municipality),
                municipality=municipality,
            )
        if reference:
            for other in Prefecture.objects.exclude(pk=prefecture.pk).order_by("code"):
                self.by_code[other.code] = Area(
                    other.code,
                    other.name,
                    "nation" if other.is_nation else "prefecture",
                    area_key_for(prefecture=other),
                    prefecture=other,
                )
        self.by_key = {area.key: area for area in self.by_code.values()}

    def get(self, code) -> Area | None:
        return self.by_code.get(normalise(str(code or "")))

    def choices(self) -> list:
        """Grouped choices for a select: the prefecture, then regions, then municipalities."""
        pref = self.by_code[self.prefecture.code]
        return [
            (pref.code, pref.name),
            ("圏域", [(r.code, r.full_name) for r in self.regions]),
            ("市町村", [(m.code, f"{m.name}（{m.region.full_name}）") for m in self.municipalities]),
        ]

    def all(self) -> list[Area]:
        """The portal prefecture's own areas (reference areas are not offered in pickers)."""
        return [area for area in self.by_code.values() if not area.is_reference]
