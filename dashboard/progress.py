"""The dashboard's arithmetic: gap to target, status, pace and projection.

Small pure functions over plain values (Decimal, date, str) — no queries — so that every number the
dashboard states can be tested on the seed's figures and on made-up series.

Definitions (shown on the dashboard as well, see `STATUS_HELP` and `PACE_HELP`):
- shortfall: how far the latest value is from meeting the target, in the indicator's unit
  (percentage indicators: in points). Positive = short, zero or negative = met.
- status: 達成 (met) when the shortfall is ≤ 0; 目標に近い (close) when it is short by at most
  5 points (percentage indicators) or by at most 5 % of the target value (other indicators);
  遅れ (behind) otherwise.
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
import functools
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from core import fiscal

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
YEAR_DAYS = Decimal("365.25")
HORIZON_YEARS = 30

STATUS_HELP = (
    "達成: 最新値が目標を満たしている。"
    f"目標に近い: 未達成だが、差が割合（％）の指標で{CLOSE_POINTS}ポイント以内、"
    f"それ以外の指標で目標値の{CLOSE_FRACTION * 100:.0f}％以内。"
    "遅れ: それより差が大きい。"
)
PACE_HELP = (
    "これまでのペース: 最初の値から最新の値までの1年あたりの変化（日数÷365.25で年数を計算）。"
    "必要なペース: 最新値の時点から目標年度末までに目標に届くための1年あたりの変化。"
    "見込み: これまでのペースが続いた場合に目標に届く年度。"
    "630調査の値は各年6月30日時点、年度の値は年度末時点として計算します。"
)


# --- gap and status ------------------------------------------------------------------------------


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


def format_number(value, places: int = 0) -> str:
    """Half-up rounding with thousands separators: 641 → 641, 58.56 (1) → 58.6, −410 → -410."""
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    return f"{rounded:,.{places}f}"


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


# --- tables ----------------------------------------------------------------------------------------


def plain_number(value):
    """A Decimal as an int when whole, else a float (CSV / Excel cells and chart data): 3496.000 → 3496."""
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass
class Table:
    """A table shown on the page and downloaded as CSV / Excel: a header and rows of plain values."""

    key: str
    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)

    @functools.cached_property
    def body_html(self):
        """The rows as the page shows them (first cell a row header, blanks as －), built in one pass:
        through the template engine each cell cost ~15 µs, tens of ms for the 500-odd rows twenty years
        of eight regions make (bench/CHANGES.md). The markup is the one data_table.html had. Kept with the
        table, so a dashboard taken from the cache (indicators.overview) does not build it again."""
        from django.utils.formats import localize
        from django.utils.html import format_html
        from django.utils.safestring import mark_safe

        if not self.rows:
            return format_html('<tr><td colspan="{}">データがありません。</td></tr>', len(self.header))
        blank = mark_safe('<span class="text-body-secondary">－</span>')
        lines = []
        for row in self.rows:
            cells = (
                [format_html('<th scope="row" class="fw-normal">{}</th>', localize(row[0]))] if row else []
            )
            cells += [
                format_html('<td class="text-end">{}</td>', blank if cell == "" else localize(cell))
                for cell in row[1:]
            ]
            lines.append("<tr>" + "".join(cells) + "</tr>")
        return mark_safe("\n".join(lines))
