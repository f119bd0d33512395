"""The pace table under each chart: the basis plan's target, the pace so far and the pace needed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dashboard import progress
from dashboard.overview.series import Series, Targets, value_text
from dashboard.overview.status import TargetCell, target_cell
from indicators.models import Indicator, Plan


@dataclass
class PaceRow:
    indicator: Indicator
    cell: TargetCell
    target_passed: bool = False  # the target's 年度 has ended (today)

    @property
    def progress(self) -> progress.Progress:
        return self.cell.progress

    @property
    def target_text(self) -> str:
        return self.cell.target_text

    @property
    def latest_text(self) -> str:
        latest = self.progress.latest
        return value_text(latest.value, self.indicator) if latest else ""

    @staticmethod
    def hidden_with(text, *sources):
        """`text`, or a Hidden cell when a value it is worked out from is a small count (the gap and
        the paces would give the value back)."""
        if text in ("", None):
            return text
        hidden = next((v for v in sources if v is not None and v.hidden), None)
        return hidden.cell(text) if hidden is not None else text

    @property
    def latest_cell(self):
        return self.hidden_with(self.latest_text, self.cell.latest)

    @property
    def gap_cell(self):
        return self.hidden_with(self.cell.gap, self.cell.latest)

    @property
    def observed_cell(self):
        return self.hidden_with(self.observed_text, self.cell.latest, self.cell.first)

    @property
    def needed_cell(self):
        return self.hidden_with(self.needed_text, self.cell.latest)

    def _pace(self, value) -> str:
        return progress.pace_text(
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


def pace_rows(
    members: list[Indicator],
    *,
    series: Series,
    targets: Targets,
    basis_plan: Plan | None,
    area_key: str,
    today: date,
) -> list[PaceRow]:
    """One row per indicator of a chart that has a target in the basis plan."""
    rows = []
    if basis_plan is not None:
        for indicator in members:
            found = series.get((indicator.pk, area_key), [])
            cell = target_cell(indicator, basis_plan, targets, area_key, found)
            if cell.target is not None:
                rows.append(PaceRow(indicator, cell, target_passed=cell.progress.due < today))
    return rows
