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
from indicators.models import Indicator, Observation, period_label
from indicators.standing import Targets  # noqa: F401  (the overview's modules import it from here)
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

    @property
    def point(self) -> progress.Point:
        return progress.Point(self.when, self.value)


Series = dict[tuple[int, str], list[Value]]  # (indicator id, area key) -> values, oldest first


def value_text(value, indicator: Indicator) -> str:
    text = format_value(value, indicator)
    if indicator.value_type == Indicator.ValueType.YES_NO:
        return text
    return f"{text}{indicator.unit}"


def value_from_row(row: dict, indicator: Indicator) -> Value:
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
    return Value(
        row["indicator_id"],
        row["area_key"],
        when,
        row["value"],
        label,
        row["provenance"],
        row.get("period_end"),
    )


def load_series(
    indicators: dict[int, Indicator], wanted: set[int], area_keys: list[str], year_end: date
) -> Series:
    """The values of the `wanted` indicators for `area_keys`, up to `year_end` (one query)."""
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
        values[(row["indicator_id"], row["area_key"])].append(value_from_row(row, indicator))
    for series in values.values():
        series.sort(key=lambda v: v.when)
    return values
