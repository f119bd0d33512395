"""The charts: one per chart group (an indicator and its parts share one), values over time with each
selected plan's target under its 年度, the data as a table beside it, and the basis plan's pace."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from core import fiscal
from dashboard.figures import FigureCalls
from dashboard.overview.pace import PaceRow, pace_rows
from dashboard.overview.series import Series, Targets, Value
from dashboard.table import Table, plain_number
from indicators.models import Indicator, Plan, area_key_for
from regions.models import Prefecture, Region

PALETTE = ["#1d4e89", "#c0392b", "#1e8449", "#8e44ad", "#d35400", "#16a085", "#7f8c8d"]
TARGET_DASHES = ["dash", "dot", "dashdot", "longdash"]
TARGET_SYMBOLS = ["star", "diamond-open", "square-open", "x-thin-open", "triangle-up-open"]


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

    @property
    def has_hidden(self) -> bool:
        """Some value of its tables is a small count (not drawn on the chart)."""
        return self.table.has_hidden or bool(self.region_table and self.region_table.has_hidden)


@dataclass(frozen=True)
class ChartSpec:
    """What every chart of one overview is drawn from: the data, the plans compared and the areas shown."""

    series: Series
    targets: Targets
    selected_plans: list[Plan]
    basis_plan: Plan | None
    area_keys: list[str]  # the selected area first; the prefecture's beside a region
    area_names: dict[str, str]
    regions: list[Region]
    prefecture: Prefecture
    today: date

    @classmethod
    def for_area(
        cls, prefecture, regions, region, series, targets, selected_plans, basis_plan, *, today
    ) -> ChartSpec:
        """Charts of the prefecture, or of `region` with the prefecture's values beside it."""
        pref_key = area_key_for(prefecture=prefecture)
        area_names = {pref_key: f"{prefecture.name}全体"}
        area_keys = [pref_key]
        if region is not None:
            area_key = area_key_for(prefecture=prefecture, region=region)
            area_names[area_key] = region.full_name
            area_keys = [area_key, pref_key]
        return cls(
            series,
            targets,
            selected_plans,
            basis_plan,
            area_keys=area_keys,
            area_names=area_names,
            regions=regions,
            prefecture=prefecture,
            today=today,
        )

    @property
    def main_area(self) -> str:
        return self.area_keys[0]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "chart"


def charts(target_indicators: list[Indicator], spec: ChartSpec) -> list[Chart]:
    groups: dict[str, list[Indicator]] = {}
    for indicator in target_indicators:
        groups.setdefault(indicator.chart_title, []).append(indicator)
    return [chart(spec, _slug(members[0].code), title, members) for title, members in groups.items()]


def chart(spec: ChartSpec, key: str, title: str, members: list[Indicator]) -> Chart:
    figure = FigureCalls()
    units = {m.unit for m in members}
    unit = units.pop() if len(units) == 1 else ""
    columns, header = _columns(spec, members)
    rows, all_dates, has_data = _value_traces(figure, spec, members, columns, header)
    rows += _target_traces(figure, spec, members, columns, all_dates)
    _layout(figure, unit, all_dates)
    data = figure.data()
    table = Table(key=f"chart-{key}", title=title, header=header, rows=rows)
    region_table = _region_table(key, title, members, spec.series, spec.regions, spec.prefecture)
    paces = pace_rows(
        members,
        series=spec.series,
        targets=spec.targets,
        basis_plan=spec.basis_plan,
        area_key=spec.main_area,
        today=spec.today,
    )
    area_has_data = any(spec.series.get((m.pk, spec.main_area)) for m in members)
    return Chart(key, title, members, data, table, region_table, paces, has_data, area_has_data)


def _columns(spec: ChartSpec, members: list[Indicator]) -> tuple[list[tuple[Indicator, str]], list[str]]:
    """(indicator, area key) per data column, and the table's header (時点 first)."""
    header = ["時点"]
    columns: list[tuple[Indicator, str]] = []
    for area in spec.area_keys:
        for indicator in members:
            columns.append((indicator, area))
            name = (
                indicator.name_ja
                if len(spec.area_keys) == 1
                else f"{indicator.name_ja}（{spec.area_names[area]}）"
            )
            header.append(f"{name}（{indicator.unit}）" if indicator.unit else name)
    return columns, header


def _value_traces(figure, spec: ChartSpec, members, columns, header) -> tuple[list[list], list[date], bool]:
    """A line per column (the selected area's solid, the prefecture's dotted); the table's value rows."""
    by_when: dict[date, dict[int, Value]] = defaultdict(dict)
    all_dates: list[date] = []
    has_data = False
    for index, (indicator, area) in enumerate(columns):
        series = spec.series.get((indicator.pk, area), [])
        has_data = has_data or bool(series)
        for v in series:
            by_when[v.when][index] = v
        colour = PALETTE[members.index(indicator) % len(PALETTE)]
        is_main = area == spec.main_area
        plotted = [v for v in series if not v.hidden]  # a chart never draws a hidden small count
        all_dates.extend(plot_date(v) for v in plotted)
        figure.add_trace(
            "Scatter",
            x=[plot_date(v).isoformat() for v in plotted],
            y=[plain_number(v.value) for v in plotted],
            text=[v.label for v in plotted],
            # A line only joins observed values: one value is a point, not the start of a trend.
            mode="lines+markers" if len(plotted) > 1 else "markers",
            name=header[index + 1],
            line={"color": colour, "width": 2 if is_main else 1, "dash": "solid" if is_main else "dot"},
            marker={"size": 8 if is_main else 6},
            hovertemplate="%{text}: %{y}<extra>%{fullData.name}</extra>",
        )
    rows = []
    for when in sorted(by_when):
        cells = by_when[when]
        label = next(iter(cells.values())).label
        rows.append([label, *(_number_cell(cells[i]) if i in cells else "" for i in range(len(columns)))])
    return rows, all_dates, has_data


def plot_date(value: Value) -> date:
    """Where a value is drawn: a whole 年度's value in the middle of that 年度 (under its tick, see
    `_wareki_ticks`), not on its last day — on 3月31日 a 平成29年度 value sat beside the tick of 2018 and
    read as 「H30(2018)」. A value of a day (630調査: 6月30日, 令和3年6月) is drawn on that day."""
    if value.whole_fiscal_year:
        return fiscal_year_middle(fiscal.fiscal_year_of(value.when))
    return value.when


def fiscal_year_middle(fiscal_year: int) -> date:
    """The day a 年度's tick stands on: 10月1日, half-way through it."""
    return date(fiscal_year, 10, 1)


def _number_cell(value: Value):
    """The value as a table cell: a plain number, or a Hidden cell (a small count)."""
    return value.cell(plain_number(value.value))


def _target_traces(figure, spec: ChartSpec, members, columns, all_dates: list[date]) -> list[list]:
    """Each plan's targets as markers under the tick of their 年度 (one legend entry per plan; colours say
    which indicator), never joined by a line to an observed value (a dashed line from a single value to a
    target read as a trend); a table row per plan with targets. The pace table states the needed pace."""
    rows = []
    for plan_index, plan in enumerate(spec.selected_plans):
        plan_row = [f"目標：{plan.name}"]
        is_basis = plan == spec.basis_plan
        symbol = TARGET_SYMBOLS[0] if is_basis else TARGET_SYMBOLS[1 + plan_index % (len(TARGET_SYMBOLS) - 1)]
        shown = False
        for indicator, area in columns:
            target, _ = spec.targets.find(indicator, plan, area)
            plan_row.append(plain_number(target.value) if target else "")
            if target is None or area != spec.main_area:
                continue
            at = fiscal_year_middle(target.fiscal_year)
            all_dates.append(at)
            colour = PALETTE[members.index(indicator) % len(PALETTE)]
            if not shown:
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
            _target_marker(
                figure, indicator, plan, target, at, symbol=symbol, colour=colour, is_basis=is_basis
            )
        if shown:
            rows.append(plan_row)
    return rows


def _target_marker(figure, indicator, plan, target, at: date, *, symbol: str, colour: str, is_basis: bool):
    figure.add_trace(
        "Scatter",
        x=[at.isoformat()],
        y=[plain_number(target.value)],
        mode="markers",
        name=f"目標 {indicator.name_ja}（{plan.name}）",
        legendgroup=f"plan-{plan.pk}",
        showlegend=False,
        marker={"symbol": symbol, "size": 13 if is_basis else 11, "color": colour},
        hovertemplate=(
            f"{indicator.name_ja}<br>{fiscal.fiscal_year_label(target.fiscal_year)}末の目標: "
            f"%{{y}}{indicator.unit}{target.get_comparator_display()}<extra>{plan.name}</extra>"
        ),
    )


def _layout(figure, unit: str, all_dates: list[date]) -> None:
    # No width: the chart takes its container's (autosize, charts.js draws with responsive); automargin
    # gives the tick labels the room they need at 390 px instead of cutting them.
    figure.update_layout(
        autosize=True,
        margin={"l": 50, "r": 10, "t": 20, "b": 40},
        height=380,
        font={"family": "IPAexGothic, Noto Sans CJK JP, sans-serif", "size": 12},
        yaxis={
            "title": {"text": unit, "standoff": 10},
            "automargin": True,
            "rangemode": "tozero",
            "gridcolor": "#e5e5e5",
            "tickformat": ",",
        },
        xaxis={
            "type": "date",
            "automargin": True,
            "gridcolor": "#e5e5e5",
            **_wareki_ticks(all_dates),
        },
        legend={"orientation": "h", "y": -0.15},
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        hovermode="closest",
    )


def _wareki_ticks(dates: list[date]) -> dict:
    """A tick per 年度 in the middle of it, labelled by that 年度 alone (H29 … R5: short enough for a phone;
    the hover and the table beside the chart say the full period), at most about ten; the axis runs from
    the first 年度's start to the last one's end, so every point sits inside the 年度 it measures."""
    if not dates:
        return {}
    first, last = fiscal.fiscal_year_of(min(dates)), fiscal.fiscal_year_of(max(dates))
    step = max(1, -(-(last - first + 1) // 10))
    years = list(range(first, last + 1, step))
    return {
        "tickmode": "array",
        "tickvals": [fiscal_year_middle(y).isoformat() for y in years],
        "ticktext": [fiscal.wareki_year(y, short=True) for y in years],
        "range": [
            fiscal.fiscal_year_range(first)[0].isoformat(),
            fiscal.fiscal_year_range(last)[1].isoformat(),
        ],
    }


def _region_table(key, title, members, series: Series, regions, prefecture) -> Table | None:
    header = ["圏域", "時点", *(f"{m.name_ja}（{m.unit}）" if m.unit else m.name_ja for m in members)]
    rows = []
    for r in regions:
        rkey = area_key_for(prefecture=prefecture, region=r)
        by_when: dict[date, dict[int, Value]] = defaultdict(dict)
        for index, indicator in enumerate(members):
            for v in series.get((indicator.pk, rkey), []):
                by_when[v.when][index] = v
        for when in sorted(by_when):
            cells = by_when[when]
            label = next(iter(cells.values())).label
            rows.append(
                [
                    r.full_name,
                    label,
                    *(_number_cell(cells[i]) if i in cells else "" for i in range(len(members))),
                ]
            )
    if not rows:
        return None
    return Table(key=f"chart-{key}-regions", title=f"{title}（圏域別）", header=header, rows=rows)
