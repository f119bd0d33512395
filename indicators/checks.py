"""Sum checks: does a total agree with its parts (the values of 長期在院者 and of its 65歳以上 and
65歳未満, the targets likewise)? Read by the sheet, which flags the figures that do not add up, and by
the validation rules (`indicators.validation`): parts adding up to more than their total refuse a
value, parts that are all present and do not add up ask for confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from core import fiscal
from indicators.models import Indicator, Observation
from indicators.values import format_value, parts_by_total


@dataclass(frozen=True)
class SumCheck:
    total: Observation
    parts: list[Observation]
    missing: list[Indicator]

    @property
    def parts_sum(self) -> Decimal:
        return sum((p.value for p in self.parts), Decimal(0))

    @property
    def ok(self) -> bool:
        return not self.missing and self.parts_sum == self.total.value

    @property
    def message(self) -> str:
        indicator = self.total.indicator
        if self.missing:
            names = "、".join(i.name_ja for i in self.missing)
            return f"{indicator.name_ja}（{self.total.period_label}）の内訳 {names} がありません。"
        return (
            f"{indicator.name_ja}（{self.total.period_label}）: 内訳の合計 "
            f"{format_value(self.parts_sum, indicator)} {indicator.unit} が合計 "
            f"{format_value(self.total.value, indicator)} {indicator.unit} と一致しません"
            f"（差 {format_value(self.parts_sum - self.total.value, indicator)}）。"
        )

    @property
    def exceeds(self) -> bool:
        """The parts present add up to more than the total: no breakdown can (missing parts or not)."""
        return self.parts_sum > self.total.value

    @property
    def excess_message(self) -> str:
        indicator = self.total.indicator
        parts = "、".join(
            f"{p.indicator.name_ja} {format_value(p.value, p.indicator)} {p.indicator.unit}"
            for p in self.parts
        )
        return (
            f"{indicator.name_ja}（{self.total.period_label}）: 内訳（{parts}）の合計 "
            f"{format_value(self.parts_sum, indicator)} {indicator.unit} が合計 "
            f"{format_value(self.total.value, indicator)} {indicator.unit} を超えています。"
        )


def sum_checks(observations, indicators) -> list[SumCheck]:
    """For every observation whose indicator has parts, compare it with its parts at the same area and period.

    `observations` is an iterable already fetched (no queries here); `indicators` the definitions with
    their `part_of` ids, so the check needs no further queries.
    """
    by_key = {(o.indicator_id, o.area_key, o.period_key): o for o in observations}
    parts_of = parts_by_total(indicators)
    return [check for obs in by_key.values() if (check := sum_check_of(obs, by_key, parts_of))]


def sum_check_of(total: Observation, by_key: dict, parts_of: dict[int, list[Indicator]]) -> SumCheck | None:
    """`total` against its parts at the same area and period in `by_key` ((indicator id, area key,
    period key) → observation); None when its indicator has no parts. No queries: every observation
    in `by_key` holds its indicator already."""
    children = parts_of.get(total.indicator_id)
    if not children:
        return None
    found, missing = [], []
    for child in children:
        part = by_key.get((child.pk, total.area_key, total.period_key))
        (found.append(part) if part else missing.append(child))
    return SumCheck(total=total, parts=found, missing=missing)


def target_sum_mismatches(targets, indicators) -> list[str]:
    """Targets whose parts (same plan, area, year) do not add up to the total target."""
    by_key = {(t.indicator_id, t.area_key, t.fiscal_year, t.plan_id): t for t in targets}
    parts_of = parts_by_total(indicators)
    messages = []
    for (indicator_id, area_key, year, plan_id), total in by_key.items():
        children = parts_of.get(indicator_id)
        if not children:
            continue
        parts = [by_key.get((c.pk, area_key, year, plan_id)) for c in children]
        if any(p is None for p in parts):
            continue
        parts_sum = sum((p.value for p in parts), Decimal(0))
        if parts_sum != total.value:
            ind = total.indicator
            messages.append(
                f"{ind.name_ja}の目標（{fiscal.fiscal_year_label(year, short=True)}）: 内訳の合計 "
                f"{format_value(parts_sum, ind)} {ind.unit} が目標 {format_value(total.value, ind)} {ind.unit} と一致しません。"
            )
    return messages
