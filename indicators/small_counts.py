"""Small counts as the portal shows them: which stored values are hidden, and who sees them anyway.

The one decision point is `Reader`: built from the signed-in user (`reader_for(user)`) or the public
(`PUBLIC`, which every export and every PDF uses, whoever asks), it turns a cell into what that reader
sees — the value; for a hidden cell, 「＊」, or for officials and the region's own staff the value
with a superscript ＊ saying it would be hidden (`accounts.roles.sees_small_counts` decides).

What is hidden depends only on the data (`indicators.suppression`): the values of the indicators that
count people (`Indicator.counts_people`) at region and municipality level, read per period as a
table whose lines are the prefecture and its regions, a region and its municipalities, the prefecture
and its municipalities, and a total and its breakdown (65歳以上 + 65歳未満 = 1年以上). The
prefecture's own figures are published by the prefecture and never hidden. `pattern_for` reads it in
one query; a cell is recognised by (indicator, area key, period end), so a snapshot frozen on an
agenda item is judged like the live value of the same period.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from django.conf import settings
from django.utils.html import format_html

from accounts import roles
from indicators.models import Observation
from indicators.suppression import HIDDEN_MARK, Line, is_small, suppress

PREFECTURE_PREFIX = "pref:"
REGION_PREFIX = "region:"
MUNICIPALITY_PREFIX = "muni:"


def threshold() -> int:
    return settings.SMALL_COUNT_THRESHOLD


def legend() -> str:
    """「＊: 10人未満のため秘匿（他の値から逆算できないよう一部の値も秘匿）」 with the threshold in force."""
    return f"{HIDDEN_MARK}: {threshold()}人未満のため秘匿（他の値から逆算できないよう一部の値も秘匿）"


def revealed_note() -> str:
    return (
        f"上付きの{HIDDEN_MARK}: 閲覧者の画面と、CSV・Excel・PDF の出力では「{HIDDEN_MARK}」になる値"
        f"（{threshold()}人未満、または逆算を防ぐため秘匿）。県職員と、その圏域の担当者にだけ表示しています。"
    )


def mark_title() -> str:
    return (
        f"閲覧者の画面と出力（CSV・Excel・PDF）では秘匿される値（{threshold()}人未満、または逆算を防ぐため）"
    )


def rule_text() -> str:
    """The rule as the indicator definitions page states it."""
    t = threshold()
    return (
        f"「人数を数える指標」の圏域・市町村の値と、圏域ごとの事例検討の件数は、1～{t - 1}（{t}人未満）のとき"
        f"「{HIDDEN_MARK}」で秘匿します（0 は 0 と表示）。合計から他の値を引くと秘匿した値が分かってしまう"
        f"ときは、同じ行・列の次に小さい値も秘匿します。閲覧者の画面と、CSV・Excel・PDF のすべての出力が"
        "対象です。県職員とその圏域の担当者は、画面では値に上付きの＊を付けて見られます。県全体の値と、会議・"
        f"研修の参加者数は対象外です。しきい値は {t}（NDB の公表ルールと同じ考え方）。"
    )


@dataclass(frozen=True)
class Hidden:
    """A cell the published view hides: its plain value, its text on screen, the region whose staff
    may see it, and what everyone else sees (「＊」, or e.g. 「＊ 遅れ」 where a status goes with it).

    `str()` gives the published text, so a cell printed without a reader is never revealed."""

    value: object
    text: str
    region_id: int | None
    public: str = HIDDEN_MARK

    def __str__(self) -> str:
        return self.public


def public(cell):
    """What the published view (exports, PDFs, viewers) shows of a cell: hidden ones as 「＊」."""
    return cell.public if isinstance(cell, Hidden) else cell


class Reader:
    """Who is reading: a signed-in user, or the public (`PUBLIC`). Lazy: nothing is read until asked."""

    def __init__(self, user=None):
        self.user = user

    @cached_property
    def region_ids(self) -> frozenset[int] | None:
        """The regions whose hidden counts this reader sees (None: every region; empty: none)."""
        if self.user is None or not getattr(self.user, "is_authenticated", False):
            return frozenset()
        return roles.small_count_region_ids(self.user)

    def reveals(self, region_id: int | None) -> bool:
        return self.user is not None and roles.sees_small_counts(self.user, region_id)

    @property
    def reveals_any(self) -> bool:
        return self.region_ids is None or bool(self.region_ids)

    @property
    def key(self) -> str:
        """What cached page fragments are keyed on: readers with the same key see the same cells."""
        ids = self.region_ids
        if ids is None:
            return "all"
        return "regions:" + ",".join(str(i) for i in sorted(ids)) if ids else "public"

    def show(self, cell):
        """The cell as this reader sees it on screen (HTML-safe for a revealed hidden cell)."""
        if not isinstance(cell, Hidden):
            return cell
        if self.reveals(cell.region_id):
            return format_html(
                '{}<sup class="small-count" title="{}">{}</sup>', cell.text, mark_title(), HIDDEN_MARK
            )
        return cell.public

    @property
    def legend_lines(self) -> list[str]:
        lines = [legend()]
        if self.reveals_any:
            lines.append(revealed_note())
        return lines


PUBLIC = Reader(None)


def reader_for(user) -> Reader:
    return Reader(user)


# --- which stored values are hidden --------------------------------------------------------------


@dataclass(frozen=True)
class CountsPattern:
    """The hidden cells of one prefecture's counts of people, (indicator id, area key, period end)."""

    threshold: int
    hidden: frozenset = frozenset()
    area_of_region: dict[int, str] = field(default_factory=dict)  # region id → its area key
    region_of_area: dict[str, int] = field(default_factory=dict)  # region / municipality key → region id

    def hides(self, indicator, area_key: str, period_end: date | None, value) -> bool:
        """Whether the published view hides this value of `indicator` for the area (by its key)."""
        if not indicator.counts_people or area_key.startswith(PREFECTURE_PREFIX):
            return False
        return is_small(value, self.threshold) or (indicator.pk, area_key, period_end) in self.hidden

    def hides_in_region(self, indicator, region_id: int | None, period_end: date | None, value) -> bool:
        """As `hides`, for a value of a region known by its id (None: the prefecture's)."""
        if region_id is None or not indicator.counts_people:
            return False
        key = self.area_of_region.get(region_id)
        return (
            is_small(value, self.threshold) if key is None else self.hides(indicator, key, period_end, value)
        )

    def cell(
        self, indicator, area_key: str, period_end: date | None, value, text: str, *, public=HIDDEN_MARK
    ):
        """`text`, or a Hidden cell when the value is hidden."""
        if not self.hides(indicator, area_key, period_end, value):
            return text
        return Hidden(value, text, self.region_of_area.get(area_key), public)

    def judge(self, standing):
        """A standing (indicators.standing.Standing: live or frozen on an agenda item) with `hidden` set."""
        if standing is None:
            return None
        hidden = self.hides_in_region(
            standing.indicator, standing.region_id, standing.period_end, standing.value
        )
        return standing if hidden == standing.hidden else dataclasses.replace(standing, hidden=hidden)


class Judge:
    """Sets `hidden` on standings (indicators.standing.Standing, live or frozen on an agenda item),
    reading the prefecture's pattern (one query) only when a count of people below the prefecture's
    level first needs it."""

    def __init__(self, prefecture=None):
        self.prefecture = prefecture

    @cached_property
    def pattern(self) -> CountsPattern:
        return pattern_for(self.prefecture)

    def __call__(self, standing):
        if (
            standing is None
            or standing.value is None
            or standing.region_id is None
            or not standing.indicator.counts_people
        ):
            return standing
        return self.pattern.judge(standing)


def pattern_for(prefecture=None) -> CountsPattern:
    """Every stored value of the prefecture's counts of people (None: the portal's prefecture),
    suppressed period by period (one query)."""
    scope = (
        {"prefecture": prefecture}
        if prefecture is not None
        else {"prefecture__code": settings.PORTAL_PREFECTURE_CODE}
    )
    rows = (
        Observation.objects.filter(indicator__counts_people=True, **scope)
        .order_by("period_end", "indicator_id", "area_key")
        .values_list(
            "indicator_id",
            "indicator__part_of_id",
            "area_key",
            "region_id",
            "municipality__region_id",
            "period_end",
            "value",
        )
    )
    by_period: dict[date, dict[tuple[int, str], object]] = defaultdict(dict)
    parts_of: dict[int, set[int]] = defaultdict(set)
    area_of_region: dict[int, str] = {}
    region_of_area: dict[str, int] = {}
    municipalities_of: dict[int, set[str]] = defaultdict(set)
    for indicator_id, part_of_id, area_key, region_id, municipality_region_id, period_end, value in rows:
        by_period[period_end][(indicator_id, area_key)] = value
        if part_of_id:
            parts_of[part_of_id].add(indicator_id)
        if area_key.startswith(REGION_PREFIX) and region_id:
            area_of_region[region_id] = area_key
            region_of_area[area_key] = region_id
        elif area_key.startswith(MUNICIPALITY_PREFIX) and municipality_region_id:
            region_of_area[area_key] = municipality_region_id
            municipalities_of[municipality_region_id].add(area_key)
    limit = threshold()
    hidden = set()
    for period_end, values in by_period.items():
        lines = _lines(values, parts_of, area_of_region, municipalities_of)
        fixed = {key for key in values if key[1].startswith(PREFECTURE_PREFIX)}
        for indicator_id, area_key in suppress(values, lines, threshold=limit, fixed=fixed):
            hidden.add((indicator_id, area_key, period_end))
    return CountsPattern(limit, frozenset(hidden), area_of_region, region_of_area)


def _lines(values, parts_of, area_of_region, municipalities_of) -> list[Line]:
    """The lines of one period's table: areas within areas, and totals over their breakdowns."""
    indicators = {i for i, _ in values}
    areas = {a for _, a in values}
    prefectures = sorted(a for a in areas if a.startswith(PREFECTURE_PREFIX))
    regions = sorted(a for a in areas if a.startswith(REGION_PREFIX))
    municipalities = sorted(a for a in areas if a.startswith(MUNICIPALITY_PREFIX))
    lines = []
    for indicator in sorted(indicators):
        for prefecture in prefectures:
            lines.append(Line((indicator, prefecture), tuple((indicator, r) for r in regions)))
            lines.append(Line((indicator, prefecture), tuple((indicator, m) for m in municipalities)))
        for region_id, region in area_of_region.items():
            inside = sorted(municipalities_of.get(region_id, ()))
            lines.append(Line((indicator, region), tuple((indicator, m) for m in inside)))
    for total, parts in parts_of.items():
        if total not in indicators:
            continue
        for area in sorted(areas):
            lines.append(Line((total, area), tuple((p, area) for p in sorted(parts))))
    return lines


def record_count_cell(count: int, *, region_id: int | None):
    """A count of a region's anonymised records (e.g. the cases reviewed at one meeting) as a cell:
    hidden when 1 ≤ count < threshold, since a region's counts add up to the hidden per-region total
    of case reviews; 0 and prefecture-wide counts are shown as they are."""
    if region_id is None or not 0 < count < threshold():
        return count
    return Hidden(value=count, text=str(count), region_id=region_id)
