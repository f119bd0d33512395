"""Writes (keyword-only `<entity>_<action>` functions) and the small computations every reader of
indicators shares: shares from counts, sum checks, gap to target, value formatting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from core import fiscal, history
from indicators.models import Indicator, Observation, Target, area_key_for


@dataclass(frozen=True)
class Period:
    kind: str
    fiscal_year: int
    as_of: date | None
    period_end: date
    key: str


def period_from_text(text: str) -> Period:
    """A typed period from the sheet's wording: H29年度, R3年6月, R3年6月30日, H26年 (PeriodParseError if not)."""
    parsed = fiscal.parse_period(text)
    if parsed.kind == "fiscal_year":
        return Period(
            "fiscal_year", parsed.year, None, fiscal.fiscal_year_range(parsed.year)[1], f"fy:{parsed.year}"
        )
    if parsed.kind == "year":
        return Period("year", parsed.year, None, date(parsed.year, 12, 31), f"year:{parsed.year}")
    day = parsed.as_date()
    if parsed.kind == "month":
        return Period("month", fiscal.fiscal_year_of(day), day, day, f"month:{day:%Y-%m}")
    return Period("date", fiscal.fiscal_year_of(day), day, day, f"date:{day:%Y-%m-%d}")


def period_text_of(observation: Observation) -> str:
    """The inverse of period_from_text, in the short form officials type (R3年6月, H29年度)."""
    if observation.period_kind == "fiscal_year":
        return fiscal.fiscal_year_label(observation.fiscal_year, short=True)
    if observation.period_kind == "year":
        return f"{fiscal.wareki_year(observation.fiscal_year, short=True)}年"
    day = observation.as_of
    era = fiscal.era_for_date(day)
    base = f"{era.letter}{era.year_of(day.year)}年{day.month}月"
    return base if observation.period_kind == "month" else f"{base}{day.day}日"


# --- writes -------------------------------------------------------------------------------------


def _mark_edited(instance, by) -> None:
    if getattr(by, "pk", None):
        instance.edited_by = by
        instance.edited_at = timezone.now()


@transaction.atomic
def observation_record(
    *,
    by,
    indicator: Indicator,
    prefecture,
    period_text: str,
    value: Decimal,
    provenance: str = "",
    note: str = "",
    region=None,
    municipality=None,
) -> Observation:
    """Create or update the value of `indicator` for one area and period (a person's save is tracked)."""
    period = period_from_text(period_text)
    area_key = area_key_for(prefecture=prefecture, region=region, municipality=municipality)
    obs = Observation.objects.filter(indicator=indicator, area_key=area_key, period_key=period.key).first()
    values = {
        "prefecture": prefecture,
        "region": region,
        "municipality": municipality,
        "period_kind": period.kind,
        "fiscal_year": period.fiscal_year,
        "as_of": period.as_of,
        "period_end": period.period_end,
        "value": Decimal(value),
        "provenance": provenance,
        "note": note,
    }
    if obs is None:
        obs = Observation(indicator=indicator, area_key=area_key, period_key=period.key, **values)
        obs.created_by = by if getattr(by, "pk", None) else None
        _mark_edited(obs, by)
        obs.full_clean()
        obs.save()
        history.record_create(by=by, instance=obs)
        return obs
    before = history.snapshot(obs)
    for name, new in values.items():
        setattr(obs, name, new)
    if history.diff(before, history.snapshot(obs)):
        _mark_edited(obs, by)
        obs.full_clean()
        obs.save()
        history.record_update(by=by, instance=obs, before=before)
    return obs


@transaction.atomic
def target_update(*, by, target: Target, value: Decimal, comparator: str, note: str | None = None) -> Target:
    before = history.snapshot(target)
    target.value = Decimal(value)
    target.comparator = comparator
    if note is not None:
        target.note = note
    if history.diff(before, history.snapshot(target)):
        _mark_edited(target, by)
        target.full_clean()
        target.save()
        history.record_update(by=by, instance=target, before=before)
    return target


# --- computations -------------------------------------------------------------------------------


def share_percent(part, whole, *, places: int = 1) -> Decimal | None:
    """part / whole as a percentage rounded half-up: 728 / 5111 → 14.2. None when whole is 0 or missing."""
    if part is None or whole in (None, 0):
        return None
    quantum = Decimal(1).scaleb(-places)
    return (Decimal(part) * 100 / Decimal(whole)).quantize(quantum, rounding=ROUND_HALF_UP)


def format_value(value, indicator: Indicator, *, as_entered: bool = False) -> str:
    """Value with the indicator's decimals and thousands separators: 5111 → 5,111; 48.6 → 48.6.

    `as_entered` shows only the decimals the value has (targets: 56 → 56, 68.9 → 68.9).
    """
    if value is None:
        return ""
    if indicator.value_type == Indicator.ValueType.YES_NO:
        return "有" if Decimal(value) > 0 else "無"
    if as_entered:
        normal = Decimal(value).normalize()
        places = max(0, -normal.as_tuple().exponent)
        return f"{normal:,.{places}f}"
    quantum = Decimal(1).scaleb(-indicator.decimal_places)
    rounded = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    return f"{rounded:,.{indicator.decimal_places}f}"


def gap_to_target(value, target: Target) -> Decimal | None:
    """How far the value is from the target in the good direction (positive = met with margin)."""
    if value is None or target is None:
        return None
    diff = Decimal(value) - target.value
    return diff if target.comparator == Target.Comparator.GTE else -diff


def target_met(value, target: Target) -> bool | None:
    gap = gap_to_target(value, target)
    return None if gap is None else gap >= 0


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


def sum_checks(observations, indicators) -> list[SumCheck]:
    """For every observation whose indicator has parts, compare it with its parts at the same area and period.

    `observations` is an iterable already fetched (no queries here); `indicators` the definitions with
    their `part_of` ids, so the check needs no further queries.
    """
    by_key = {(o.indicator_id, o.area_key, o.period_key): o for o in observations}
    parts_of: dict[int, list[Indicator]] = {}
    for indicator in indicators:
        if indicator.part_of_id:
            parts_of.setdefault(indicator.part_of_id, []).append(indicator)
    checks = []
    for obs in by_key.values():
        children = parts_of.get(obs.indicator_id)
        if not children:
            continue
        found, missing = [], []
        for child in children:
            part = by_key.get((child.pk, obs.area_key, obs.period_key))
            (found.append(part) if part else missing.append(child))
        checks.append(SumCheck(total=obs, parts=found, missing=missing))
    return checks


def target_sum_mismatches(targets, indicators) -> list[str]:
    """Targets whose parts (same plan, area, year) do not add up to the total target."""
    by_key = {(t.indicator_id, t.area_key, t.fiscal_year, t.plan_id): t for t in targets}
    parts_of: dict[int, list[Indicator]] = {}
    for indicator in indicators:
        if indicator.part_of_id:
            parts_of.setdefault(indicator.part_of_id, []).append(indicator)
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
