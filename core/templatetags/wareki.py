"""Template filters for Japanese dates and fiscal years (loaded as a builtin).

A filter never raises: one bad value (a date stored before 明治, a string where a date was
expected, a datetime at the edge of the calendar) would otherwise answer 500 on every page that
shows it, for every user. Dates before 明治 are shown in the Western form (core.fiscal); values
that are not dates at all are shown as they are.
"""

import functools
from datetime import date, datetime

from django import template
from django.utils import timezone

from core import fiscal

register = template.Library()


def _local(value: datetime) -> datetime:
    """The datetime in Asia/Tokyo; at the calendar's very edge (no room for +9h) as it is."""
    if timezone.is_aware(value):
        try:
            return timezone.localtime(value)
        except (OverflowError, ValueError):
            return value
    return value


def _as_date(value):
    if isinstance(value, datetime):
        return _local(value).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value.strip())  # ValueError → shown as typed
    raise TypeError(f"{type(value).__name__} は日付ではありません")


def _year(value) -> int:
    if isinstance(value, date):  # datetime too
        return fiscal.fiscal_year_of(_as_date(value))
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"{type(value).__name__} は年度ではありません")
    return int(value)


def _shown_as_is(value) -> str:
    return str(value)


def never_raises(filter_function):
    """The filter's text, or the value as it is when the value cannot be read as intended."""

    @functools.wraps(filter_function)
    def wrapper(value):
        if value is None or value == "" or value is False:
            return ""
        try:
            return filter_function(value)
        except (TypeError, ValueError, OverflowError, ArithmeticError):
            return _shown_as_is(value)

    return wrapper


@register.filter
@never_raises
def nendo(value):
    """2022 → 令和4年度; a date → the 年度 it falls in."""
    return fiscal.fiscal_year_label(_year(value))


@register.filter
@never_raises
def nendo_short(value):
    """2022 → R4年度."""
    return fiscal.fiscal_year_label(_year(value), short=True)


@register.filter
@never_raises
def wareki(value):
    """2022-04-01 → 令和4年4月1日."""
    return fiscal.wareki_date(_as_date(value))


@register.filter
@never_raises
def wareki_western(value):
    """2022-04-01 → 令和4年4月1日（2022年）: the Western year beside it where users compare years."""
    day = _as_date(value)
    return f"{fiscal.wareki_date(day)}（{day.year}年）"


@register.filter
@never_raises
def wareki_datetime(value):
    """A datetime in Asia/Tokyo → 令和4年4月1日 14:30 (a plain date → its day)."""
    if not isinstance(value, datetime):
        return fiscal.wareki_date(_as_date(value))
    local = _local(value)
    return f"{fiscal.wareki_date(local.date())} {local:%H:%M}"


@register.filter
@never_raises
def wareki_month(value):
    """2021-06-30 → 令和3年6月."""
    return fiscal.wareki_month(_as_date(value))
