"""The gap, status and pace arithmetic (indicators.values, dashboard.progress) on the seed's figures
and on made-up series (pure functions, no database)."""

from datetime import date
from decimal import Decimal as D

import pytest

from dashboard.progress import (
    ACHIEVED,
    EMPTY,
    NOT_MOVING,
    OFF_TRACK,
    ON_TRACK,
    Point,
    needed_pace,
    observed_pace,
    pace_text,
    progress,
    reference_date,
    target_due_date,
    years_between,
)
from indicators.values import (
    BEHIND,
    CLOSE,
    IN_PROGRESS,
    MET,
    NO_DATA,
    NO_TARGET,
    count_status,
    format_number,
    gap_text,
    shortfall,
    status_of,
)

SURVEY_0630 = {"survey_month": 6, "survey_day": 30}


# --- gap and status: Yamaguchi H29 discharge rates against the prefecture plan 56 / 74 / 85 -------


@pytest.mark.parametrize(
    ("actual", "target", "short", "text", "status"),
    [
        ("48.6", "56", "7.4", "7.4ポイント不足", BEHIND),
        ("69.6", "74", "4.4", "4.4ポイント不足", CLOSE),
        ("78.7", "85", "6.3", "6.3ポイント不足", BEHIND),
    ],
)
def test_discharge_rate_gaps_in_points(actual, target, short, text, status):
    assert shortfall(D(actual), D(target), "gte") == D(short)
    assert gap_text(D(actual), D(target), "gte", unit="％", places=1, is_percent=True) == text
    assert status_of(D(actual), D(target), "gte", is_percent=True) == status


def test_national_guideline_gaps():
    # 第6期 基本指針 69 / 86 / 92 and 第7期 68.9 / 84.5 / 91.0 against the same H29 actuals
    assert shortfall(D("48.6"), D("69"), "gte") == D("20.4")
    assert shortfall(D("69.6"), D("84.5"), "gte") == D("14.9")
    assert status_of(D("78.7"), D("91.0"), "gte", is_percent=True) == BEHIND


def test_close_means_within_five_points_for_percentages():
    assert status_of(D("51"), D("56"), "gte", is_percent=True) == CLOSE  # exactly 5 short
    assert status_of(D("50.9"), D("56"), "gte", is_percent=True) == BEHIND
    assert status_of(D("56"), D("56"), "gte", is_percent=True) == MET


def test_close_means_within_five_percent_of_the_target_otherwise():
    # 5 % of 2,855 is 142.75 people
    assert status_of(D("2997"), D("2855"), "lte", is_percent=False) == CLOSE
    assert status_of(D("2998"), D("2855"), "lte", is_percent=False) == BEHIND
    assert status_of(D("3496"), D("2855"), "lte", is_percent=False) == BEHIND


def test_lower_is_better_indicator():
    # a made-up 再入院率 (1年以内) with a target of ≤ 10 %
    assert shortfall(D("12.0"), D("10"), "lte") == D("2.0")
    assert status_of(D("12.0"), D("10"), "lte", is_percent=True) == CLOSE
    assert status_of(D("17.5"), D("10"), "lte", is_percent=True) == BEHIND
    assert status_of(D("9.5"), D("10"), "lte", is_percent=True) == MET
    assert gap_text(D("12.0"), D("10"), "lte", unit="％", places=1, is_percent=True) == "2.0ポイント超過"
    assert (
        gap_text(D("9.5"), D("10"), "lte", unit="％", places=1, is_percent=True)
        == "達成（0.5ポイント下回る）"
    )


def test_missing_value_or_target():
    assert status_of(None, D("56"), "gte", is_percent=True) == NO_DATA
    assert status_of(D("48.6"), None, "gte", is_percent=True) == NO_TARGET
    assert gap_text(None, D("56"), "gte", unit="％", places=1, is_percent=True) == ""


# --- dates --------------------------------------------------------------------------------------


def test_reference_dates():
    # H26年 of a 630調査 count is June 30, 2014; R3年6月 is stored as its month end, June 30, 2021.
    assert reference_date(kind="year", year=2014, as_of=None, **SURVEY_0630) == date(2014, 6, 30)
    assert reference_date(kind="month", year=2021, as_of=date(2021, 6, 30)) == date(2021, 6, 30)
    # a 年度 value without a survey day sits at the 年度's end; with one, on that day inside the 年度
    assert reference_date(kind="fiscal_year", year=2017, as_of=None) == date(2018, 3, 31)
    assert reference_date(kind="fiscal_year", year=2022, as_of=None, **SURVEY_0630) == date(2022, 6, 30)
    assert reference_date(kind="fiscal_year", year=2022, as_of=None, survey_month=2, survey_day=29) == date(
        2023, 2, 28
    )
    assert reference_date(kind="year", year=2014, as_of=None) == date(2014, 12, 31)
    assert target_due_date(2023) == date(2024, 3, 31)  # R5年度末
    assert round(years_between(date(2014, 6, 30), date(2021, 6, 30)), 2) == D("7.00")
    assert round(years_between(date(2021, 6, 30), date(2024, 3, 31)), 2) == D("2.75")


# --- long-stay inpatients: H26.6.30 3,906 → R3.6.30 3,496, target ≤ 2,855 at R5年度末 -----------

LONG_STAY = [Point(date(2014, 6, 30), D(3906)), Point(date(2021, 6, 30), D(3496))]


def test_long_stay_reduction_pace_and_projection():
    p = progress(LONG_STAY, target=D(2855), comparator="lte", target_fiscal_year=2023)
    assert p.remaining == 641  # reduction still needed
    assert round(p.observed_per_year, 1) == D("-58.6")  # -410 over 7 years
    assert round(p.observed_years, 1) == D("7.0")
    assert p.due == date(2024, 3, 31)
    assert round(p.years_left, 2) == D("2.75")
    assert round(p.needed_per_year, 1) == D("-233.0")  # 641 over 2.75 years
    assert p.verdict == OFF_TRACK
    assert p.projected_fiscal_year == 2032  # 641 / 58.6 ≈ 10.9 years after R3.6.30
    assert p.statement == "このペースでは目標年度に未達（見込み 令和14年度）"


def test_long_stay_by_age_band():
    under_65 = progress(
        [Point(date(2014, 6, 30), D(1442)), Point(date(2021, 6, 30), D(1033))],
        target=D(819),
        comparator="lte",
        target_fiscal_year=2023,
    )
    assert under_65.remaining == 214
    assert under_65.statement == "このペースでは目標年度に未達（見込み 令和6年度）"
    over_65 = progress(
        [Point(date(2014, 6, 30), D(2464)), Point(date(2021, 6, 30), D(2463))],
        target=D(2036),
        comparator="lte",
        target_fiscal_year=2023,
    )
    assert over_65.remaining == 427
    assert over_65.statement == "このペースでは目標年度に未達（達成は30年以上先の見込み）"


def test_target_already_met():
    p = progress(
        [Point(date(2019, 6, 30), D(3000)), Point(date(2021, 6, 30), D(2800))],
        target=D(2855),
        comparator="lte",
        target_fiscal_year=2023,
    )
    assert p.verdict == ACHIEVED
    assert p.remaining == -55 and p.needed_per_year is None
    assert p.statement == "目標を達成しています"
    assert gap_text(D(2800), D(2855), "lte", unit="人", places=0, is_percent=False) == "達成（55人下回る）"


def test_series_with_a_missing_year_uses_the_dates_it_has():
    # 2017 is missing: the pace is measured over the four years between the first and the latest value
    series = [
        Point(date(2015, 6, 30), D(100)),
        Point(date(2016, 6, 30), D(90)),
        Point(date(2019, 6, 30), D(60)),
    ]
    assert round(observed_pace(series), 1) == D("-10.0")
    on_time = progress(series, target=D(40), comparator="lte", target_fiscal_year=2021)
    assert on_time.projected == date(2021, 6, 30)  # two more years at -10 a year
    assert on_time.verdict == ON_TRACK
    assert on_time.statement == "目標年度までに達成見込み（見込み 令和3年度）"
    late = progress(series, target=D(40), comparator="lte", target_fiscal_year=2020)
    assert late.statement == "このペースでは目標年度に未達（見込み 令和3年度）"


def test_rising_series_towards_a_higher_target():
    series = [Point(date(2018, 3, 31), D("48.6")), Point(date(2021, 3, 31), D("51.6"))]
    p = progress(series, target=D(56), comparator="gte", target_fiscal_year=2023)
    assert round(p.observed_per_year, 1) == D("1.0")
    assert round(p.needed_per_year, 2) == D("1.47")  # 4.4 points over three years
    # 4.4 points at 1.0 a year: about 4.4 years after R3.3.31, in August 2025 (令和7年度)
    assert p.projected_fiscal_year == 2025
    assert p.statement == "このペースでは目標年度に未達（見込み 令和7年度）"


def test_a_series_moving_away_from_the_target():
    series = [Point(date(2019, 6, 30), D(3400)), Point(date(2021, 6, 30), D(3496))]
    p = progress(series, target=D(2855), comparator="lte", target_fiscal_year=2023)
    assert p.verdict == NOT_MOVING and p.projected is None
    assert p.statement == "このペースでは目標に近づいていません（達成の見込みなし）"


def test_a_single_value_has_no_pace():
    p = progress(
        [Point(date(2018, 3, 31), D("48.6"))], target=D(56), comparator="gte", target_fiscal_year=2023
    )
    assert p.remaining == D("7.4") and p.observed_per_year is None
    assert round(p.needed_per_year, 2) == D("1.23")
    assert p.statement == "推移を評価するには2時点以上の値が必要です"


def test_no_values_at_all():
    p = progress([], target=D(56), comparator="gte", target_fiscal_year=2023)
    assert p.verdict == EMPTY and p.statement == "値がまだ登録されていません"


def test_needed_pace_after_the_due_date_is_none():
    assert needed_pace(Point(date(2024, 6, 30), D(3000)), D(2855), date(2024, 3, 31)) is None


def test_texts():
    assert format_number(D("-58.5657"), 1) == "-58.6"
    assert format_number(D("3496"), 0) == "3,496"
    assert format_number(D("-0.04"), 1) == "0.0"
    assert pace_text(D("-58.5657"), unit="人", places=1, is_percent=False) == "年 -58.6人"
    assert pace_text(D("1.234"), unit="％", places=1, is_percent=True) == "年 +1.2ポイント"
    assert pace_text(None, unit="人", places=1, is_percent=False) == ""


@pytest.mark.parametrize(
    ("held", "year_over", "status"),
    [
        (2, False, MET),
        (3, True, MET),
        (1, False, IN_PROGRESS),
        (1, True, CLOSE),
        (0, True, BEHIND),
    ],
)
def test_regional_meetings_against_two_a_year(held, year_over, status):
    assert count_status(held, 2, year_over=year_over) == status
