"""Template filters for Japanese dates and fiscal years (loaded as a builtin)."""

from datetime import date, datetime

from django import template
from django.utils import timezone

from core import fiscal

register = template.Library()


def _as_date(value):
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    return value


@register.filter
def nendo(value):
    """2022 → 令和4年度; a date → the 年度 it falls in."""
    if value in (None, ""):
        return ""
    if isinstance(value, date):
        value = fiscal.fiscal_year_of(_as_date(value))
    return fiscal.fiscal_year_label(int(value))


@register.filter
def nendo_short(value):
    """2022 → R4年度."""
    if value in (None, ""):
        return ""
    if isinstance(value, date):
        value = fiscal.fiscal_year_of(_as_date(value))
    return fiscal.fiscal_year_label(int(value), short=True)


@register.filter
def wareki(value):
    """2022-04-01 → 令和4年4月1日."""
    if not value:
        return ""
    return fiscal.wareki_date(_as_date(value))


@register.filter
def wareki_western(value):
    """2022-04-01 → 令和4年4月1日（2022年）: the Western year beside it where users compare years."""
    if not value:
        return ""
    day = _as_date(value)
    return f"{fiscal.wareki_date(day)}（{day.year}年）"


@register.filter
def wareki_datetime(value):
    """A datetime in Asia/Tokyo → 令和4年4月1日 14:30."""
    if not value:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{fiscal.wareki_date(local.date())} {local:%H:%M}"


@register.filter
def wareki_month(value):
    """2021-06-30 → 令和3年6月."""
    if not value:
        return ""
    return fiscal.wareki_month(_as_date(value))
