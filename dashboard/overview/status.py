"""The status table: each indicator's latest value against each selected plan's target."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard import progress
from dashboard.overview.series import Series, Targets, Value, value_cell, value_text
from indicators import values
from indicators.models import Indicator, Plan, Target
from national.comparison import NationalStanding


@dataclass
class TargetCell(values.StatusDisplay):
    plan: Plan | None
    target: Target | None = None
    inherited: bool = False  # the prefecture's target applied to a region (rates only)
    status: str = values.NO_TARGET
    gap: str = ""
    progress: progress.Progress | None = None
    target_text: str = ""
    latest: Value | None = None  # the value judged (the gap is hidden with it when it is a small count)
    first: Value | None = None  # the first of the series (the observed pace is worked out from both)

    @property
    def gap_cell(self):
        """The gap in words, or a Hidden cell with the value (the target minus the gap gives it)."""
        return self.latest.cell(self.gap) if self.latest is not None and self.gap else self.gap


@dataclass
class StatusRow:
    indicator: Indicator
    latest: Value | None
    cells: list[TargetCell]
    basis: TargetCell | None
    # 全国's value and the prefecture's rank for the latest period both have (national.comparison);
    # None when there is no such period up to the 年度 shown. Set by dashboard.overview.build.
    national: NationalStanding | None = None

    @property
    def latest_text(self) -> str:
        return value_text(self.latest.value, self.indicator) if self.latest else ""

    @property
    def latest_cell(self):
        """`latest_text`, or a Hidden cell (a small count: indicators.small_counts)."""
        return value_cell(self.latest, self.indicator) if self.latest else ""


def target_cell(
    indicator: Indicator, plan: Plan, targets: Targets, area_key: str, series: list[Value]
) -> TargetCell:
    """The latest value of `series` against `plan`'s target: status, gap in words, progress."""
    target, inherited = targets.find(indicator, plan, area_key)
    latest = series[-1] if series else None
    first = series[0] if series else None
    cell = TargetCell(plan=plan, target=target, inherited=inherited, latest=latest, first=first)
    if target is not None:
        cell.target_text = values.target_text(target, indicator)
    is_percent = indicator.value_type == Indicator.ValueType.PERCENT
    if target is None:
        cell.status = values.NO_DATA if latest is None else values.NO_TARGET
        return cell
    cell.status = values.status_of(
        latest.value if latest else None, target.value, target.comparator, is_percent=is_percent
    )
    if latest is not None:
        cell.gap = values.gap_text(
            latest.value,
            target.value,
            target.comparator,
            unit=indicator.unit,
            places=indicator.decimal_places,
            is_percent=is_percent,
        )
    cell.progress = progress.progress(
        [v.point for v in series],
        target=target.value,
        comparator=target.comparator,
        target_fiscal_year=target.fiscal_year,
    )
    return cell


def status_rows(
    target_indicators: list[Indicator],
    *,
    series: Series,
    targets: Targets,
    selected_plans: list[Plan],
    basis_plan: Plan | None,
    area_key: str,
) -> list[StatusRow]:
    rows = []
    for indicator in target_indicators:
        found = series.get((indicator.pk, area_key), [])
        cells = [target_cell(indicator, plan, targets, area_key, found) for plan in selected_plans]
        basis = next((c for c in cells if c.plan == basis_plan), None)
        rows.append(StatusRow(indicator, found[-1] if found else None, cells, basis))
    return rows
