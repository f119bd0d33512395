"""What an overview is computed from: every value of the indicators with targets, as dated series per
(indicator, area), and the plans' targets with the rates' fall-back to the prefecture's target.

One query for the values (none per region, year or indicator); the targets come with the plans.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dashboard import progress
from dashboard.table import plain_number
from indicators.models import Indicator, Observation, period_label
from indicators.small_counts import CountsPattern, Hidden
from indicators.standing import Targets  # noqa: F401  (the overview's modules import it from here)
from indicators.suppression import HIDDEN_MARK
from indicators.values import format_value


@dataclass(frozen=True)
class Value:
    """One observation as the dashboard uses it."""

    indicator_id: int
    area_key: str
    when: date
    value: Decimal
    label: str
    provenance: str
    period_end: date | None = None  # the stored period's end: what its freshness is judged from
    hidden: bool = False  # a small count the published view hides (indicators.small_counts)
    region_id: int | None = None  # whose staff see it anyway (set when hidden)
    whole_fiscal_year: bool = False  # stands for a whole 年度 (`when` is then its last day)

    @property
    def point(self) -> progress.Point:
        return progress.Point(self.when, self.value)

    def cell(self, text, *, public=HIDDEN_MARK):
        """`text` (the value as shown), or a Hidden cell when the value is hidden."""
        return Hidden(plain_number(self.value), text, self.region_id, public) if self.hidden else text


Series = dict[tuple[int, str], list[Value]]  # (indicator id, area key) -> values, oldest first


def value_text(value, indicator: Indicator) -> str:
    text = format_value(value, indicator)
    if indicator.value_type == Indicator.ValueType.YES_NO:
        return text
    return f"{text}{indicator.unit}"


def value_cell(value: Value, indicator: Indicator):
    """The value with its unit as the page shows it, or a Hidden cell (small_counts.Reader.show)."""
    return value.cell(value_text(value.value, indicator))


def value_from_row(row: dict, indicator: Indicator, pattern: CountsPattern | None = None) -> Value:
    when = progress.reference_date(
        kind=row["period_kind"],
        year=row["fiscal_year"],
        as_of=row["as_of"],
        survey_month=indicator.survey_month,
        survey_day=indicator.survey_day,
    )
    label = period_label(row["period_kind"], row["fiscal_year"], row["as_of"])
    if row["as_of"] is None and indicator.survey_month and row["period_kind"] != "fiscal_year":
        label = f"{label}（{when.month}月{when.day}日時点）"
    period_end = row.get("period_end")
    hidden = pattern is not None and pattern.hides(indicator, row["area_key"], period_end, row["value"])
    return Value(
        row["indicator_id"],
        row["area_key"],
        when,
        row["value"],
        label,
        row["provenance"],
        period_end=period_end,
        hidden=hidden,
        region_id=pattern.region_of_area.get(row["area_key"]) if hidden else None,
        whole_fiscal_year=(
            row["period_kind"] == "fiscal_year" and row["as_of"] is None and not indicator.survey_month
        ),
    )


def load_series(
    indicators: dict[int, Indicator],
    wanted: set[int],
    area_keys: list[str],
    year_end: date,
    pattern: CountsPattern | None = None,
) -> Series:
    """The values of the `wanted` indicators for `area_keys`, up to `year_end` (one query); with the
    small counts' `pattern`, each value says whether the published view hides it."""
    values: Series = defaultdict(list)
    # By area key (the prefecture and its regions), which the (indicator, area, period end) index
    # serves on both databases; "prefecture and no municipality" led SQLite's planner to the
    # municipality index, i.e. every prefecture- and region-level value in the country (bench/CHANGES.md).
    rows = (
        Observation.objects.filter(
            area_key__in=area_keys,
            indicator_id__in=wanted,
            period_end__lte=year_end,
        )
        .order_by()
        .values(
            "indicator_id",
            "area_key",
            "period_kind",
            "fiscal_year",
            "as_of",
            "period_end",
            "value",
            "provenance",
        )
    )
    for row in rows:
        indicator = indicators[row["indicator_id"]]
        values[(row["indicator_id"], row["area_key"])].append(value_from_row(row, indicator, pattern))
    for series in values.values():
        series.sort(key=lambda v: v.when)
    return values
