"""The 和暦 template filters never raise: any date Python can hold, any datetime, any odd value.

A date stored before 明治 (1868-10-23) used to raise inside the template, answering 500 for every
user on every page that showed it; before 明治 the Western form is shown instead.
"""

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from django.template import Context, Template
from hypothesis import given, settings
from hypothesis import strategies as st

from core import fiscal
from core.templatetags import wareki as filters

FILTERS = [
    filters.nendo,
    filters.nendo_short,
    filters.wareki,
    filters.wareki_western,
    filters.wareki_datetime,
    filters.wareki_month,
]
ODD = [
    0,
    -5,
    10**30,
    -(10**30),
    1.5,
    float("nan"),
    float("inf"),
    Decimal("NaN"),
    True,
    "abc",
    "2022-13-45",
    "0001-01-01",
    "\x00",
    "令和4年度",
    [],
    [date(2022, 4, 1)],
    {},
    object(),
    b"2022",
]
any_timezone = st.sampled_from([None, UTC, timezone(timedelta(hours=9)), timezone(timedelta(hours=-12))])


@pytest.mark.parametrize("f", FILTERS, ids=lambda f: f.__name__)
@settings(max_examples=300, deadline=None)
@given(day=st.dates())
def test_every_filter_renders_every_date(f, day):
    assert isinstance(f(day), str)


@pytest.mark.parametrize("f", FILTERS, ids=lambda f: f.__name__)
@settings(max_examples=300, deadline=None)
@given(moment=st.datetimes(timezones=any_timezone))
def test_every_filter_renders_every_datetime(f, moment):
    """Including datetime.min / max in a zone with no room for Asia/Tokyo's +9 hours."""
    assert isinstance(f(moment), str)


@pytest.mark.parametrize("f", FILTERS, ids=lambda f: f.__name__)
@settings(max_examples=200, deadline=None)
@given(value=st.one_of(st.integers(), st.text(), st.floats(), st.none(), st.binary()))
def test_every_filter_renders_odd_values(f, value):
    assert isinstance(f(value), str)


@pytest.mark.parametrize("f", FILTERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("value", ODD, ids=repr)
def test_every_filter_renders_odd_types(f, value):
    assert isinstance(f(value), str)


@pytest.mark.parametrize(
    ("f", "value", "expected"),
    [
        (filters.wareki, date(1867, 12, 31), "1867年12月31日"),
        (filters.wareki, date(1868, 10, 22), "1868年10月22日"),
        (filters.wareki, date(1868, 10, 23), "明治元年10月23日"),
        (filters.wareki, date(1, 1, 1), "1年1月1日"),
        (filters.wareki_western, date(1800, 4, 1), "1800年4月1日（1800年）"),
        (filters.wareki_month, date(1867, 6, 30), "1867年6月"),
        (filters.wareki_datetime, datetime(1850, 1, 2, 3, 4), "1850年1月2日 03:04"),
        (filters.nendo, date(1860, 4, 1), "1860年度"),
        (filters.nendo, -5, "-5年度"),
        (filters.nendo_short, 1867, "1867年度"),
        (filters.nendo, "2022", "令和4年度"),
        (filters.wareki, "2022-04-01", "令和4年4月1日"),
        (filters.wareki, "not a date", "not a date"),
        (filters.nendo, "R4", "R4"),
        (filters.wareki, None, ""),
        (filters.nendo, "", ""),
    ],
)
def test_fallbacks(f, value, expected):
    assert f(value) == expected


def test_the_era_is_unchanged_from_meiji_on():
    assert filters.wareki(date(2022, 4, 1)) == "令和4年4月1日"
    assert filters.wareki(date(2019, 4, 30)) == "平成31年4月30日"
    assert filters.nendo(2019) == "令和元年度"
    assert filters.wareki_datetime(datetime(2022, 4, 1, 5, 30, tzinfo=UTC)) == "令和4年4月1日 14:30"


def test_fiscal_functions_fall_back_to_the_western_year_before_meiji():
    """The CSV exports and PDFs call core.fiscal directly, not through a template."""
    assert fiscal.wareki_date(date(1867, 1, 2), short=True) == "1867.1.2"
    assert fiscal.wareki_year(1867) == "1867年"
    assert fiscal.wareki_year(1867, short=True) == "1867"
    assert fiscal.fiscal_year_label(1800, short=True) == "1800年度"


def test_a_template_with_a_pre_meiji_date_renders():
    template = Template("{{ d|wareki }} {{ d|wareki_month }} {{ d|nendo }} {{ d|wareki_western }}")
    assert template.render(Context({"d": date(1, 1, 1)})) == "1年1月1日 1年1月 0年度 1年1月1日（1年）"
