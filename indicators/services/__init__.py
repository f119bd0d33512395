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
from core.records import check_version, insert_or_conflict
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
    version: int | None = None,
) -> Observation:
    """Create or update the value of `indicator` for one area and period (a person's save is tracked).

    `version`: what the edit form was loaded with (StaleVersionError when the value was saved since);
    None for callers that record a value whatever is stored (the create form, imports of part 1).
    """
    period = period_from_text(period_text)
    area_key = area_key_for(prefecture=prefecture, region=region, municipality=municipality)
    stored = Observation.objects.filter(indicator=indicator, area_key=area_key, period_key=period.key)
    obs = stored.select_for_update().first()
    values = {
        "prefecture": prefecture,
        "region": region,
        "municipality": municipality,
        "period_kind": period.kind,
        "fiscal_year": period.fiscal_year,
        "as_of": period.as_of,
        "period_end": period.period_end,
        "value": stored_value(value),
        "provenance": provenance,
        "note": note,
    }
    if obs is None:
        obs = Observation(indicator=indicator, area_key=area_key, period_key=period.key, **values)
        obs.created_by = by if getattr(by, "pk", None) else None
        _mark_edited(obs, by)
        obs.full_clean()
        insert_or_conflict(obs, stored=stored.first)
        history.record_create(by=by, instance=obs)
        return obs
    check_version(obs, version)
    before = history.snapshot(obs)
    for name, new in values.items():
        setattr(obs, name, new)
    if history.diff(before, history.snapshot(obs)):
        _mark_edited(obs, by)
        obs.full_clean()
        obs.version += 1
        obs.save()
        history.record_update(by=by, instance=obs, before=before)
    return obs


@transaction.atomic
def target_update(
    *,
    by,
    target: Target,
    value: Decimal,
    comparator: str,
    note: str | None = None,
    version: int | None = None,
) -> Target:
    """Change a target's value; `version` as in `observation_record`."""
    target = Target.objects.select_for_update().select_related("indicator", "plan").get(pk=target.pk)
    check_version(target, version)
    before = history.snapshot(target)
    target.value = stored_value(value)
    target.comparator = comparator
    if note is not None:
        target.note = note
    if history.diff(before, history.snapshot(target)):
        _mark_edited(target, by)
        target.full_clean()
        target.version += 1
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


# --- value rules shared by the forms and the import ---------------------------------------------

MAX_ABS_VALUE = Decimal("99999999999")  # Observation.value: 14 digits, 3 of them decimals
VALUE_PLACES = 3


def stored_value(value) -> Decimal:
    """A value as the database gives it back (three decimals): 56 typed over a stored 56.000 is no change."""
    return Decimal(value).quantize(Decimal(1).scaleb(-VALUE_PLACES))


def value_error(indicator: Indicator, value: Decimal) -> str | None:
    """Why `value` cannot be a value of `indicator` (Japanese), or None when it can.

    Percentages 0–100, yes/no 0 or 1, every other number ≥ 0; at most three decimals.
    """
    if not value.is_finite():
        return "数値ではありません。"
    if value.as_tuple().exponent < -VALUE_PLACES and value != value.quantize(Decimal("0.001")):
        return f"小数点以下は{VALUE_PLACES}桁までです。"
    if abs(value) > MAX_ABS_VALUE:
        return "値が大きすぎます。"
    if indicator.value_type == Indicator.ValueType.PERCENT and not 0 <= value <= 100:
        return "割合は0～100の範囲で入力してください。"
    if indicator.value_type == Indicator.ValueType.YES_NO and value not in (0, 1):
        return "有・無は1（有）か0（無）で入力してください。"
    if value < 0:
        return "負の数は入力できません。"
    return None


# --- indicators, plans and targets --------------------------------------------------------------

INDICATOR_FIELDS = (
    "code",
    "name_ja",
    "unit",
    "value_type",
    "decimal_places",
    "direction",
    "definition",
    "usual_source",
    "part_of",
    "denominator",
    "survey_month",
    "survey_day",
    "chart_group",
    "display_order",
    "is_active",
)
PLAN_FIELDS = ("name", "issuer", "first_fiscal_year", "last_fiscal_year")


def _save_tracked(instance, *, by, fields, data, stored=None) -> bool:
    """Set `fields` from `data`, validate, save and record history; returns whether anything changed.

    A new record is inserted with `insert_or_conflict` (`stored` finds the row a racing save created);
    a record with a `version` gets the next one when something changed.
    """
    creating = instance.pk is None
    before = None if creating else history.snapshot(instance)
    for name in fields:
        if name in data:
            setattr(instance, name, data[name])
    instance.full_clean()
    if creating:
        insert_or_conflict(instance, stored=stored or (lambda: None))
        history.record_create(by=by, instance=instance)
        return True
    if not history.diff(before, history.snapshot(instance)):
        return False
    if hasattr(instance, "version"):
        instance.version += 1
    instance.save()
    history.record_update(by=by, instance=instance, before=before)
    return True


@transaction.atomic
def indicator_create(*, by, **data) -> Indicator:
    """A new indicator definition (e.g. 再入院率): it is data, the dashboard shows it once it has targets."""
    indicator = Indicator()
    stored = Indicator.objects.filter(code=data.get("code")).first
    _save_tracked(indicator, by=by, fields=INDICATOR_FIELDS, data=data, stored=stored)
    return indicator


@transaction.atomic
def indicator_update(*, by, indicator: Indicator, version: int | None = None, **data) -> Indicator:
    """Change a definition; StaleVersionError when it was saved since the form loaded `version`."""
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    check_version(indicator, version)
    _save_tracked(indicator, by=by, fields=INDICATOR_FIELDS, data=data)
    return indicator


@transaction.atomic
def plan_create(*, by, **data):
    from indicators.models import Plan

    plan = Plan()
    _save_tracked(
        plan, by=by, fields=PLAN_FIELDS, data=data, stored=Plan.objects.filter(name=data.get("name")).first
    )
    return plan


@transaction.atomic
def plan_update(*, by, plan, **data):
    _save_tracked(plan, by=by, fields=PLAN_FIELDS, data=data)
    return plan


@transaction.atomic
def target_record(
    *,
    by,
    indicator: Indicator,
    plan,
    prefecture,
    fiscal_year: int,
    value: Decimal,
    comparator: str,
    note: str = "",
    region=None,
    municipality=None,
    version: int | None = None,
) -> tuple[Target, bool]:
    """Create the plan's target for one indicator, area and 年度, or update it; returns (target, created).

    `version` as in `observation_record`; a first save racing another raises StaleVersionError.
    """
    area_key = area_key_for(prefecture=prefecture, region=region, municipality=municipality)
    stored = Target.objects.filter(indicator=indicator, plan=plan, area_key=area_key, fiscal_year=fiscal_year)
    target = stored.select_for_update().first()
    if target is not None:
        updated = target_update(
            by=by, target=target, value=value, comparator=comparator, note=note, version=version
        )
        return updated, False
    target = Target(
        indicator=indicator,
        plan=plan,
        prefecture=prefecture,
        region=region,
        municipality=municipality,
        area_key=area_key,
        fiscal_year=fiscal_year,
        value=stored_value(value),
        comparator=comparator,
        note=note,
    )
    _mark_edited(target, by)
    target.full_clean()
    insert_or_conflict(target, stored=stored.first)
    history.record_create(by=by, instance=target)
    return target, True


@transaction.atomic
def observation_delete(*, by, observation: Observation) -> None:
    """Remove a value (e.g. a municipality's 協議の場 status set to 未把握), keeping the history."""
    from core.models import ChangeRecord

    history.record_change(
        by=by,
        instance=observation,
        action=ChangeRecord.Action.DELETE,
        changes=history.diff(history.snapshot(observation), {}, labels=history.field_labels(Observation)),
    )
    observation.delete()


@transaction.atomic
def venue_statuses_save(
    *, by, prefecture, indicator: Indicator, period_text: str, statuses: dict, provenance: str = ""
) -> dict[str, int]:
    """Per-municipality 協議の場 有 (True) / 無 (False) / 未把握 (None) for one period.

    Returns how many were created, updated, removed. 未把握 removes a value recorded for that period.
    """
    period = period_from_text(period_text)
    existing = {
        o.municipality_id: o
        for o in Observation.objects.filter(
            indicator=indicator, prefecture=prefecture, municipality__isnull=False, period_key=period.key
        )
    }
    counts = {"created": 0, "updated": 0, "removed": 0}
    for municipality, status in statuses.items():
        current = existing.get(municipality.pk)
        if status is None:
            if current is not None:
                observation_delete(by=by, observation=current)
                counts["removed"] += 1
            continue
        value = Decimal(1 if status else 0)
        if current is not None and current.value == value and current.provenance == provenance:
            continue
        observation_record(
            by=by,
            indicator=indicator,
            prefecture=prefecture,
            municipality=municipality,
            period_text=period_text,
            value=value,
            provenance=provenance,
            note=current.note if current else "",
        )
        counts["updated" if current else "created"] += 1
    return counts
