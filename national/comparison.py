"""全国との比較: an indicator's value in each of the 47 prefectures and 全国, ranked — read from stored rows.

Values are ordinary `indicators.Observation` rows under each `Prefecture` (area_key ``pref:<code>``;
全国 is the Prefecture of kind NATION, ``pref:000000``); a cell the national table suppressed or left out
is a `national.SourceGap`, shown as 「秘匿」 or 「値なし」 and never ranked.

Rules (one place, so the comparison page, the dashboard and the sheet say the same):
- Rank direction comes from `Indicator.direction`: higher is better → rank 1 is the highest value;
  lower is better → rank 1 is the lowest; neutral (基礎情報) → ranked by value, highest first, and the
  page says so (`Ranking.order_note`).
- Ties share a rank and the next rank skips (competition ranking: 1, 2, 2, 4), compared on the stored
  value (not on the rounded text).
- 「N都道府県中 M位」: N is the number of prefectures with a value for that period (those without one
  are listed, not ranked).
- The latest common period of an indicator is the latest period (by period end) for which both the
  portal's prefecture and 全国 have a value: a newer national table without the prefecture's own row
  (or the other way round) is not yet a comparison.

Every reader here runs a fixed number of queries whatever the number of prefectures and periods.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q

from indicators import values
from indicators.models import Indicator, Observation, area_key_for, period_label
from national.models import SourceGap
from regions.models import Prefecture, Region
from regions.validators import NATION_CODE

NEUTRAL_NOTE = "望ましい方向のない指標のため、値の大きい順に並べています。"
ORDER_NOTES = {
    Indicator.Direction.HIGHER: "値が高いほど良い指標のため、高い順に順位を付けています。",
    Indicator.Direction.LOWER: "値が低いほど良い指標のため、低い順に順位を付けています。",
}
GAP_LABELS = {SourceGap.Kind.SUPPRESSED: "秘匿", SourceGap.Kind.MISSING: "値なし"}
NO_ROW = "値なし"  # neither a value nor a recorded gap: the table had no row, or it is not imported yet


@dataclass(frozen=True)
class PeriodRef:
    """A period values exist for: its key (fy:2022), its end and its Japanese label (令和4年度)."""

    key: str
    period_end: date
    label: str


@dataclass
class Entry:
    """One area's place in a ranking: its value (or the reason there is none) and its rank."""

    area_key: str
    name: str  # 山口県 / 岩国圏域 / 全国
    short_name: str  # 山口 (the tile map's and the bar chart's label)
    value: Decimal | None
    indicator: Indicator
    rank: int | None = None
    gap: str = ""  # 「秘匿」「値なし」 when value is None
    provenance: str = ""
    is_portal: bool = False
    prefecture: Prefecture | None = None
    region: Region | None = None

    @property
    def value_text(self) -> str:
        if self.value is None:
            return self.gap or NO_ROW
        return with_unit(self.value, self.indicator)


def with_unit(value, indicator: Indicator) -> str:
    text = values.format_value(value, indicator)
    return text if indicator.value_type == Indicator.ValueType.YES_NO else f"{text}{indicator.unit}"


@dataclass
class Ranking:
    """Every area of one level (the 47 prefectures, or the portal's regions) for one period."""

    indicator: Indicator
    period: PeriodRef | None
    entries: list[Entry]  # ranked first (by rank, then code), then those without a value
    nation: Entry | None = None
    level: str = "prefecture"  # or "region"

    @property
    def ranked_count(self) -> int:
        return sum(1 for e in self.entries if e.rank is not None)

    @property
    def portal(self) -> Entry | None:
        return next((e for e in self.entries if e.is_portal), None)

    @property
    def order_note(self) -> str:
        return ORDER_NOTES.get(self.indicator.direction, NEUTRAL_NOTE)

    @property
    def has_values(self) -> bool:
        return self.ranked_count > 0

    def rank_text(self, entry: Entry | None) -> str:
        """「47都道府県中 12位」 (N = those with a value), or "" when the entry is not ranked."""
        if entry is None or entry.rank is None:
            return ""
        noun = "都道府県" if self.level == "prefecture" else "圏域"
        return f"{self.ranked_count}{noun}中 {entry.rank}位"


def competition_ranks(items: Iterable[tuple[object, Decimal]], direction: str) -> dict[object, int]:
    """{key: rank} with ties sharing a rank and the next rank skipped (1, 2, 2, 4).

    `direction` is an Indicator.Direction: LOWER ranks the lowest first; HIGHER and NEUTRAL the highest.
    """
    ordered = sorted(items, key=lambda kv: kv[1], reverse=direction != Indicator.Direction.LOWER)
    ranks: dict[object, int] = {}
    previous = None
    rank = 0
    for position, (key, value) in enumerate(ordered, start=1):
        if value != previous:
            rank = position
            previous = value
        ranks[key] = rank
    return ranks


def _prefecture_keys(prefectures: Iterable[Prefecture]) -> dict[str, Prefecture]:
    return {area_key_for(prefecture=p): p for p in prefectures}


def country_areas() -> tuple[dict[str, Prefecture], Prefecture | None]:
    """({area key: prefecture} of the 47 in code order, 全国 or None) — one query."""
    everyone = list(Prefecture.objects.filter(kind__in=[Prefecture.Kind.PREFECTURE, Prefecture.Kind.NATION]))
    everyone.sort(key=lambda p: p.code)
    nation = next((p for p in everyone if p.is_nation), None)
    return _prefecture_keys(p for p in everyone if not p.is_nation), nation


def _period_ref(row) -> PeriodRef:
    kind, fiscal_year, as_of, period_end, key = row
    return PeriodRef(key=key, period_end=period_end, label=period_label(kind, fiscal_year, as_of))


def periods(indicator: Indicator, area_keys: Iterable[str]) -> list[PeriodRef]:
    """The periods any of `area_keys` has a value for, oldest first (one query)."""
    return _distinct_periods(Observation.objects.filter(indicator=indicator, area_key__in=list(area_keys)))


def _distinct_periods(observations) -> list[PeriodRef]:
    rows = (
        observations.order_by("period_end", "period_key")
        .values_list("period_kind", "fiscal_year", "as_of", "period_end", "period_key")
        .distinct()
    )
    seen: dict[str, PeriodRef] = {}
    for row in rows:
        seen.setdefault(row[4], _period_ref(row))
    return sorted(seen.values(), key=lambda p: (p.period_end, p.key))


def latest_common_period(
    indicator: Indicator, portal: Prefecture, nation: Prefecture | None
) -> PeriodRef | None:
    """The latest period both the portal's prefecture and 全国 have a value for (one query)."""
    if nation is None:
        return None
    keys = [area_key_for(prefecture=portal), area_key_for(prefecture=nation)]
    found = latest_common_periods([indicator], portal, nation, keys=keys)
    return found.get(indicator.pk)


def latest_common_periods(
    indicators: Iterable[Indicator], portal: Prefecture, nation: Prefecture | None, *, keys=None, up_to=None
) -> dict[int, PeriodRef]:
    """{indicator id: the latest period both the portal and 全国 have a value for} — one query."""
    portal_key, nation_key = keys or [area_key_for(prefecture=portal), area_key_for(prefecture=nation)]
    rows = Observation.objects.filter(
        indicator__in=[i.pk for i in indicators], area_key__in=[portal_key, nation_key]
    )
    if up_to is not None:
        rows = rows.filter(period_end__lte=up_to)
    rows = rows.values_list(
        "indicator_id", "area_key", "period_kind", "fiscal_year", "as_of", "period_end", "period_key"
    )
    by_area: dict[tuple[int, str], dict[str, PeriodRef]] = defaultdict(dict)
    for indicator_id, key, *period in rows:
        by_area[(indicator_id, key)][period[-1]] = _period_ref(period)
    found = {}
    for indicator in indicators:
        own = by_area.get((indicator.pk, portal_key), {})
        national = by_area.get((indicator.pk, nation_key), {})
        common = [own[k] for k in own.keys() & national.keys()]
        if common:
            found[indicator.pk] = max(common, key=lambda p: (p.period_end, p.key))
    return found


def prefecture_ranking(
    indicator: Indicator, period: PeriodRef | None, *, portal: Prefecture, areas=None
) -> Ranking:
    """The 47 prefectures and 全国 for one period (three queries; two when `areas` is given)."""
    by_key, nation = areas or country_areas()
    if period is None:
        entries = [_entry(key, p, None, indicator, portal) for key, p in by_key.items()]
        return Ranking(indicator, None, entries)
    nation_key = area_key_for(prefecture=nation) if nation else None
    keys = [*by_key, *([nation_key] if nation_key else [])]
    rows = {
        o.area_key: o
        for o in Observation.objects.filter(
            indicator=indicator, period_key=period.key, area_key__in=keys
        ).only("area_key", "value", "provenance")
    }
    gaps = dict(
        SourceGap.objects.filter(indicator=indicator, period_key=period.key, area_key__in=keys).values_list(
            "area_key", "kind"
        )
    )
    entries = []
    for key, prefecture in by_key.items():
        entries.append(_entry(key, prefecture, rows.get(key), indicator, portal, gaps.get(key)))
    _rank(entries, indicator)
    national = None
    if nation is not None:
        national = _entry(nation_key, nation, rows.get(nation_key), indicator, portal, gaps.get(nation_key))
    return Ranking(indicator, period, _ordered(entries), nation=national)


def region_ranking(indicator: Indicator, period: PeriodRef | None, *, portal: Prefecture) -> Ranking:
    """The portal's regions (二次医療圏 = 障害保健福祉圏域 in Yamaguchi) for one period, ranked within the
    prefecture, with the prefecture's own value in `nation`'s place (two queries)."""
    regions = list(Region.objects.filter(prefecture=portal).order_by("display_order", "code"))
    by_key = {area_key_for(prefecture=portal, region=r): r for r in regions}
    portal_key = area_key_for(prefecture=portal)
    rows = {}
    if period is not None:
        rows = {
            o.area_key: o
            for o in Observation.objects.filter(
                indicator=indicator, period_key=period.key, area_key__in=[*by_key, portal_key]
            ).only("area_key", "value", "provenance")
        }
    entries = []
    for key, region in by_key.items():
        row = rows.get(key)
        entries.append(
            Entry(
                area_key=key,
                name=region.full_name,
                short_name=region.name,
                value=row.value if row else None,
                indicator=indicator,
                provenance=row.provenance if row else "",
                region=region,
            )
        )
    _rank(entries, indicator)
    own = rows.get(portal_key)
    whole = Entry(
        area_key=portal_key,
        name=f"{portal.name}全体",
        short_name=portal.short_name,
        value=own.value if own else None,
        indicator=indicator,
        provenance=own.provenance if own else "",
        is_portal=True,
        prefecture=portal,
    )
    return Ranking(indicator, period, _ordered(entries), nation=whole, level="region")


def region_periods(indicator: Indicator, portal: Prefecture) -> list[PeriodRef]:
    """The periods any of the portal's regions has a value for (one query)."""
    return _distinct_periods(
        Observation.objects.filter(indicator=indicator, prefecture=portal, region__isnull=False)
    )


def _entry(key, prefecture, row, indicator, portal, gap_kind=None) -> Entry:
    return Entry(
        area_key=key,
        name=prefecture.name,
        short_name=prefecture.short_name,
        value=row.value if row else None,
        indicator=indicator,
        gap="" if row else GAP_LABELS.get(gap_kind, NO_ROW),
        provenance=row.provenance if row else "",
        is_portal=prefecture.pk == portal.pk,
        prefecture=prefecture,
    )


def _rank(entries: list[Entry], indicator: Indicator) -> None:
    ranks = competition_ranks(
        ((e.area_key, e.value) for e in entries if e.value is not None), indicator.direction
    )
    for entry in entries:
        entry.rank = ranks.get(entry.area_key)


def _ordered(entries: list[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda e: (e.rank is None, e.rank or 0, e.area_key))


# --- over time -----------------------------------------------------------------------------------


@dataclass
class Line:
    """One area's values over time (the over-time chart and its table)."""

    name: str
    area_key: str
    points: dict[str, Decimal] = field(default_factory=dict)  # period key → value
    role: str = "peer"  # "portal" | "nation" | "peer"
    cells: list[str] = field(default_factory=list)  # the values as text, one per period ("－": none)


def over_time(
    indicator: Indicator, areas: list[tuple[Prefecture, str]]
) -> tuple[list[PeriodRef], list[Line]]:
    """(periods oldest first, one Line per area in the order given) — one query.

    `areas` are (prefecture, role) pairs: the portal's prefecture, 全国 and the user's peers.
    """
    lines = {
        area_key_for(prefecture=p): Line(p.name, area_key_for(prefecture=p), role=role) for p, role in areas
    }
    rows = Observation.objects.filter(indicator=indicator, area_key__in=list(lines)).values_list(
        "area_key", "value", "period_kind", "fiscal_year", "as_of", "period_end", "period_key"
    )
    seen: dict[str, PeriodRef] = {}
    for key, value, *period in rows:
        ref = seen.setdefault(period[-1], _period_ref(period))
        lines[key].points[ref.key] = value
    ordered = sorted(seen.values(), key=lambda p: (p.period_end, p.key))
    for line in lines.values():
        line.cells = [
            with_unit(line.points[p.key], indicator) if p.key in line.points else "－" for p in ordered
        ]
    return ordered, list(lines.values())


# --- the dashboard's and the sheet's column --------------------------------------------------------


@dataclass(frozen=True)
class NationalStanding:
    """全国's value and the portal prefecture's rank for an indicator's latest common period."""

    indicator: Indicator
    period: PeriodRef
    nation_value: Decimal
    rank: int | None
    ranked_count: int
    portal_value: Decimal | None = None

    @property
    def portal_text(self) -> str:
        return with_unit(self.portal_value, self.indicator) if self.portal_value is not None else NO_ROW

    @property
    def nation_text(self) -> str:
        return with_unit(self.nation_value, self.indicator)

    @property
    def rank_text(self) -> str:
        return f"{self.ranked_count}都道府県中 {self.rank}位" if self.rank is not None else ""


def national_standings(
    indicators: Iterable[Indicator], portal: Prefecture, *, up_to: date | None = None
) -> dict[int, NationalStanding]:
    """{indicator id: NationalStanding} for the indicators with a latest common period (ended by
    `up_to` when given: the dashboard's 年度) — one query when no indicator has one, else two, whatever
    the number of indicators, prefectures and periods: the portal's and 全国's periods, then every
    prefecture's value at the chosen periods. Prefectures are told apart by their area key (a
    prefecture-level row is ``pref:<code>``; 全国's code is fixed), so no list of prefectures is read."""
    indicators = list(indicators)
    if not indicators:
        return {}
    nation_key = f"pref:{NATION_CODE}"
    portal_key = area_key_for(prefecture=portal)
    common = latest_common_periods(indicators, portal, None, keys=[portal_key, nation_key], up_to=up_to)
    if not common:
        return {}
    condition = Q()
    for indicator_id, period in common.items():
        condition |= Q(indicator_id=indicator_id, period_key=period.key)
    rows = Observation.objects.filter(condition, area_key__startswith="pref:").values_list(
        "indicator_id", "area_key", "value"
    )
    grouped: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for indicator_id, key, value in rows:
        grouped[indicator_id][key] = value
    found = {}
    for indicator in indicators:
        period = common.get(indicator.pk)
        if period is None or nation_key not in grouped[indicator.pk]:
            continue
        found_values = grouped[indicator.pk]
        ranked = [(k, v) for k, v in found_values.items() if k != nation_key]
        ranks = competition_ranks(ranked, indicator.direction)
        found[indicator.pk] = NationalStanding(
            indicator=indicator,
            period=period,
            nation_value=found_values[nation_key],
            rank=ranks.get(portal_key),
            ranked_count=len(ranked),
            portal_value=found_values.get(portal_key),
        )
    return found


def indicators_with_national_data() -> list[Indicator]:
    """Active indicators with a 全国 value (three queries)."""
    _, nation = country_areas()
    if nation is None:
        return []
    ids = set(
        Observation.objects.filter(area_key=area_key_for(prefecture=nation)).values_list(
            "indicator_id", flat=True
        )
    )
    return list(Indicator.objects.filter(pk__in=ids, is_active=True).order_by("display_order", "code"))
