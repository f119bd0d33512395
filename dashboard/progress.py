"""Progress towards a target over time: the day a value stands for, pace and projection.

Small pure functions over plain values (Decimal, date, str) — no queries — so that every number the
dashboard states can be tested on the seed's figures and on made-up series. The gap to a target and
its status are the indicators' own vocabulary (`indicators.values`: `shortfall`, `status_of`).

Definitions (shown on the dashboard as well, see `PACE_HELP`):
- dates: a value as of a day (R3年6月 = 2021-06-30) is placed on that day; a value for a year or
  年度 of an indicator with a survey day (630調査: June 30) on that day of the year; other 年度
  values on the 年度's last day. A target for 年度 X is due at the end of X (R5年度 → 2024-03-31).
- observed pace: (latest − first) ÷ years between them (days ÷ 365.25), over the values up to the
  selected 年度. Needed pace: (target − latest) ÷ years from the latest value to the target's due date
  (none once the target is met).
- projection: the day the observed pace would reach the target, and the 年度 of that day.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from core import fiscal
from indicators.values import format_number, shortfall

YEAR_DAYS = Decimal("365.25")
HORIZON_YEARS = 30

PACE_HELP = (
    "これまでのペース: 最初の値から最新の値までの1年あたりの変化（日数÷365.25で年数を計算）。"
    "必要なペース: 最新値の時点から目標年度末までに目標に届くための1年あたりの変化。"
    "見込み: これまでのペースが続いた場合に目標に届く年度。"
    "630調査の値は各年6月30日時点、年度の値は年度末時点として計算します。"
)


# --- dates ---------------------------------------------------------------------------------------


def _safe_date(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def reference_date(
    *,
    kind: str,
    year: int,
    as_of: date | None,
    survey_month: int | None = None,
    survey_day: int | None = None,
) -> date:
    """The day a value stands for (see the module docstring): H26年 of a 630調査 count → 2014-06-30."""
    if as_of is not None:
        return as_of
    if kind == "year":
        return _safe_date(year, survey_month, survey_day) if survey_month else date(year, 12, 31)
    if survey_month:
        return _safe_date(year if survey_month >= 4 else year + 1, survey_month, survey_day)
    return fiscal.fiscal_year_range(year)[1]


def target_due_date(fiscal_year: int) -> date:
    """A target for 年度 X is due at its end: 2023 (R5年度) → 2024-03-31 (R5年度末)."""
    return fiscal.fiscal_year_range(fiscal_year)[1]


def years_between(start: date, end: date) -> Decimal:
    """Years from `start` to `end` as days ÷ 365.25: 2014-06-30 → 2021-06-30 = 7.00."""
    return Decimal((end - start).days) / YEAR_DAYS


# --- pace and projection -------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    when: date
    value: Decimal


def observed_pace(points: list[Point]) -> Decimal | None:
    """Change per year from the first to the latest value (None with fewer than two dates)."""
    ordered = sorted(points, key=lambda p: p.when)
    if len(ordered) < 2:
        return None
    span = years_between(ordered[0].when, ordered[-1].when)
    if span <= 0:
        return None
    return (Decimal(ordered[-1].value) - Decimal(ordered[0].value)) / span


def needed_pace(latest: Point, target: Decimal, due: date) -> Decimal | None:
    """Change per year needed from the latest value to reach `target` by `due` (None once due has passed)."""
    span = years_between(latest.when, due)
    if span <= 0:
        return None
    return (Decimal(target) - Decimal(latest.value)) / span


def projected_date(latest: Point, target: Decimal, pace: Decimal | None) -> date | None:
    """The day the observed pace reaches `target` (None when it does not move towards it)."""
    if pace is None or pace == 0:
        return None
    years = (Decimal(target) - Decimal(latest.value)) / pace
    if years < 0:
        return None
    return latest.when + timedelta(days=int((years * YEAR_DAYS).to_integral_value(ROUND_HALF_UP)))


# Verdicts of `progress()`.
ACHIEVED, ON_TRACK, OFF_TRACK, NOT_MOVING, TOO_FEW, EMPTY = (
    "achieved",
    "on_track",
    "off_track",
    "not_moving",
    "too_few",
    "empty",
)


@dataclass(frozen=True)
class Progress:
    """Where a series stands against one target and whether the pace so far is enough."""

    first: Point | None
    latest: Point | None
    target: Decimal
    comparator: str
    target_fiscal_year: int
    due: date
    remaining: Decimal | None  # shortfall of the latest value (≤ 0 = met)
    observed_per_year: Decimal | None
    needed_per_year: Decimal | None
    projected: date | None
    verdict: str

    @property
    def projected_fiscal_year(self) -> int | None:
        return fiscal.fiscal_year_of(self.projected) if self.projected else None

    @property
    def observed_years(self) -> Decimal | None:
        if self.first is None or self.latest is None or self.first.when >= self.latest.when:
            return None
        return years_between(self.first.when, self.latest.when)

    @property
    def years_left(self) -> Decimal | None:
        if self.latest is None:
            return None
        return years_between(self.latest.when, self.due)

    @property
    def statement(self) -> str:
        """The plain sentence the dashboard prints (never typed into a template)."""
        if self.verdict == EMPTY:
            return "値がまだ登録されていません"
        if self.verdict == ACHIEVED:
            return "目標を達成しています"
        if self.verdict == TOO_FEW:
            return "推移を評価するには2時点以上の値が必要です"
        if self.verdict == NOT_MOVING:
            return "このペースでは目標に近づいていません（達成の見込みなし）"
        if self.projected is None or self.projected > _add_years(self.latest.when, HORIZON_YEARS):
            return f"このペースでは目標年度に未達（達成は{HORIZON_YEARS}年以上先の見込み）"
        label = fiscal.fiscal_year_label(self.projected_fiscal_year)
        if self.verdict == ON_TRACK:
            return f"目標年度までに達成見込み（見込み {label}）"
        return f"このペースでは目標年度に未達（見込み {label}）"


def _add_years(day: date, years: int) -> date:
    return _safe_date(day.year + years, day.month, day.day)


def progress(points: list[Point], *, target: Decimal, comparator: str, target_fiscal_year: int) -> Progress:
    """Shortfall, observed and needed pace, projected 年度 and verdict of a series against one target.

    Yamaguchi's ≥ 1 year inpatients (H26.6.30 3,906 → R3.6.30 3,496, target ≤ 2,855 for R5年度末):
    641 still to reduce, −58.6 a year observed, −233 a year needed, met in 令和14年度 at that pace.
    """
    ordered = sorted(points, key=lambda p: p.when)
    due = target_due_date(target_fiscal_year)
    target = Decimal(target)
    if not ordered:
        return Progress(
            None, None, target, comparator, target_fiscal_year, due, None, None, None, None, EMPTY
        )
    first, latest = ordered[0], ordered[-1]
    remaining = shortfall(latest.value, target, comparator)
    observed = observed_pace(ordered)
    needed = needed_pace(latest, target, due) if remaining > 0 else None
    projected = None
    if remaining <= 0:
        verdict = ACHIEVED
    elif observed is None:
        verdict = TOO_FEW
    else:
        projected = projected_date(latest, target, observed)
        if projected is None:
            verdict = NOT_MOVING
        elif fiscal.fiscal_year_of(projected) <= target_fiscal_year:
            verdict = ON_TRACK
        else:
            verdict = OFF_TRACK
    return Progress(
        first,
        latest,
        target,
        comparator,
        target_fiscal_year,
        due,
        remaining,
        observed,
        needed,
        projected,
        verdict,
    )


def pace_text(per_year: Decimal | None, *, unit: str, places: int, is_percent: bool) -> str:
    """「年 -58.6人」 / 「年 +1.2ポイント」 (empty when there is no pace)."""
    if per_year is None:
        return ""
    word = "ポイント" if is_percent else unit
    sign = "+" if per_year > 0 else ""
    return f"年 {sign}{format_number(per_year, places)}{word}"
