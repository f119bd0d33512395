"""The PDCA read model: for each indicator of a region, the chain from the first discussion to today.

`region_page` gathers one region's chains (current standing, the meetings that discussed the indicator
with what people saw there, the actions taken on those agenda items, the values before and after) and
its 「議題になっていない遅れ」; `side_by_side` counts, per region, the indicators not met and how many of
them were discussed, acted on and seen improve. Both read a fixed number of queries whatever the number
of regions, meetings, items and observations. The words for a change (`change_text`) and for an
improvement (`improved`) are pure functions over standings, in the vocabulary of `indicators.values`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Exists, F, OuterRef
from django.utils.safestring import SafeString

from core.fiscal import fiscal_year_of
from indicators import small_counts, values
from indicators.models import Indicator, Observation
from indicators.standing import Standing, standings
from meetings.agenda import IndicatorOnAgenda, basis_for, not_met_by_region
from meetings.models import ActionItem, AgendaItem, Meeting, MeetingStatus
from pdca.charts import indicator_chart
from regions.models import Region

# --- words ---------------------------------------------------------------------------------------


def _comparator(before: Standing, after: Standing) -> str:
    """Which way is better: the target's comparator, else the indicator's desired direction."""
    if after.comparator or before.comparator:
        return after.comparator or before.comparator
    direction = after.indicator.direction
    return {Indicator.Direction.HIGHER: values.GTE, Indicator.Direction.LOWER: values.LTE}.get(direction, "")


def _shown(value: Decimal, places: int) -> Decimal:
    """The value as the page shows it (the indicator's decimals): the change is the change people read."""
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def change_text(before: Standing, after: Standing) -> str:
    """「48.6％ → 53.0％（4.4ポイント改善）」, 「…悪化」, 「…（変化なし）」 ("" when either value is missing).

    Better or worse is the target's direction (≥: up is better, ≤: down is better; `values.shortfall` of
    the new value against the old one); an indicator with neither target nor direction says 増加 / 減少.
    """
    if before.value is None or after.value is None:
        return ""
    indicator = after.indicator
    places = indicator.decimal_places
    old, new = _shown(before.value, places), _shown(after.value, places)
    arrow = f"{before.value_text} → {after.value_text}"
    if old == new:
        return f"{arrow}（変化なし）"
    amount = ""
    if indicator.value_type != Indicator.ValueType.YES_NO:
        word = "ポイント" if indicator.value_type == Indicator.ValueType.PERCENT else indicator.unit
        amount = f"{values.format_number(abs(new - old), places)}{word}"
    comparator = _comparator(before, after)
    if not comparator:
        return f"{arrow}（{amount}{'増加' if new > old else '減少'}）"
    better = values.shortfall(new, old, comparator) < 0  # the new value beyond the old one, the good way
    return f"{arrow}（{amount}{'改善' if better else '悪化'}）"


def improved(first: Standing | None, current: Standing) -> bool:
    """The current value's shortfall from its target is smaller than at the first discussion's snapshot."""
    if first is None or None in (first.value, first.target_value, current.value, current.target_value):
        return False
    now = values.shortfall(current.value, current.target_value, current.comparator)
    then = values.shortfall(first.value, first.target_value, first.comparator)
    return now < then


# --- one region's chains -------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionRow:
    action: ActionItem
    overdue: bool


@dataclass
class Discussion:
    """One agenda item about the indicator: its meeting, what people saw there, the actions on it."""

    item: AgendaItem
    standing: Standing | None  # frozen at a held meeting; the live one while the meeting is 予定
    actions: list[ActionRow] = field(default_factory=list)

    @property
    def meeting(self) -> Meeting:
        return self.item.meeting

    @property
    def is_held(self) -> bool:
        return self.meeting.status == MeetingStatus.HELD


@dataclass
class Chain:
    """An indicator of the region: where it stands now and each time it was on an agenda."""

    indicator: Indicator
    current: Standing
    discussions: list[Discussion]
    waiting: AgendaItem | None  # proposed from the dashboard, waiting for a meeting to be planned
    chart: SafeString | str
    hidden_points: int = 0  # small counts left out of the chart

    @property
    def first(self) -> Discussion | None:
        return self.discussions[0] if self.discussions else None

    @property
    def first_standing(self) -> Standing | None:
        """The status when first discussed (None while that first meeting is only planned)."""
        first = self.first
        return first.standing if first is not None and first.is_held else None

    @property
    def change(self) -> str:
        first = self.first_standing
        return change_text(first, self.current) if first is not None else ""

    @property
    def change_cell(self):
        """`change`, or a Hidden cell when either value is a small count: the public reads
        「＊ → 12人」 without the amount (which, with the value shown, would give the other back)."""
        first, text = self.first_standing, self.change
        if not text or not (first.hidden or self.current.hidden):
            return text
        hidden = self.current if self.current.hidden else first
        shown = f"{small_counts.public(first.value_cell)} → {small_counts.public(self.current.value_cell)}"
        return small_counts.Hidden(None, text, hidden.region_id, shown)

    @property
    def has_hidden(self) -> bool:
        standings = [self.current, *(d.standing for d in self.discussions)]
        return self.hidden_points > 0 or any(s is not None and s.hidden for s in standings)

    @property
    def actions(self) -> list[ActionRow]:
        return [row for discussion in self.discussions for row in discussion.actions]


@dataclass
class RegionPage:
    region: Region
    today: date
    since_fiscal_year: int
    chains: list[Chain]  # discussed at least once (on a held or planned meeting's agenda)
    undiscussed: list[Chain]  # never on a meeting's agenda (perhaps proposed and waiting)
    not_on_agenda: list[IndicatorOnAgenda]  # 「議題になっていない遅れ」

    @property
    def has_hidden(self) -> bool:
        """Some value on the page is a small count (the legend is shown)."""
        return any(c.has_hidden for c in self.chains + self.undiscussed)


def portal_regions():
    return Region.objects.filter(prefecture__code=settings.PORTAL_PREFECTURE_CODE).order_by(
        "display_order", "code"
    )


def _active_indicators() -> list[Indicator]:
    return list(Indicator.objects.filter(is_active=True).order_by("display_order", "code"))


def _not_on_agenda(rows: list[IndicatorOnAgenda]) -> list[IndicatorOnAgenda]:
    """Not met, and on no held meeting's agenda of the counted 年度 nor a planned one (a waiting proposal
    is shown as 提案済み but is not yet discussed)."""
    return [row for row in rows if row.planned is None and row.discussed is None]


def region_page(region: Region, *, today: date) -> RegionPage:
    basis = basis_for()
    indicators = basis.indicators_for(region, _active_indicators())
    by_id = {i.pk: i for i in indicators}
    current = standings([(i, region) for i in indicators], on=today, basis=basis)

    items = list(
        AgendaItem.objects.alive()
        .filter(region=region, indicator_id__in=by_id)
        .exclude(meeting__status=MeetingStatus.CANCELLED)  # a called-off meeting discussed nothing
        .select_related("meeting")
        .order_by(F("meeting__date").asc(nulls_last=True), "meeting_id", "position", "pk")
    )
    actions_by_item: dict[int, list[ActionRow]] = defaultdict(list)
    actions = (
        ActionItem.objects.alive()
        .filter(agenda_item__region=region, agenda_item__indicator_id__in=by_id)
        .order_by(F("due_date").asc(nulls_last=True), "pk")
    )
    for action in actions:
        actions_by_item[action.agenda_item_id].append(ActionRow(action, action.is_overdue(today)))
    observations: dict[int, list[Observation]] = defaultdict(list)
    rows = (
        Observation.objects.filter(area_key=basis.area_key(region), indicator_id__in=by_id)
        .order_by("indicator_id", "period_end", "pk")
        .only("indicator_id", "period_kind", "fiscal_year", "as_of", "period_end", "value")
    )
    for row in rows:
        observations[row.indicator_id].append(row)

    discussions: dict[int, list[Discussion]] = defaultdict(list)
    waiting: dict[int, AgendaItem] = {}
    for item in items:
        item.indicator = by_id[item.indicator_id]  # the definitions read once, not per item
        live = current[(item.indicator_id, region.pk)]
        if item.meeting is None:
            waiting.setdefault(item.indicator_id, item)
            continue
        held = item.meeting.status == MeetingStatus.HELD
        standing = basis.judge(item.frozen_standing()) if held else live
        discussions[item.indicator_id].append(Discussion(item, standing, actions_by_item.get(item.pk, [])))

    chains = []
    area_key = basis.area_key(region)
    for indicator in indicators:
        now = current[(indicator.pk, region.pk)]
        found = discussions.get(indicator.pk, [])
        values_of = observations.get(indicator.pk, [])
        plotted = values_of
        if indicator.counts_people:  # a chart never draws a hidden small count
            pattern = basis.judge.pattern
            plotted = [o for o in values_of if not pattern.hides(indicator, area_key, o.period_end, o.value)]
        chart = indicator_chart(
            indicator,
            plotted,
            target=now,
            meetings=[d.meeting for d in found],
            region=region,
        )
        chain = Chain(indicator, now, found, waiting.get(indicator.pk), chart)
        chain.hidden_points = len(values_of) - len(plotted)
        chains.append(chain)

    since = fiscal_year_of(today) - 1
    not_met = not_met_by_region([region], today=today, since_fiscal_year=since)[region.pk]
    return RegionPage(
        region=region,
        today=today,
        since_fiscal_year=since,
        chains=[c for c in chains if c.discussions],
        undiscussed=[c for c in chains if not c.discussions],
        not_on_agenda=_not_on_agenda(not_met),
    )


# --- all regions side by side --------------------------------------------------------------------


@dataclass
class RegionProgress:
    """Counts of one region's indicators not met now (region None: the prefecture's total)."""

    region: Region | None
    not_met: int = 0
    discussed: int = 0  # on the agenda of a held meeting of the current or previous 年度
    acted_on: int = 0  # with at least one action item on such an agenda item
    improved: int = 0  # the shortfall smaller now than at the first discussion's snapshot
    not_on_agenda: int = 0  # 「議題になっていない」: no held or planned meeting has it on its agenda
    is_own: bool = False

    def add(self, other: RegionProgress) -> None:
        for name in ("not_met", "discussed", "acted_on", "improved", "not_on_agenda"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class SideBySide:
    rows: list[RegionProgress]
    total: RegionProgress
    today: date
    since_fiscal_year: int

    @property
    def own(self) -> list[RegionProgress]:
        return [row for row in self.rows if row.is_own]


def side_by_side(*, today: date, own_region_ids=frozenset()) -> SideBySide:
    regions = list(portal_regions())
    since = fiscal_year_of(today) - 1
    not_met = not_met_by_region(regions, today=today, since_fiscal_year=since)
    by_key = {(row.indicator.pk, row.region.pk): row for rows in not_met.values() for row in rows}

    first: dict[tuple[int, int], Standing] = {}
    acted: set[tuple[int, int]] = set()
    held = (
        AgendaItem.objects.on_meetings()
        .filter(
            meeting__status=MeetingStatus.HELD,
            region_id__in=[r.pk for r in regions],
            indicator_id__in={indicator_id for indicator_id, _ in by_key},
        )
        .annotate(has_actions=Exists(ActionItem.objects.filter(agenda_item=OuterRef("pk"))))
        .select_related("meeting")
        .order_by("meeting__date", "meeting_id", "position", "pk")
    )
    for item in held:
        key = (item.indicator_id, item.region_id)
        row = by_key.get(key)
        if row is None:
            continue
        if key not in first and item.is_frozen:
            item.indicator = row.indicator
            first[key] = item.frozen_standing()
        if item.has_actions and item.meeting.fiscal_year >= since:
            acted.add(key)

    rows = []
    total = RegionProgress(region=None)
    for region in regions:
        found = not_met[region.pk]
        progress = RegionProgress(
            region=region,
            not_met=len(found),
            discussed=sum(1 for row in found if row.discussed is not None),
            acted_on=sum(1 for row in found if (row.indicator.pk, region.pk) in acted),
            improved=sum(
                1 for row in found if improved(first.get((row.indicator.pk, region.pk)), row.standing)
            ),
            not_on_agenda=len(_not_on_agenda(found)),
            is_own=region.pk in own_region_ids,
        )
        rows.append(progress)
        total.add(progress)
    return SideBySide(rows=rows, total=total, today=today, since_fiscal_year=since)
