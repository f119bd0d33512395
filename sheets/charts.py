"""The sheet's two charts, drawn on the server (core.svgcharts) from indicator observations and targets.

- discharge rates at 3 / 6 / 12 months: each fiscal year with data as bars, each plan's targets as lines;
- long-stay (≥ 1 year) inpatients over the years, with the plan's target and its target year.

Both read only stored rows (two queries); nothing is typed into a template.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.safestring import SafeString

from core import fiscal
from core.svgcharts import BarSeries, LineSeries, TargetLine, TargetSeries, grouped_bar_chart, line_chart
from indicators import small_counts
from indicators.models import Indicator, Observation, Target, area_key_for

DISCHARGE_CODES = ("discharge_rate_3m", "discharge_rate_6m", "discharge_rate_12m")
DISCHARGE_LABELS = ("入院後3か月時点", "入院後6か月時点", "入院後1年時点")
LONG_STAY_CODE = "inpatients_1y_plus"


@dataclass(frozen=True)
class SheetCharts:
    discharge: SafeString | None
    long_stay: SafeString | None
    discharge_caption: str = "退院率（実績と目標）"
    long_stay_caption: str = "1年以上の長期在院者数（実績と目標）"
    hidden_points: int = 0  # a region's small counts, left out (indicators.small_counts)

    def __bool__(self) -> bool:
        return bool(self.discharge or self.long_stay)


def _short_year(year: int) -> str:
    return fiscal.wareki_year(year, short=True)


def sheet_charts(*, prefecture, reference_date, region=None) -> SheetCharts:
    """The charts for an area (the prefecture, or one region) with data up to `reference_date`."""
    area_key = area_key_for(prefecture=prefecture, region=region)
    codes = (*DISCHARGE_CODES, LONG_STAY_CODE)
    observations = list(
        Observation.objects.filter(
            area_key=area_key, indicator__code__in=codes, period_end__lte=reference_date
        )
        .select_related("indicator")
        .order_by("period_end", "pk")
    )
    targets = list(
        Target.objects.filter(area_key=area_key, indicator__code__in=codes)
        .select_related("indicator", "plan")
        .order_by("fiscal_year", "plan__first_fiscal_year", "plan__name")
    )
    read = len(observations)
    if region is not None and any(o.indicator.counts_people for o in observations):
        # A chart never draws a small count the published view hides (one query for the table).
        pattern = small_counts.pattern_for(prefecture)
        observations = [
            o for o in observations if not pattern.hides(o.indicator, area_key, o.period_end, o.value)
        ]
    return SheetCharts(
        discharge=_discharge_chart(observations, targets),
        long_stay=_long_stay_chart(observations, targets),
        hidden_points=read - len(observations),
    )


def _discharge_chart(observations: list[Observation], targets: list[Target]) -> SafeString | None:
    by_year: dict[int, dict[str, float]] = {}
    provenance: dict[int, str] = {}
    for obs in observations:
        if obs.indicator.code in DISCHARGE_CODES:
            by_year.setdefault(obs.fiscal_year, {})[obs.indicator.code] = float(obs.value)
            provenance.setdefault(obs.fiscal_year, _source_name(obs.provenance))
    if not by_year:
        return None
    series = [
        BarSeries(
            f"{fiscal.fiscal_year_label(year, short=True)}実績{f'（{provenance[year]}）' if provenance[year] else ''}",
            [values.get(code) for code in DISCHARGE_CODES],
        )
        for year, values in sorted(by_year.items())
    ]
    plans: dict[tuple[int, int], dict[str, float]] = {}
    plan_labels: dict[tuple[int, int], str] = {}
    for target in targets:
        if target.indicator.code in DISCHARGE_CODES:
            key = (target.plan_id, target.fiscal_year)
            plans.setdefault(key, {})[target.indicator.code] = float(target.value)
            plan_labels[key] = (
                f"{fiscal.fiscal_year_label(target.fiscal_year, short=True)}目標（{target.plan.name}）"
            )
    target_series = [
        TargetSeries(plan_labels[key], [values.get(code) for code in DISCHARGE_CODES])
        for key, values in plans.items()
    ]
    return grouped_bar_chart(
        categories=DISCHARGE_LABELS,
        series=series,
        targets=target_series,
        title="退院率（実績と目標）",
        unit="%",
        y_max=100,
        width=470,
        height=250 + 15 * max(len(target_series) - 1, 0),
    )


def _long_stay_chart(observations: list[Observation], targets: list[Target]) -> SafeString | None:
    points = [
        (obs.fiscal_year, float(obs.value)) for obs in observations if obs.indicator.code == LONG_STAY_CODE
    ]
    if not points:
        return None
    indicator: Indicator = next(o.indicator for o in observations if o.indicator.code == LONG_STAY_CODE)
    # One point per year: the latest observation of that year wins.
    points = sorted(dict(points).items())
    long_stay_targets = [t for t in targets if t.indicator.code == LONG_STAY_CODE]
    latest_year = points[-1][0]
    upcoming = [t for t in long_stay_targets if t.fiscal_year >= latest_year] or long_stay_targets
    target_lines = [
        TargetLine(
            f"{fiscal.fiscal_year_label(t.fiscal_year, short=True)}末目標（{t.plan.name}）", float(t.value)
        )
        for t in upcoming
    ]
    target_year = max((t.fiscal_year for t in upcoming), default=None)
    return line_chart(
        series=[LineSeries(indicator.name_ja, points)],
        targets=target_lines,
        target_x=target_year,
        target_x_label=f"目標年 {fiscal.fiscal_year_label(target_year, short=True)}末" if target_year else "",
        x_label=_short_year,
        title="1年以上の長期在院者数（実績と目標）",
        unit=indicator.unit,
        width=470,
        height=250 + 15 * max(len(target_lines) - 1, 0),
    )


def _source_name(provenance: str) -> str:
    """「NDB（H29年度）」 → 「NDB」: the legend already names the year."""
    return provenance.split("（", 1)[0].strip()[:20]
