"""The region matrix: every region's latest value of each indicator against the basis plan's target."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.overview.series import Series, Targets, Value, value_text
from dashboard.overview.status import TargetCell, target_cell
from indicators import values
from indicators.models import Indicator, Plan, Target, area_key_for
from regions.models import Prefecture, Region


@dataclass
class MatrixCell(values.StatusDisplay):
    value: Value | None
    text: str
    status: str
    inherited: bool
    indicator: Indicator | None = None

    @property
    def text_cell(self):
        """`text`, or a Hidden cell (a small count: indicators.small_counts)."""
        return self.value.cell(self.text) if self.value is not None else self.text


@dataclass
class MatrixRow:
    region: Region
    cells: list[MatrixCell]
    selected: bool


def matrix_indicators(
    target_indicators: list[Indicator], series: Series, all_targets: list[Target], region_keys: set[str]
) -> list[Indicator]:
    """The rates (whose prefecture target applies to every region) and what regions have values or targets for."""
    with_region_values = {i for (i, key) in series if key in region_keys}
    with_region_targets = {t.indicator_id for t in all_targets if t.area_key in region_keys}
    return [
        i for i in target_indicators if i.is_rate or i.pk in with_region_values or i.pk in with_region_targets
    ]


def region_matrix(
    indicators: list[Indicator],
    *,
    series: Series,
    targets: Targets,
    basis_plan: Plan | None,
    prefecture: Prefecture,
    regions: list[Region],
    region: Region | None,
) -> list[MatrixRow]:
    matrix = []
    for r in regions:
        key = area_key_for(prefecture=prefecture, region=r)
        cells = []
        for indicator in indicators:
            found = series.get((indicator.pk, key), [])
            cell = (
                target_cell(indicator, basis_plan, targets, key, found)
                if basis_plan
                else TargetCell(plan=None)
            )
            latest = found[-1] if found else None
            cells.append(
                MatrixCell(
                    value=latest,
                    text=value_text(latest.value, indicator) if latest else "",
                    status=cell.status if latest else values.NO_DATA,
                    inherited=cell.inherited,
                    indicator=indicator,
                )
            )
        matrix.append(MatrixRow(region=r, cells=cells, selected=region is not None and r.pk == region.pk))
    return matrix
