from datetime import date

import pytest

from core import fiscal
from core.fiscal import PeriodParseError


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2023, 3, 31), 2022),
        (date(2023, 4, 1), 2023),
        (date(2022, 4, 1), 2022),
        (date(2022, 12, 31), 2022),
        (date(2023, 1, 1), 2022),
    ],
)
def test_fiscal_year_of_turns_on_april_first(day, expected):
    assert fiscal.fiscal_year_of(day) == expected


def test_fiscal_year_range_runs_april_to_march():
    assert fiscal.fiscal_year_range(2022) == (date(2022, 4, 1), date(2023, 3, 31))
    assert fiscal.fiscal_year_range(2023) == (date(2023, 4, 1), date(2024, 3, 31))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2020, 1, 1), "令和2年1月1日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
        (date(1989, 1, 8), "平成元年1月8日"),
        (date(2022, 4, 1), "令和4年4月1日"),
    ],
)
def test_wareki_date_uses_the_era_in_force_that_day(day, expected):
    assert fiscal.wareki_date(day) == expected


def test_wareki_date_short_form():
    assert fiscal.wareki_date(date(2021, 6, 30), short=True) == "R3.6.30"
    assert fiscal.wareki_date(date(2019, 4, 30), short=True) == "H31.4.30"


@pytest.mark.parametrize(
    ("year", "long", "short"),
    [
        (2022, "令和4年度", "R4年度"),
        (2019, "令和元年度", "R1年度"),
        (2018, "平成30年度", "H30年度"),
        (2017, "平成29年度", "H29年度"),
        (1989, "平成元年度", "H1年度"),
        (1988, "昭和63年度", "S63年度"),
    ],
)
def test_fiscal_year_label(year, long, short):
    assert fiscal.fiscal_year_label(year) == long
    assert fiscal.fiscal_year_label(year, short=True) == short


def test_wareki_year():
    assert fiscal.wareki_year(2021) == "令和3年"
    assert fiscal.wareki_year(2014, short=True) == "H26"
    assert fiscal.wareki_year(2019) == "令和元年"


@pytest.mark.parametrize(
    ("text", "kind", "year", "as_date"),
    [
        ("R3年6月", "month", 2021, date(2021, 6, 30)),
        ("R3年6月30日", "date", 2021, date(2021, 6, 30)),
        ("H29年度", "fiscal_year", 2017, date(2017, 4, 1)),
        ("令和５年度", "fiscal_year", 2023, date(2023, 4, 1)),
        ("R5年度末", "fiscal_year", 2023, date(2024, 3, 31)),
        ("R4年4月時点", "month", 2022, date(2022, 4, 30)),
        ("H26年", "year", 2014, date(2014, 1, 1)),
        ("令和元年5月", "month", 2019, date(2019, 5, 31)),
        ("平成31年4月", "month", 2019, date(2019, 4, 30)),
        ("2022年度", "fiscal_year", 2022, date(2022, 4, 1)),
        ("FY2022", "fiscal_year", 2022, date(2022, 4, 1)),
        ("2021-06-30", "date", 2021, date(2021, 6, 30)),
        ("2021/6/30", "date", 2021, date(2021, 6, 30)),
        ("２０２１年６月", "month", 2021, date(2021, 6, 30)),
        ("r3年6月", "month", 2021, date(2021, 6, 30)),
    ],
)
def test_parse_period_reads_the_seeds_forms(text, kind, year, as_date):
    period = fiscal.parse_period(text)
    assert period.kind == kind
    assert period.year == year
    assert period.as_date() == as_date


def test_parsed_month_knows_its_fiscal_year():
    assert fiscal.parse_period("R4年3月").fiscal_year == 2021
    assert fiscal.parse_period("R4年4月").fiscal_year == 2022


@pytest.mark.parametrize(
    "text",
    ["", "令和", "R3年13月", "R3年2月30日", "平成32年度", "昭和65年", "X4年度", "R4年度4月", "abc", "R0年度"],
)
def test_parse_period_refuses_what_it_cannot_read(text):
    with pytest.raises(PeriodParseError):
        fiscal.parse_period(text)


def test_parse_period_error_is_in_japanese():
    with pytest.raises(PeriodParseError, match="期間として読めません"):
        fiscal.parse_period("来年")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和4年度", 2022),
        ("R4", 2022),
        ("R4年度", 2022),
        ("2022", 2022),
        ("H29年度", 2017),
        ("令和元年度", 2019),
    ],
)
def test_parse_fiscal_year(text, expected):
    assert fiscal.parse_fiscal_year(text) == expected


def test_parse_fiscal_year_refuses_a_month():
    with pytest.raises(PeriodParseError):
        fiscal.parse_fiscal_year("R3年6月")


@pytest.mark.parametrize("year", range(1990, 2060, 7))
def test_label_round_trips_through_the_parser(year):
    assert fiscal.parse_fiscal_year(fiscal.fiscal_year_label(year)) == year
    assert fiscal.parse_fiscal_year(fiscal.fiscal_year_label(year, short=True)) == year


def test_template_filters_render_japanese(settings):
    from django.template import engines

    template = engines["django"].from_string(
        "{{ fy|nendo }} {{ d|wareki }} {{ d|nendo_short }} {{ d|wareki_western }}"
    )
    assert (
        template.render({"fy": 2022, "d": date(2023, 3, 31)})
        == "令和4年度 令和5年3月31日 R4年度 令和5年3月31日（2023年）"
    )


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2023, 1, 15), 3, date(2023, 4, 1)),
        (date(2023, 1, 31), 1, date(2023, 2, 1)),  # the month, not the day: no 2月31日 to fall over
        (date(2023, 10, 1), 6, date(2024, 4, 1)),
        (date(2023, 12, 1), 12, date(2024, 12, 1)),
        (date(2023, 3, 20), -6, date(2022, 9, 1)),
        (date(2023, 1, 1), -1, date(2022, 12, 1)),
        (date(2023, 5, 9), 0, date(2023, 5, 1)),
    ],
)
def test_add_months_gives_the_first_of_the_month_so_many_months_on(day, months, expected):
    assert fiscal.add_months(day, months) == expected


@pytest.mark.parametrize(
    "stored, shown",
    [
        ("岩国-2026-001", "岩国-R8-001"),
        ("下関-2019-012", "下関-R1-012"),  # 2019年度 is 令和元年度
        ("周南-2018-003", "周南-H30-003"),
        ("宇部・小野田-2022-010", "宇部・小野田-R4-010"),
        ("旧番号123", "旧番号123"),  # not in the numbering's shape: shown as stored
        ("", ""),
    ],
)
def test_case_numbers_read_in_wareki(stored, shown):
    assert fiscal.case_number_display(stored) == shown
