"""The dashboard's read model: everything `/indicators/` shows, built in a fixed number of queries.

Every query is scoped to the deployment's prefecture (`settings.PORTAL_PREFECTURE_CODE`) and none is
issued per region, year, indicator or meeting: rows are fetched once and grouped here, and the
arithmetic is done by the pure functions of `indicators.dashboard`.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from core import fiscal, versions
from indicators import activity
from indicators import dashboard as calc
from indicators.dashboard import Table, plain_number
from indicators.figures import FigureCalls
from indicators.models import Indicator, Observation, Plan, Target, area_key_for, period_label
from indicators.services import format_value
from indicators.versions import ACTIVITY_DATA, INDICATOR_DATA
from regions.models import Municipality, Prefecture, Region

VENUE = "consultation_venue"
VENUE_REGIONS = "consultation_venue_regions"
VENUE_MUNICIPALITIES = "consultation_venue_municipalities"
VENUE_CODES = (VENUE, VENUE_REGIONS, VENUE_MUNICIPALITIES)


class UnknownRegion(LookupError):
    """The region code is not one of the prefecture's regions."""


def portal_prefecture() -> Prefecture:
    return Prefecture.objects.get(code=settings.PORTAL_PREFECTURE_CODE)


@dataclass(frozen=True)
class Value:
    """One observation as the dashboard uses it."""

    indicator_id: int
    area_key: str
    when: date
    value: Decimal
    label: str
    provenance: str

    @property
    def point(self) -> calc.Point:
        return calc.Point(self.when, self.value)


@dataclass
class TargetCell(calc.StatusDisplay):
    plan: Plan | None
    target: Target | None = None
    inherited: bool = False  # the prefecture's target applied to a region (rates only)
    status: str = calc.NO_TARGET
    gap: str = ""
    progress: calc.Progress | None = None
    target_text: str = ""


@dataclass
class StatusRow:
    indicator: Indicator
    latest: Value | None
    cells: list[TargetCell]
    basis: TargetCell | None

    @property
    def latest_text(self) -> str:
        return _value_text(self.latest.value, self.indicator) if self.latest else ""


@dataclass
class PaceRow:
    indicator: Indicator
    cell: TargetCell
    target_passed: bool = False  # the target's 年度 has ended (today)

    @property
    def progress(self) -> calc.Progress:
        return self.cell.progress

    @property
    def target_text(self) -> str:
        return self.cell.target_text

    @property
    def latest_text(self) -> str:
        latest = self.progress.latest
        return _value_text(latest.value, self.indicator) if latest else ""

    def _pace(self, value) -> str:
        return calc.pace_text(
            value,
            unit=self.indicator.unit,
            places=max(1, self.indicator.decimal_places),
            is_percent=self.indicator.value_type == Indicator.ValueType.PERCENT,
        )

    @property
    def observed_text(self) -> str:
        return self._pace(self.progress.observed_per_year)

    @property
    def needed_text(self) -> str:
        return self._pace(self.progress.needed_per_year)


@dataclass
class Chart:
    key: str
    title: str
    indicators: list[Indicator]
    figure: dict
    table: Table
    region_table: Table | None
    pace_rows: list[PaceRow]
    has_data: bool
    area_has_data: bool  # the selected area itself (not only the prefecture shown beside a region)

    @property
    def dom_id(self) -> str:
        return f"figure-{self.key}"


@dataclass
class MatrixCell(calc.StatusDisplay):
    value: Value | None
    text: str
    status: str
    inherited: bool


@dataclass
class MatrixRow:
    region: Region
    cells: list[MatrixCell]
    selected: bool


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


@dataclass
class Overview:
    prefecture: Prefecture
    fiscal_year: int
    region: Region | None
    regions: list[Region]
    plans: list[Plan]
    selected_plans: list[Plan]
    basis_plan: Plan | None
    years: list[int]
    status_rows: list[StatusRow]
    charts: list[Chart]
    matrix_indicators: list[Indicator]
    matrix: list[MatrixRow]
    coverage: Coverage
    activity: activity.Activity | None  # None until dashboard_overview adds it
    tables: dict[str, Table]
    # What the page's sections are cached under (dashboard.html): both parts' keys.
    cache_key: str = ""

    @property
    def area_label(self) -> str:
        return self.region.full_name if self.region else f"{self.prefecture.name}全体"


def _value_text(value, indicator: Indicator) -> str:
    text = format_value(value, indicator)
    if indicator.value_type == Indicator.ValueType.YES_NO:
        return text
    return f"{text}{indicator.unit}"


def _target_text(target: Target, indicator: Indicator) -> str:
    text = format_value(target.value, indicator, as_entered=True)
    return f"{text}{indicator.unit}{target.get_comparator_display()}"


def _default_basis(plans: list[Plan], fiscal_year: int) -> Plan | None:
    """The prefecture's own plan covering the year, else its latest plan begun by then, else any plan."""
    own = [p for p in plans if p.issuer == Plan.Issuer.PREFECTURE]
    for plan in own:
        if plan.first_fiscal_year <= fiscal_year <= plan.last_fiscal_year:
            return plan
    started = [p for p in own if p.first_fiscal_year <= fiscal_year]
    if started:
        return max(started, key=lambda p: p.last_fiscal_year)
    return own[0] if own else (plans[0] if plans else None)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "chart"


class _Targets:
    """The final target of each plan for an indicator and area, with the rates' fall-back to the prefecture."""

    def __init__(self, targets: list[Target], prefecture_key: str):
        self.prefecture_key = prefecture_key
        self.by_key: dict[tuple[int, int, str], Target] = {}
        for target in sorted(targets, key=lambda t: t.fiscal_year):
            self.by_key[(target.indicator_id, target.plan_id, target.area_key)] = target

    def find(self, indicator: Indicator, plan: Plan, area_key: str) -> tuple[Target | None, bool]:
        target = self.by_key.get((indicator.pk, plan.pk, area_key))
        if target is not None or area_key == self.prefecture_key or not indicator.is_rate:
            return target, False
        target = self.by_key.get((indicator.pk, plan.pk, self.prefecture_key))
        return target, target is not None


def _cell(
    indicator: Indicator, plan: Plan, targets: _Targets, area_key: str, series: list[Value]
) -> TargetCell:
    target, inherited = targets.find(indicator, plan, area_key)
    cell = TargetCell(plan=plan, target=target, inherited=inherited)
    if target is not None:
        cell.target_text = _target_text(target, indicator)
    latest = series[-1] if series else None
    is_percent = indicator.value_type == Indicator.ValueType.PERCENT
    if target is None:
        cell.status = calc.NO_DATA if latest is None else calc.NO_TARGET
        return cell
    cell.status = calc.status_of(
        latest.value if latest else None, target.value, target.comparator, is_percent=is_percent
    )
    if latest is not None:
        cell.gap = calc.gap_text(
            latest.value,
            target.value,
            target.comparator,
            unit=indicator.unit,
            places=indicator.decimal_places,
            is_percent=is_percent,
        )
    cell.progress = calc.progress(
        [v.point for v in series],
        target=target.value,
        comparator=target.comparator,
        target_fiscal_year=target.fiscal_year,
    )
    return cell


# How long a computed dashboard is kept. It is keyed on the data versions, so this only bounds the
# memory of combinations nobody asks for again.
CACHE_SECONDS = 6 * 3600


def _cache_key(kind: str, *parts) -> str:
    return f"dashboard-{kind}:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def dashboard_overview(
    *,
    fiscal_year: int,
    region_code: str | None = None,
    basis_plan_id: int | None = None,
    plan_ids: list[int] | None = None,
    prefecture: Prefecture | None = None,
    today: date | None = None,
) -> Overview:
    """The whole dashboard for one 年度 (values up to its end) and one area (the prefecture, or the region
    whose code is `region_code`; UnknownRegion if it is not one of the prefecture's).

    Most of its time is Python turning twenty years of values into tables and charts, the same for
    every request until the data changes; so the indicator part and the activity part are each
    cached, keyed on what they are for and on the version of the data they are computed from
    (indicators.versions: raised in the transaction of every write to those tables). The versions
    are read before the data, so an entry never holds data older than its key says.
    """
    prefecture = prefecture or portal_prefecture()
    today = today or timezone.localdate()
    indicator_version, activity_version = versions.current(INDICATOR_DATA, ACTIVITY_DATA)
    indicators_key = _cache_key(
        "indicators",
        prefecture.pk,
        fiscal_year,
        region_code,
        basis_plan_id,
        tuple(plan_ids or ()),
        today,
        indicator_version,
    )
    overview = cache.get(indicators_key)
    if overview is None:
        overview = _indicator_overview(
            prefecture=prefecture,
            fiscal_year=fiscal_year,
            region_code=region_code,
            basis_plan_id=basis_plan_id,
            plan_ids=plan_ids,
            today=today,
        )
        for table in overview.tables.values():
            table.body_html  # noqa: B018 (built now, to be kept in the cache with the table)
        cache.set(indicators_key, overview, CACHE_SECONDS)

    region = overview.region
    activity_key = _cache_key(
        "activity", prefecture.pk, fiscal_year, region and region.pk, today, activity_version
    )
    act = cache.get(activity_key)
    if act is None:
        act = activity.region_activity(
            prefecture=prefecture,
            regions=overview.regions,
            fiscal_year=fiscal_year,
            region=region,
            today=today,
        )
        act.table.body_html  # noqa: B018
        cache.set(activity_key, act, CACHE_SECONDS)
    overview.activity = act
    overview.tables["activity"] = act.table
    overview.cache_key = _cache_key("page", indicators_key, activity_key)
    return overview


def _indicator_overview(
    *,
    fiscal_year: int,
    region_code: str | None,
    basis_plan_id: int | None,
    plan_ids: list[int] | None,
    prefecture: Prefecture,
    today: date,
) -> Overview:
    """The dashboard without its activity part (see dashboard_overview)."""
    regions = list(Region.objects.filter(prefecture=prefecture).order_by("display_order", "code"))
    region = None
    if region_code:
        region = next((r for r in regions if r.code == region_code), None)
        if region is None:
            raise UnknownRegion(region_code)
    region_by_key = {area_key_for(prefecture=prefecture, region=r): r for r in regions}
    pref_key = area_key_for(prefecture=prefecture)
    area_key = area_key_for(prefecture=prefecture, region=region) if region else pref_key
    year_end = fiscal.fiscal_year_range(fiscal_year)[1]

    indicators = {i.pk: i for i in Indicator.objects.filter(is_active=True)}
    by_code = {i.code: i for i in indicators.values()}
    all_targets = [
        t
        for t in Target.objects.filter(prefecture=prefecture, municipality__isnull=True).select_related(
            "plan"
        )
        if t.indicator_id in indicators
    ]
    plans = sorted({t.plan for t in all_targets}, key=lambda p: (p.first_fiscal_year, p.issuer, p.name))
    plan_by_id = {p.pk: p for p in plans}
    selected_plans = [plan_by_id[i] for i in plan_ids or [] if i in plan_by_id] or plans
    basis_plan = plan_by_id.get(basis_plan_id) or _default_basis(plans, fiscal_year)
    if basis_plan and basis_plan not in selected_plans:
        selected_plans = [basis_plan, *selected_plans]
    selected_plans.sort(key=lambda p: (p is not basis_plan, p.first_fiscal_year, p.name))
    targets = _Targets(all_targets, pref_key)

    target_indicators = sorted(
        {indicators[t.indicator_id] for t in all_targets}, key=lambda i: (i.display_order, i.code)
    )
    wanted = {i.pk for i in target_indicators}
    values: dict[tuple[int, str], list[Value]] = defaultdict(list)
    # By area key (the prefecture and its regions), which the (indicator, area, period end) index
    # serves on both databases; "prefecture and no municipality" led SQLite's planner to the
    # municipality index, i.e. every prefecture- and region-level value in the country (bench/CHANGES.md).
    rows = (
        Observation.objects.filter(
            area_key__in=[pref_key, *region_by_key],
            indicator_id__in=wanted,
            period_end__lte=year_end,
        )
        .order_by()
        .values("indicator_id", "area_key", "period_kind", "fiscal_year", "as_of", "value", "provenance")
    )
    for row in rows:
        indicator = indicators[row["indicator_id"]]
        values[(row["indicator_id"], row["area_key"])].append(_value(row, indicator))
    for series in values.values():
        series.sort(key=lambda v: v.when)

    status_rows = []
    for indicator in target_indicators:
        series = values.get((indicator.pk, area_key), [])
        cells = [_cell(indicator, plan, targets, area_key, series) for plan in selected_plans]
        basis = next((c for c in cells if c.plan == basis_plan), None)
        status_rows.append(StatusRow(indicator, series[-1] if series else None, cells, basis))

    charts = _charts(
        target_indicators,
        values=values,
        targets=targets,
        selected_plans=selected_plans,
        basis_plan=basis_plan,
        area_key=area_key,
        pref_key=pref_key,
        region=region,
        regions=regions,
        prefecture=prefecture,
        today=today,
    )

    region_keys = set(region_by_key)
    with_region_values = {i for (i, key) in values if key in region_keys}
    with_region_targets = {t.indicator_id for t in all_targets if t.area_key in region_keys}
    matrix_indicators = [
        i for i in target_indicators if i.is_rate or i.pk in with_region_values or i.pk in with_region_targets
    ]
    matrix = []
    for r in regions:
        key = area_key_for(prefecture=prefecture, region=r)
        cells = []
        for indicator in matrix_indicators:
            series = values.get((indicator.pk, key), [])
            cell = _cell(indicator, basis_plan, targets, key, series) if basis_plan else TargetCell(plan=None)
            latest = series[-1] if series else None
            cells.append(
                MatrixCell(
                    value=latest,
                    text=_value_text(latest.value, indicator) if latest else "",
                    status=cell.status if latest else calc.NO_DATA,
                    inherited=cell.inherited,
                )
            )
        matrix.append(MatrixRow(region=r, cells=cells, selected=region is not None and r.pk == region.pk))

    coverage = _coverage(prefecture, regions, region_by_key, by_code, year_end)
    years = _years(prefecture, fiscal_year, today)

    overview = Overview(
        prefecture=prefecture,
        fiscal_year=fiscal_year,
        region=region,
        regions=regions,
        plans=plans,
        selected_plans=selected_plans,
        basis_plan=basis_plan,
        years=years,
        status_rows=status_rows,
        charts=charts,
        matrix_indicators=matrix_indicators,
        matrix=matrix,
        coverage=coverage,
        activity=None,
        tables={},
    )
    overview.tables = _tables(overview)
    return overview


def _value(row: dict, indicator: Indicator) -> Value:
    when = calc.reference_date(
        kind=row["period_kind"],
        year=row["fiscal_year"],
        as_of=row["as_of"],
        survey_month=indicator.survey_month,
        survey_day=indicator.survey_day,
    )
    label = period_label(row["period_kind"], row["fiscal_year"], row["as_of"])
    if row["as_of"] is None and indicator.survey_month and row["period_kind"] != "fiscal_year":
        label = f"{label}（{when.month}月{when.day}日時点）"
    return Value(row["indicator_id"], row["area_key"], when, row["value"], label, row["provenance"])


def _years(prefecture: Prefecture, fiscal_year: int, today: date) -> list[int]:
    stored = set(
        Observation.objects.filter(prefecture=prefecture)
        .order_by()
        .values_list("fiscal_year", flat=True)
        .distinct()
    )
    return sorted(stored | {fiscal_year, fiscal.fiscal_year_of(today)}, reverse=True)


# --- charts ----------------------------------------------------------------------------------------

PALETTE = ["#1d4e89", "#c0392b", "#1e8449", "#8e44ad", "#d35400", "#16a085", "#7f8c8d"]
TARGET_DASHES = ["dash", "dot", "dashdot", "longdash"]


def _charts(
    target_indicators,
    *,
    values,
    targets,
    selected_plans,
    basis_plan,
    area_key,
    pref_key,
    region,
    regions,
    prefecture,
    today,
):
    groups: dict[str, list[Indicator]] = {}
    for indicator in target_indicators:
        groups.setdefault(indicator.chart_title, []).append(indicator)
    area_keys = [area_key] if region is None else [area_key, pref_key]
    area_names = {pref_key: f"{prefecture.name}全体"}
    if region is not None:
        area_names[area_key] = region.full_name
    charts = []
    for title, members in groups.items():
        key = _slug(members[0].code)
        charts.append(
            _chart(
                key,
                title,
                members,
                values=values,
                targets=targets,
                selected_plans=selected_plans,
                basis_plan=basis_plan,
                area_keys=area_keys,
                area_names=area_names,
                regions=regions,
                prefecture=prefecture,
                today=today,
            )
        )
    return charts


def _wareki_ticks(dates: list[date]) -> dict:
    """Year ticks labelled in 和暦 with the Western year (H26(2014) … R5(2023)), at most about ten."""
    if not dates:
        return {}
    first, last = min(dates).year, max(dates).year + 1
    step = max(1, -(-(last - first) // 10))
    years = list(range(first, last + 1, step))
    return {
        "tickmode": "array",
        "tickvals": [date(y, 1, 1).isoformat() for y in years],
        "ticktext": [f"{fiscal.wareki_year(y, short=True)}({y})" for y in years],
    }


def _chart(
    key,
    title,
    members,
    *,
    values,
    targets,
    selected_plans,
    basis_plan,
    area_keys,
    area_names,
    regions,
    prefecture,
    today,
):
    figure = FigureCalls()
    units = {m.unit for m in members}
    unit = units.pop() if len(units) == 1 else ""
    header = ["時点"]
    columns: list[tuple[Indicator, str]] = []
    for area in area_keys:
        for indicator in members:
            columns.append((indicator, area))
            name = indicator.name_ja if len(area_keys) == 1 else f"{indicator.name_ja}（{area_names[area]}）"
            header.append(f"{name}（{indicator.unit}）" if indicator.unit else name)
    by_when: dict[date, dict[int, Value]] = defaultdict(dict)
    all_dates: list[date] = []
    has_data = False
    for index, (indicator, area) in enumerate(columns):
        series = values.get((indicator.pk, area), [])
        has_data = has_data or bool(series)
        for v in series:
            by_when[v.when][index] = v
            all_dates.append(v.when)
        colour = PALETTE[members.index(indicator) % len(PALETTE)]
        is_main = area == area_keys[0]
        figure.add_trace(
            "Scatter",
            x=[v.when.isoformat() for v in series],
            y=[plain_number(v.value) for v in series],
            text=[v.label for v in series],
            mode="lines+markers",
            name=header[index + 1],
            line={"color": colour, "width": 2 if is_main else 1, "dash": "solid" if is_main else "dot"},
            marker={"size": 8 if is_main else 6},
            hovertemplate="%{text}: %{y}<extra>%{fullData.name}</extra>",
        )
    rows = []
    for when in sorted(by_when):
        cells = by_when[when]
        label = next(iter(cells.values())).label
        rows.append(
            [label, *(plain_number(cells[i].value) if i in cells else "" for i in range(len(columns)))]
        )
    symbols = ["star", "diamond-open", "square-open", "x-thin-open", "triangle-up-open"]
    for plan_index, plan in enumerate(selected_plans):
        plan_row = [f"目標：{plan.name}"]
        symbol = symbols[0] if plan == basis_plan else symbols[1 + plan_index % (len(symbols) - 1)]
        shown = False
        for indicator, area in columns:
            target, _ = targets.find(indicator, plan, area)
            plan_row.append(plain_number(target.value) if target else "")
            if target is None or area != area_keys[0]:
                continue
            due = calc.target_due_date(target.fiscal_year)
            all_dates.append(due)
            colour = PALETTE[members.index(indicator) % len(PALETTE)]
            if not shown:  # one legend entry per plan; colours say which indicator
                figure.add_trace(
                    "Scatter",
                    x=[None],
                    y=[None],
                    mode="markers",
                    name=f"目標（{plan.name}）",
                    legendgroup=f"plan-{plan.pk}",
                    marker={"symbol": symbol, "size": 12, "color": "#555555"},
                )
                shown = True
            figure.add_trace(
                "Scatter",
                x=[due.isoformat()],
                y=[plain_number(target.value)],
                mode="markers",
                name=f"目標 {indicator.name_ja}（{plan.name}）",
                legendgroup=f"plan-{plan.pk}",
                showlegend=False,
                marker={"symbol": symbol, "size": 13 if plan == basis_plan else 11, "color": colour},
                hovertemplate=(
                    f"{indicator.name_ja}<br>{fiscal.fiscal_year_label(target.fiscal_year)}末の目標: "
                    f"%{{y}}{indicator.unit}{target.get_comparator_display()}<extra>{plan.name}</extra>"
                ),
            )
            series = values.get((indicator.pk, area), [])
            if (
                plan == basis_plan
                and series
                and series[-1].when < due
                and calc.shortfall(series[-1].value, target.value, target.comparator) > 0
            ):
                latest = series[-1]
                figure.add_trace(
                    "Scatter",
                    x=[latest.when.isoformat(), due.isoformat()],
                    y=[plain_number(latest.value), plain_number(target.value)],
                    mode="lines",
                    line={"color": colour, "width": 1, "dash": "dash"},
                    name=f"目標までの必要な推移 {indicator.name_ja}",
                    showlegend=False,
                    hoverinfo="skip",
                )
        if shown:
            rows.append(plan_row)
    figure.update_layout(
        margin={"l": 80, "r": 20, "t": 20, "b": 40},
        height=380,
        font={"family": "IPAexGothic, Noto Sans CJK JP, sans-serif", "size": 12},
        yaxis={
            "title": {"text": unit, "standoff": 14},
            "rangemode": "tozero",
            "gridcolor": "#e5e5e5",
            "tickformat": ",",
        },
        xaxis={"type": "date", "gridcolor": "#e5e5e5", **_wareki_ticks(all_dates)},
        legend={"orientation": "h", "y": -0.15},
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        hovermode="closest",
    )
    data = figure.data()
    table = Table(key=f"chart-{key}", title=title, header=header, rows=rows)
    region_table = _region_table(key, title, members, values, regions, prefecture)

    pace_rows = []
    if basis_plan is not None:
        for indicator in members:
            series = values.get((indicator.pk, area_keys[0]), [])
            cell = _cell(indicator, basis_plan, targets, area_keys[0], series)
            if cell.target is not None:
                pace_rows.append(PaceRow(indicator, cell, target_passed=cell.progress.due < today))
    area_has_data = any(values.get((m.pk, area_keys[0])) for m in members)
    return Chart(key, title, members, data, table, region_table, pace_rows, has_data, area_has_data)


def _region_table(key, title, members, values, regions, prefecture) -> Table | None:
    header = ["圏域", "時点", *(f"{m.name_ja}（{m.unit}）" if m.unit else m.name_ja for m in members)]
    rows = []
    for r in regions:
        rkey = area_key_for(prefecture=prefecture, region=r)
        by_when: dict[date, dict[int, Value]] = defaultdict(dict)
        for index, indicator in enumerate(members):
            for v in values.get((indicator.pk, rkey), []):
                by_when[v.when][index] = v
        for when in sorted(by_when):
            cells = by_when[when]
            label = next(iter(cells.values())).label
            rows.append(
                [
                    r.full_name,
                    label,
                    *(plain_number(cells[i].value) if i in cells else "" for i in range(len(members))),
                ]
            )
    if not rows:
        return None
    return Table(key=f"chart-{key}-regions", title=f"{title}（圏域別）", header=header, rows=rows)


# --- 協議の場 ------------------------------------------------------------------------------------


def _coverage(prefecture, regions, region_by_key, by_code, year_end) -> Coverage:
    municipalities = list(
        Municipality.objects.filter(prefecture=prefecture).select_related("region").order_by("code")
    )
    ids = [by_code[c].pk for c in VENUE_CODES if c in by_code]
    latest: dict[tuple[int, str], tuple[date, Decimal, str]] = {}
    rows = (
        Observation.objects.filter(prefecture=prefecture, indicator_id__in=ids, period_end__lte=year_end)
        .order_by("period_end", "pk")
        .values_list("indicator_id", "area_key", "period_end", "value", "period_kind", "fiscal_year", "as_of")
    )
    for indicator_id, key, period_end, value, kind, year, as_of in rows:
        latest[(indicator_id, key)] = (period_end, value, period_label(kind, year, as_of))

    def get(code, key):
        indicator = by_code.get(code)
        return latest.get((indicator.pk, key)) if indicator else None

    def newest(items) -> str:
        items = [i for i in items if i]
        return max(items, key=lambda i: i[0])[2] if items else ""

    pref_key = area_key_for(prefecture=prefecture)
    pref_venue = get(VENUE, pref_key)
    prefecture_has = None if pref_venue is None else pref_venue[1] > 0

    per_region = [get(VENUE, key) for key in region_by_key]
    if regions and all(per_region):
        regions_without = [region_by_key[k] for k in region_by_key if get(VENUE, k)[1] <= 0]
        regions_with = len(regions) - len(regions_without)
        regions_source = f"圏域ごとの記録から集計（{newest(per_region)}まで）"
    else:
        regions_without = []
        total = get(VENUE_REGIONS, pref_key)
        regions_with = int(total[1]) if total else None
        regions_source = f"県の集計値（{total[2]}）" if total else "未把握"

    recorded, per_municipality = {}, []
    for m in municipalities:
        item = get(VENUE, area_key_for(prefecture=prefecture, municipality=m))
        if item is not None:
            recorded[m.pk] = item[1] > 0
            per_municipality.append(item)
    without = [m for m in municipalities if recorded.get(m.pk) is False]
    unknown = [m for m in municipalities if m.pk not in recorded]
    aggregate = get(VENUE_MUNICIPALITIES, pref_key)
    mismatch = ""
    if not unknown and municipalities:
        municipalities_with = len(municipalities) - len(without)
        municipalities_source = f"市町村ごとの記録から集計（{newest(per_municipality)}まで）"
        if aggregate is not None and int(aggregate[1]) != municipalities_with:
            mismatch = (
                f"県の集計値（{int(aggregate[1])}市町村・{aggregate[2]}）と市町村ごとの記録"
                f"（{municipalities_with}市町村）が一致しません。時点の違いがないか確認してください。"
            )
    else:
        municipalities_with = int(aggregate[1]) if aggregate else None
        municipalities_source = f"県の集計値（{aggregate[2]}）" if aggregate else "未把握"
    return Coverage(
        prefecture_has=prefecture_has,
        prefecture_label={True: "有", False: "無", None: "未把握"}[prefecture_has],
        prefecture_source=pref_venue[2] if pref_venue else "",
        regions_with=regions_with,
        regions_total=len(regions),
        regions_without=regions_without,
        regions_source=regions_source,
        municipalities_with=municipalities_with,
        municipalities_total=len(municipalities),
        municipalities_source=municipalities_source,
        municipalities_without=without,
        municipalities_unknown=unknown,
        mismatch=mismatch,
    )


# --- downloadable tables ---------------------------------------------------------------------------


def _tables(overview: Overview) -> dict[str, Table]:
    tables: dict[str, Table] = {}
    header = ["指標", "地域", "最新値", "単位", "時点", "出典"]
    for plan in overview.selected_plans:
        header += [
            f"目標（{plan.name}）",
            f"目標年度（{plan.name}）",
            f"差（{plan.name}）",
            f"状況（{plan.name}）",
        ]
    status = Table("status", "目標に対する状況", header)
    for row in overview.status_rows:
        line = [
            row.indicator.name_ja,
            overview.area_label,
            plain_number(row.latest.value) if row.latest else "",
            row.indicator.unit,
            row.latest.label if row.latest else "",
            row.latest.provenance if row.latest else "",
        ]
        for cell in row.cells:
            if cell.target is None:
                line += ["", "", "", cell.status_label]
            else:
                target_text = cell.target_text
                if cell.inherited:
                    target_text += "（県の目標）"
                line += [
                    target_text,
                    fiscal.fiscal_year_label(cell.target.fiscal_year),
                    cell.gap,
                    cell.status_label,
                ]
        status.rows.append(line)
    tables[status.key] = status

    pace = Table(
        "pace",
        "目標までのペース",
        [
            "指標",
            "地域",
            "計画",
            "最新値",
            "目標",
            "目標までの差",
            "これまでのペース（年あたり）",
            "必要なペース（年あたり）",
            "見込み",
        ],
    )
    for chart in overview.charts:
        for row in chart.pace_rows:
            p = row.progress
            pace.rows.append(
                [
                    row.indicator.name_ja,
                    overview.area_label,
                    row.cell.plan.name,
                    plain_number(p.latest.value) if p.latest else "",
                    row.target_text,
                    plain_number(p.remaining) if p.remaining is not None and p.remaining > 0 else 0,
                    _round(p.observed_per_year),
                    _round(p.needed_per_year),
                    p.statement,
                ]
            )
    tables[pace.key] = pace

    matrix = Table(
        "matrix",
        "圏域別の状況",
        [
            "圏域",
            *(f"{i.name_ja}（{i.unit}）" if i.unit else i.name_ja for i in overview.matrix_indicators),
            "基準とした計画",
        ],
    )
    for mrow in overview.matrix:
        matrix.rows.append(
            [
                mrow.region.full_name,
                *(f"{c.text} {c.status_label}" if c.value else c.status_label for c in mrow.cells),
                overview.basis_plan.name if overview.basis_plan else "",
            ]
        )
    tables[matrix.key] = matrix

    cov = overview.coverage
    coverage = Table("coverage", "協議の場の設置状況", ["区分", "設置", "対象", "根拠", "設置していない地域"])
    coverage.rows.append(["都道府県", cov.prefecture_label, 1, "", ""])
    coverage.rows.append(
        [
            "障害保健福祉圏域",
            cov.regions_with if cov.regions_with is not None else "未把握",
            cov.regions_total,
            cov.regions_source,
            "、".join(r.full_name for r in cov.regions_without),
        ]
    )
    coverage.rows.append(
        [
            "市町村",
            cov.municipalities_with if cov.municipalities_with is not None else "未把握",
            cov.municipalities_total,
            cov.municipalities_source,
            "、".join(m.name for m in cov.municipalities_without) if cov.without_known else "未把握",
        ]
    )
    tables[coverage.key] = coverage

    for chart in overview.charts:
        tables[chart.table.key] = chart.table
        if chart.region_table:
            tables[chart.region_table.key] = chart.region_table
    return tables


def _round(value: Decimal | None):
    return "" if value is None else float(round(value, 1))
