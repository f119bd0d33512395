"""How far back and ahead each kind of date the portal records may plausibly lie.

One place for the rule, used by the models (so `full_clean()` in the services refuses too), the
forms that have their own date fields, the list filters and the indicator periods (imports, entry).
A date outside its range is almost always a typo (0202-10-05, 20222-04-01) or a probe; stored, a
date before 明治 could not even be shown in 和暦.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible

from core import fiscal

# 平成12年度: before the first 退院促進 programmes (H15) and the portal's oldest records (H21).
ACTIVITY_START = date(2000, 4, 1)
# 精神衛生法 (1950): the oldest statistics and admissions anyone would type in.
HISTORY_START = date(1950, 1, 1)


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def _label(day: date, *, month: bool) -> str:
    text = f"{day.year}年{day.month}月" if month else f"{day.year}年{day.month}月{day.day}日"
    return f"{text}（{fiscal.wareki_year(day.year)}）"


@deconstructible
class DateRangeValidator:
    """A date between `earliest` and `years_ahead` years after today (0: today at the latest).

    `month` fields (stored as the 1st) are described as 年月 in the message.
    """

    code = "date_out_of_range"

    def __init__(self, label: str, earliest: date, years_ahead: int = 0, month: bool = False):
        self.label = label
        self.earliest = earliest
        self.years_ahead = years_ahead
        self.month = month

    def latest(self, today: date | None = None) -> date:
        return _years_after(today or timezone.localdate(), self.years_ahead)

    def message(self, today: date | None = None) -> str:
        noun = "年月" if self.month else "日付"
        return (
            f"{self.label}は {_label(self.earliest, month=self.month)}以降、"
            f"{_label(self.latest(today), month=self.month)}以前の{noun}を入力してください。"
        )

    def __call__(self, value) -> None:
        if value is None:
            return
        day = value.date() if isinstance(value, datetime) else value
        latest = self.latest()
        if self.month:
            latest = latest.replace(day=1)
        if not self.earliest <= day <= latest:
            raise ValidationError(self.message(), code=self.code, params={"value": value})

    def __eq__(self, other) -> bool:
        return isinstance(other, DateRangeValidator) and (
            self.label,
            self.earliest,
            self.years_ahead,
            self.month,
        ) == (other.label, other.earliest, other.years_ahead, other.month)


# The ranges, by what the date records (the models name the field in the message).


def activity_date(label: str) -> DateRangeValidator:
    """Meetings and training: held since the portal's era, planned up to two years ahead."""
    return DateRangeValidator(label, ACTIVITY_START, years_ahead=2)


def due_date(label: str) -> DateRangeValidator:
    """An action item's deadline: up to five years ahead (a plan period and a bit), never earlier than the era."""
    return DateRangeValidator(label, ACTIVITY_START, years_ahead=5)


def past_date(label: str) -> DateRangeValidator:
    """Something that has happened (a completion date): not in the future."""
    return DateRangeValidator(label, ACTIVITY_START)


def past_month(label: str) -> DateRangeValidator:
    """A month in a person's history (a discharge): since 1950, not in the future."""
    return DateRangeValidator(label, HISTORY_START, month=True)


def filter_date(label: str) -> DateRangeValidator:
    """A date typed into a list filter (the audit log's period)."""
    return DateRangeValidator(label, ACTIVITY_START, years_ahead=1)


# Indicator periods (observations, imports, the sheet's facts): basic facts such as population reach
# back to the early censuses; projections up to ten years ahead.
STATISTICS_START = date(1900, 1, 1)
INDICATOR_PERIODS = DateRangeValidator("時点", STATISTICS_START, years_ahead=10)
FISCAL_YEAR_MIN = STATISTICS_START.year
# Plans and their targets: the first 障害福祉計画 was FY2006; none can start before the portal's era.
PLAN_YEAR_MIN = ACTIVITY_START.year


def fiscal_year_max(today: date | None = None) -> int:
    return INDICATOR_PERIODS.latest(today).year


@deconstructible
class FiscalYearRangeValidator:
    """A plan's or target's 年度 (its starting Western year): FY2000 to ten years ahead."""

    code = "fiscal_year_out_of_range"

    def __init__(self, label: str):
        self.label = label

    def message(self) -> str:
        first, last = PLAN_YEAR_MIN, fiscal_year_max()
        return (
            f"{self.label}は {first}年度（{fiscal.fiscal_year_label(first)}）から"
            f"{last}年度（{fiscal.fiscal_year_label(last)}）までの年度を入力してください。"
        )

    def __call__(self, value) -> None:
        if value is not None and not PLAN_YEAR_MIN <= value <= fiscal_year_max():
            raise ValidationError(self.message(), code=self.code, params={"value": value})

    def __eq__(self, other) -> bool:
        return isinstance(other, FiscalYearRangeValidator) and self.label == other.label
