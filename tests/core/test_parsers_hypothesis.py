"""Input safety: property-based tests for the fiscal-year / 和暦 parsers."""

import contextlib
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from core.fiscal import (
    ERAS,
    PeriodParseError,
    fiscal_year_label,
    fiscal_year_of,
    fiscal_year_range,
    parse_fiscal_year,
    parse_period,
    wareki_date,
    wareki_month,
)

years = st.integers(min_value=1869, max_value=2200)
days = st.dates(min_value=date(1868, 10, 23), max_value=date(2200, 12, 31))
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@given(years)
def test_a_fiscal_year_label_parses_back(year):
    assert parse_fiscal_year(fiscal_year_label(year)) == year
    assert parse_fiscal_year(fiscal_year_label(year, short=True)) == year
    assert parse_fiscal_year(f"{year}年度") == year
    assert parse_fiscal_year(f"FY{year}") == year
    assert parse_fiscal_year(str(year)) == year


@given(years)
def test_full_width_digits_parse_like_ascii(year):
    assert parse_fiscal_year(fiscal_year_label(year).translate(FULL_WIDTH)) == year


@given(days)
def test_a_wareki_date_parses_back_to_the_same_day(day):
    parsed = parse_period(wareki_date(day))
    assert parsed.kind == "date"
    assert parsed.as_date() == day
    assert parsed.fiscal_year == fiscal_year_of(day)
    assert parse_period(day.isoformat()).as_date() == day


@given(days)
def test_a_wareki_month_parses_back_to_its_last_day(day):
    parsed = parse_period(wareki_month(day))
    assert parsed.kind == "month"
    assert (parsed.year, parsed.month) == (day.year, day.month)


@given(years)
def test_end_of_fiscal_year_is_march_31(year):
    parsed = parse_period(fiscal_year_label(year) + "末")
    assert parsed.as_date() == fiscal_year_range(year)[1]


@settings(max_examples=400)
@given(st.text(max_size=40))
def test_any_text_parses_or_fails_with_a_japanese_period_error(text):
    for parser in (parse_period, parse_fiscal_year):
        try:
            parser(text)
        except PeriodParseError as exc:
            assert str(exc)
            assert any("\u3040" <= ch <= "\u9fff" for ch in str(exc))  # the message is Japanese


@settings(max_examples=400)
@given(
    st.sampled_from([e.name for e in ERAS] + [e.letter for e in ERAS] + ["", "FY"]),
    st.integers(min_value=-5, max_value=10000),
    st.sampled_from(["", "年", "年度", "年度末", "年13月", "年2月30日", "年12月31日", "/0/0", "-1"]),
)
def test_era_shaped_input_never_crashes(era, number, suffix):
    text = f"{era}{number}{suffix}"
    for parser in (parse_period, parse_fiscal_year):
        with contextlib.suppress(PeriodParseError):
            parser(text)


def test_hostile_strings_are_refused_cleanly():
    import pytest

    for text in [
        "<script>alert(1)</script>",
        "'; DROP TABLE x; --",
        "9" * 10000,
        "令和" * 500,
        "\x00",
        "R99999年度",
    ]:
        with pytest.raises(PeriodParseError):
            parse_period(text)
