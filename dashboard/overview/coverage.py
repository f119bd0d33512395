"""協議の場 at the three levels (prefecture, regions, municipalities), counted from per-area records where
every area has one, else from the prefecture's own count; and which municipalities have none."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from indicators.areas import VENUE, VENUE_CODES, VENUE_MUNICIPALITIES, VENUE_REGIONS
from indicators.models import Observation, area_key_for, period_label
from regions.models import Municipality, Region


@dataclass
class Coverage:
    """協議の場 at the three levels, and which municipalities have none (when that is known)."""

    prefecture_has: bool | None
    prefecture_label: str
    prefecture_source: str
    regions_with: int | None
    regions_total: int
    regions_without: list[Region]
    regions_source: str
    municipalities_with: int | None
    municipalities_total: int
    municipalities_source: str
    municipalities_without: list[Municipality]
    municipalities_unknown: list[Municipality]
    mismatch: str

    @property
    def without_known(self) -> bool:
        """Whether the list of municipalities with none is complete (every municipality recorded)."""
        return not self.municipalities_unknown


Latest = tuple[date, Decimal, str]  # period end, value, period label


class _LatestVenues:
    """The latest 協議の場 value of each venue indicator and area up to the year's end (one query)."""

    def __init__(self, prefecture, by_code, year_end):
        self.by_code = by_code
        self.latest: dict[tuple[int, str], Latest] = {}
        ids = [by_code[c].pk for c in VENUE_CODES if c in by_code]
        rows = (
            Observation.objects.filter(prefecture=prefecture, indicator_id__in=ids, period_end__lte=year_end)
            .order_by("period_end", "pk")
            .values_list(
                "indicator_id", "area_key", "period_end", "value", "period_kind", "fiscal_year", "as_of"
            )
        )
        for indicator_id, key, period_end, value, kind, year, as_of in rows:
            self.latest[(indicator_id, key)] = (period_end, value, period_label(kind, year, as_of))

    def get(self, code, key) -> Latest | None:
        indicator = self.by_code.get(code)
        return self.latest.get((indicator.pk, key)) if indicator else None


def _newest(items) -> str:
    items = [i for i in items if i]
    return max(items, key=lambda i: i[0])[2] if items else ""


def coverage(prefecture, regions, region_by_key, by_code, year_end) -> Coverage:
    municipalities = list(
        Municipality.objects.filter(prefecture=prefecture).select_related("region").order_by("code")
    )
    venues = _LatestVenues(prefecture, by_code, year_end)
    pref_key = area_key_for(prefecture=prefecture)
    pref_venue = venues.get(VENUE, pref_key)
    prefecture_has = None if pref_venue is None else pref_venue[1] > 0
    regions_with, regions_without, regions_source = _regions(venues, regions, region_by_key, pref_key)
    municipal = _municipalities(venues, prefecture, municipalities, pref_key)
    return Coverage(
        prefecture_has=prefecture_has,
        prefecture_label={True: "有", False: "無", None: "未把握"}[prefecture_has],
        prefecture_source=pref_venue[2] if pref_venue else "",
        regions_with=regions_with,
        regions_total=len(regions),
        regions_without=regions_without,
        regions_source=regions_source,
        municipalities_total=len(municipalities),
        **municipal,
    )


def _regions(venues: _LatestVenues, regions, region_by_key, pref_key):
    per_region = [venues.get(VENUE, key) for key in region_by_key]
    if regions and all(per_region):
        regions_without = [region_by_key[k] for k in region_by_key if venues.get(VENUE, k)[1] <= 0]
        regions_with = len(regions) - len(regions_without)
        regions_source = f"圏域ごとの記録から集計（{_newest(per_region)}まで）"
    else:
        regions_without = []
        total = venues.get(VENUE_REGIONS, pref_key)
        regions_with = int(total[1]) if total else None
        regions_source = f"県の集計値（{total[2]}）" if total else "未把握"
    return regions_with, regions_without, regions_source


def _municipalities(venues: _LatestVenues, prefecture, municipalities, pref_key) -> dict:
    recorded, per_municipality = {}, []
    for m in municipalities:
        item = venues.get(VENUE, area_key_for(prefecture=prefecture, municipality=m))
        if item is not None:
            recorded[m.pk] = item[1] > 0
            per_municipality.append(item)
    without = [m for m in municipalities if recorded.get(m.pk) is False]
    unknown = [m for m in municipalities if m.pk not in recorded]
    aggregate = venues.get(VENUE_MUNICIPALITIES, pref_key)
    mismatch = ""
    if not unknown and municipalities:
        municipalities_with = len(municipalities) - len(without)
        municipalities_source = f"市町村ごとの記録から集計（{_newest(per_municipality)}まで）"
        if aggregate is not None and int(aggregate[1]) != municipalities_with:
            mismatch = (
                f"県の集計値（{int(aggregate[1])}市町村・{aggregate[2]}）と市町村ごとの記録"
                f"（{municipalities_with}市町村）が一致しません。時点の違いがないか確認してください。"
            )
    else:
        municipalities_with = int(aggregate[1]) if aggregate else None
        municipalities_source = f"県の集計値（{aggregate[2]}）" if aggregate else "未把握"
    return {
        "municipalities_with": municipalities_with,
        "municipalities_source": municipalities_source,
        "municipalities_without": without,
        "municipalities_unknown": unknown,
        "mismatch": mismatch,
    }
