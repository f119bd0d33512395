"""core.validators: the plausible range of each kind of date, with a Japanese message naming the field."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.filters import AuditLogFilter
from core import validators


def _years_after(day, years):
    return validators._years_after(day, years)


@pytest.mark.parametrize(
    ("validator", "earliest", "years_ahead"),
    [
        (validators.activity_date("開催日"), date(2000, 4, 1), 2),
        (validators.due_date("期限"), date(2000, 4, 1), 5),
        (validators.past_date("完了日"), date(2000, 4, 1), 0),
        (validators.filter_date("期間（から）"), date(2000, 4, 1), 1),
        (validators.INDICATOR_PERIODS, date(1900, 1, 1), 10),
    ],
)
def test_the_range_is_inclusive_at_both_ends(validator, earliest, years_ahead):
    latest = _years_after(timezone.localdate(), years_ahead)
    validator(earliest)
    validator(latest)
    for outside in (
        earliest - timedelta(days=1),
        latest + timedelta(days=1),
        date(1, 1, 1),
        date(9999, 12, 31),
    ):
        with pytest.raises(ValidationError) as exc:
            validator(outside)
        assert exc.value.error_list[0].code == "date_out_of_range"


def test_the_message_names_the_field_and_both_ends_in_wareki():
    with pytest.raises(ValidationError) as exc:
        validators.activity_date("開催日")(date(1867, 1, 1))
    latest = _years_after(timezone.localdate(), 2)
    assert exc.value.messages == [
        f"開催日は 2000年4月1日（平成12年）以降、{latest.year}年{latest.month}月{latest.day}日"
        f"（令和{latest.year - 2018}年）以前の日付を入力してください。"
    ]


def test_a_month_field_allows_this_month_not_the_next():
    validator = validators.past_month("退院年月")
    this_month = timezone.localdate().replace(day=1)
    validator(this_month)
    validator(date(1950, 1, 1))
    with pytest.raises(ValidationError) as exc:
        validator((this_month + timedelta(days=32)).replace(day=1))
    assert exc.value.messages[0].startswith("退院年月は 1950年1月（昭和25年）以降、")
    assert exc.value.messages[0].endswith("以前の年月を入力してください。")
    with pytest.raises(ValidationError):
        validator(date(1949, 12, 1))


def test_none_is_left_to_the_field_required_check():
    validators.activity_date("開催日")(None)


def test_validators_compare_equal_so_migrations_stay_clean():
    assert validators.activity_date("開催日") == validators.activity_date("開催日")
    assert validators.activity_date("開催日") != validators.due_date("開催日")
    path, args, kwargs = validators.past_month("退院年月").deconstruct()
    assert path == "core.validators.DateRangeValidator"
    assert validators.DateRangeValidator(*args, **kwargs) == validators.past_month("退院年月")


def test_29_february_plus_years_lands_on_the_28th():
    assert validators._years_after(date(2024, 2, 29), 2) == date(2026, 2, 28)


def test_plan_years_from_2000_to_ten_years_ahead():
    validator = validators.FiscalYearRangeValidator("目標年度")
    last = validators.fiscal_year_max()
    validator(2000)
    validator(last)
    for year in (1999, last + 1, 0, 32767):
        with pytest.raises(ValidationError) as exc:
            validator(year)
        assert exc.value.messages[0].startswith("目標年度は 2000年度（平成12年度）から")


@pytest.mark.parametrize("value", ["0001-01-01", "1867-12-31", "9999-12-31"])
def test_the_audit_filter_refuses_implausible_dates(value):
    form = AuditLogFilter({"date_from": value, "date_to": value}).form
    assert not form.is_valid()
    assert form.errors["date_from"][0].startswith("期間（から）は 2000年4月1日（平成12年）以降、")
    assert form.errors["date_to"][0].startswith("期間（まで）は 2000年4月1日（平成12年）以降、")
