"""The number vocabulary every reader of indicators shares: periods, value formatting, shares from
counts, the gap to a target and the status it gives, the default basis plan, the parts of an indicator.

Pure functions over plain values and model instances already fetched — no queries — so that
`dashboard`, `sheets` and `meetings` (the PDCA loop) state the same numbers in the same words
without importing each other.

Definitions (shown on the dashboard as well, see `STATUS_HELP`):
- shortfall: how far the latest value is from meeting the target, in the indicator's unit
  (percentage indicators: in points). Positive = short, zero or negative = met. It is the one gap
  function: a "margin" is its negation.
- status: 達成 (met) when the shortfall is ≤ 0; 目標に近い (close) when it is short by at most
  5 points (percentage indicators) or by at most 5 % of the target value (other indicators);
  遅れ (behind) otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError

from core import fiscal, validators
from indicators.models import Indicator, Observation, Plan, Target

# --- periods -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    kind: str
    fiscal_year: int
    as_of: date | None
    period_end: date
    key: str


def _check_range(text: str, parsed: fiscal.ParsedPeriod) -> None:
    """The period's first day within the indicator range (core.validators), else a PeriodParseError:
    the forms, the imports' row errors and the sheet loader all report it as they report a typo."""
    if parsed.kind == "fiscal_year":
        first = fiscal.fiscal_year_range(parsed.year)[0]
    elif parsed.kind == "year":
        first = date(parsed.year, 1, 1)
    else:
        first = parsed.as_date()
    try:
        validators.INDICATOR_PERIODS(first)
    except ValidationError as exc:
        raise fiscal.PeriodParseError(f"「{text}」: {exc.messages[0]}") from exc


def period_from_text(text: str) -> Period:
    """A typed period from the sheet's wording: H29年度, R3年6月, R3年6月30日, H26年 (PeriodParseError if not)."""
    parsed = fiscal.parse_period(text)
    _check_range(text, parsed)
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
    if day < fiscal.MEIJI_START:  # a row stored before periods were range-checked
        base = f"{day.year}年{day.month}月"
    else:
        era = fiscal.era_for_date(day)
        base = f"{era.letter}{era.year_of(day.year)}年{day.month}月"
    return base if observation.period_kind == "month" else f"{base}{day.day}日"


# --- formatting and shares -----------------------------------------------------------------------


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


def format_value_with_unit(value, indicator: Indicator) -> str:
    """`format_value` followed by the indicator's unit (「71.0％」, 「3,400人」); 有／無 stand alone.

    One wording for a value wherever an import shows it: its preview and its record."""
    text = format_value(value, indicator)
    if not text or indicator.value_type == Indicator.ValueType.YES_NO:
        return text
    return f"{text}{indicator.unit}"


def format_number(value, places: int = 0) -> str:
    """Half-up rounding with thousands separators: 641 → 641, 58.56 (1) → 58.6, −410 → -410."""
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    return f"{rounded:,.{places}f}"


def target_text(target: Target | None, indicator: Indicator | None = None) -> str:
    """「56％以上」: the target as entered, with its unit and comparator ("" without a target).

    `indicator` saves a query when the caller holds it; otherwise the target's own is read.
    """
    if target is None:
        return ""
    indicator = indicator or target.indicator
    text = format_value(target.value, indicator, as_entered=True)
    return f"{text}{indicator.unit}{target.get_comparator_display()}"


# --- gap and status ------------------------------------------------------------------------------

GTE, LTE = "gte", "lte"

MET, CLOSE, BEHIND, NO_TARGET, NO_DATA, IN_PROGRESS = (
    "met",
    "close",
    "behind",
    "no_target",
    "no_data",
    "in_progress",
)
STATUS_LABELS = {
    MET: "達成",
    CLOSE: "目標に近い",
    BEHIND: "遅れ",
    NO_TARGET: "目標なし",
    NO_DATA: "データなし",
    IN_PROGRESS: "年度途中",
}
STATUS_SYMBOLS = {MET: "✓", CLOSE: "△", BEHIND: "✕", NO_TARGET: "－", NO_DATA: "－", IN_PROGRESS: "…"}


class StatusDisplay:
    """`status_label` and `status_symbol` of a cell or row whose `status` is one of STATUS_LABELS."""

    status: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def status_symbol(self) -> str:
        return STATUS_SYMBOLS[self.status]


CLOSE_POINTS = Decimal(5)
CLOSE_FRACTION = Decimal("0.05")

STATUS_HELP = (
    "達成: 最新値が目標を満たしている。"
    f"目標に近い: 未達成だが、差が割合（％）の指標で{CLOSE_POINTS}ポイント以内、"
    f"それ以外の指標で目標値の{CLOSE_FRACTION * 100:.0f}％以内。"
    "遅れ: それより差が大きい。"
)


def shortfall(actual: Decimal, target: Decimal, comparator: str) -> Decimal:
    """How far `actual` is from meeting `target` (positive = short by that much; ≤ 0 = met).

    ≥ targets: 56 − 48.6 = 7.4 short. ≤ targets: 3,496 − 2,855 = 641 too many.
    """
    actual, target = Decimal(actual), Decimal(target)
    return target - actual if comparator == GTE else actual - target


def close_margin(target: Decimal, *, is_percent: bool) -> Decimal:
    """The largest shortfall still called 目標に近い: 5 points for percentages, 5 % of the target otherwise."""
    return CLOSE_POINTS if is_percent else abs(Decimal(target)) * CLOSE_FRACTION


def status_of(actual, target, comparator: str, *, is_percent: bool) -> str:
    """met / close / behind (or no_data, no_target) of a value against a target."""
    if actual is None:
        return NO_DATA
    if target is None:
        return NO_TARGET
    short = shortfall(actual, target, comparator)
    if short <= 0:
        return MET
    return CLOSE if short <= close_margin(target, is_percent=is_percent) else BEHIND


def count_status(held: int, expected: int, *, year_over: bool) -> str:
    """Meetings held against those expected in a 年度 (圏域連絡調整会議: two a year).

    met when held ≥ expected; while the 年度 is still running anything less is 年度途中 (not judged);
    after it, one short is close and more than one short is behind.
    """
    if held >= expected:
        return MET
    if not year_over:
        return IN_PROGRESS
    return CLOSE if expected - held == 1 else BEHIND


def gap_text(actual, target, comparator: str, *, unit: str, places: int, is_percent: bool) -> str:
    """The gap in words: 「7.4ポイント不足」, 「641人超過」, 「達成（1.0ポイント上回る）」."""
    if actual is None or target is None:
        return ""
    short = shortfall(actual, target, comparator)
    word = "ポイント" if is_percent else unit
    amount = format_number(abs(short), places)
    if short > 0:
        return f"{amount}{word}不足" if comparator == GTE else f"{amount}{word}超過"
    if short == 0:
        return "達成（目標と同じ）"
    return f"達成（{amount}{word}上回る）" if comparator == GTE else f"達成（{amount}{word}下回る）"


# --- plans and parts -----------------------------------------------------------------------------


_ISSUER_RANK = {Plan.Issuer.PREFECTURE: 0, Plan.Issuer.NATIONAL: 1, Plan.Issuer.SHEET: 2}


def default_basis_plan(plans, fiscal_year: int, *, with_targets: set[int] | None = None) -> Plan | None:
    """The plan in force for a 年度, which the dashboard and the sheet judge values against:

    1. the prefecture's plan whose period covers the year and that has targets;
    2. else the national plan covering it (the 基本指針: its targets apply until the prefecture's
       own are entered — the prefecture's 第7期 plan before officials fill it in), else the
       sheet's own targets covering it;
    3. else the plan that ended latest before the year (the prefecture's on a tie), and for a year
       before every plan the first one to come.

    A draft (案: 第8期 before its 告示) is never the default; it is still selectable. `with_targets`:
    the ids of the plans with targets (None: every plan given has them).
    """
    candidates = [p for p in plans if not p.is_draft]

    def covering(issuer):
        found = [p for p in candidates if p.issuer == issuer and p.covers(fiscal_year)]
        return max(found, key=lambda p: (p.first_fiscal_year, p.pk or 0), default=None)

    own = covering(Plan.Issuer.PREFECTURE)
    if own is not None and (with_targets is None or own.pk in with_targets):
        return own
    national = covering(Plan.Issuer.NATIONAL) or covering(Plan.Issuer.SHEET)
    if national is not None:
        return national
    ended = [p for p in candidates if p.last_fiscal_year < fiscal_year]
    if ended:
        return min(ended, key=lambda p: (-p.last_fiscal_year, _ISSUER_RANK.get(p.issuer, 9), p.name))
    upcoming = [p for p in candidates if p.first_fiscal_year > fiscal_year]
    if upcoming:
        return min(upcoming, key=lambda p: (p.first_fiscal_year, _ISSUER_RANK.get(p.issuer, 9), p.name))
    return own  # only a prefecture plan without targets covers the year (nothing better to show)


def parts_by_total(indicators) -> dict[int, list[Indicator]]:
    """The parts of each indicator that has them (65歳以上 and 65歳未満 of 長期在院者), by the total's id,
    in the order given; from definitions already fetched (no query)."""
    parts: dict[int, list[Indicator]] = {}
    for indicator in indicators:
        if indicator.part_of_id:
            parts.setdefault(indicator.part_of_id, []).append(indicator)
    return parts


# --- what a value may be (the forms and the import) ----------------------------------------------

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
    problem = type_problem(indicator, value)
    if problem:
        return problem
    if value < 0:
        return "負の数は入力できません。"
    return None


def type_problem(indicator: Indicator, value: Decimal) -> str | None:
    """What the value type forbids: a percentage outside 0–100, a yes/no other than 1 or 0 (the
    built-in hard rules of `indicators.validation` too)."""
    if indicator.value_type == Indicator.ValueType.PERCENT and not 0 <= value <= 100:
        return "割合は0～100の範囲で入力してください。"
    if indicator.value_type == Indicator.ValueType.YES_NO and value not in (0, 1):
        return "有・無は1（有）か0（無）で入力してください。"
    return None
