"""The validation rules themselves (indicators.validation): every kind of rule on both sides of its
bound, the built-in cross-field rules in both directions, which values count as history, what the
messages name, and the fixed number of queries however many rules."""

from decimal import Decimal

import pytest

from indicators import validation
from indicators.models import Indicator, Observation, ValidationRule, area_key_for
from indicators.values import period_from_text
from regions.models import Prefecture, Region
from tests.factories import ValidationRuleFactory

HARD, SOFT = ValidationRule.Severity.HARD, ValidationRule.Severity.SOFT


@pytest.fixture
def prefecture(reference_data):
    return Prefecture.objects.get(code="350001")


@pytest.fixture
def count(reference_data):
    """A plain count with one decimal (as a rate per 100,000 people is kept)."""
    return Indicator.objects.create(
        code="long_stay_per_100k", name_ja="人口10万人あたりの長期在院者数", unit="人", decimal_places=1
    )


@pytest.fixture
def rate(reference_data):
    return Indicator.objects.create(
        code="some_rate", name_ja="ある割合", unit="％", value_type="percent", decimal_places=1
    )


def area_key(region_code="3501"):
    prefecture = Prefecture.objects.get(code="350001")
    if region_code is None:
        return area_key_for(prefecture=prefecture)
    return area_key_for(prefecture=prefecture, region=Region.objects.get(code=region_code))


def store(indicator, value, *, year, region_code="3501", period=None):
    """A stored value of `indicator` for a region (None: the prefecture) and a 年度 (or a period text)."""
    prefecture = Prefecture.objects.get(code="350001")
    region = Region.objects.get(code=region_code) if region_code else None
    parsed = period_from_text(period or f"{year}年度")
    return Observation.objects.create(
        indicator=indicator,
        prefecture=prefecture,
        region=region,
        area_key=area_key_for(prefecture=prefecture, region=region),
        period_kind=parsed.kind,
        fiscal_year=parsed.fiscal_year,
        as_of=parsed.as_of,
        period_end=parsed.period_end,
        period_key=parsed.key,
        value=Decimal(str(value)),
    )


def history(indicator, values, *, first_year=2015, region_code="3501"):
    for offset, value in enumerate(values):
        store(indicator, value, year=first_year + offset, region_code=region_code)


def judge(indicator, value, *, year, region_code="3501", period=None):
    candidate = validation.Candidate(
        indicator, area_key(region_code), period_from_text(period or f"{year}年度"), Decimal(str(value))
    )
    return validation.evaluate(candidate)


def messages(findings):
    return [f.message for f in findings]


# --- range --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "hit"),
    [("0", False), ("-0.001", True), ("1000", False), ("1000.001", True), ("500", False)],
)
def test_range_includes_its_bounds(count, value, hit):
    ValidationRuleFactory(
        indicator=count, kind="range", severity=HARD, minimum=0, maximum=1000, threshold=None
    )
    findings = judge(count, value, year=2020)
    assert bool(findings) is hit
    if hit:
        (finding,) = findings
        assert finding.is_hard and finding.label == "許容範囲: 下限 0人・上限 1,000人"
        assert "は許容範囲（下限 0人・上限 1,000人）の外です（前の期間の値はありません）。" in finding.message


def test_a_range_with_one_bound_only(count):
    ValidationRuleFactory(indicator=count, kind="range", minimum=None, maximum=Decimal("50"), threshold=None)
    assert judge(count, "0", year=2020) == []
    assert messages(judge(count, "50.1", year=2020)) == [
        "50.1人 は許容範囲（上限 50人）の外です（前の期間の値はありません）。"
    ]


# --- change from the previous period ------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "hit"),
    [("130", False), ("130.001", True), ("70", False), ("69.999", True), ("100", False)],
)
def test_change_percent_against_the_previous_period(count, value, hit):
    ValidationRuleFactory(indicator=count, kind="change_percent", threshold=30)
    history(count, [40, 100], first_year=2018)  # 2019: 100 is the previous value of 2020
    findings = judge(count, value, year=2020)
    assert bool(findings) is hit
    if hit:
        assert findings[0].severity == SOFT
        assert findings[0].label == "前の期間からの変化率: ±30％まで"


def test_change_percent_names_the_value_the_previous_value_and_the_bound(count):
    ValidationRuleFactory(indicator=count, kind="change_percent", threshold=30)
    store(count, "100", year=2019)
    assert messages(judge(count, "131", year=2020)) == [
        "131.0人 は前の期間（令和元年度）の値 100.0人から 31.0％ 増えています（目安: ±30％まで）。"
    ]
    assert messages(judge(count, "50", year=2020)) == [
        "50.0人 は前の期間（令和元年度）の値 100.0人から 50.0％ 減っています（目安: ±30％まで）。"
    ]


def test_change_percent_is_silent_without_a_previous_value_or_after_zero(count):
    ValidationRuleFactory(indicator=count, kind="change_percent", threshold=30)
    assert judge(count, "9999", year=2020) == []
    store(count, "0", year=2019)
    assert judge(count, "9999", year=2020) == []


@pytest.mark.parametrize(("value", "hit"), [("63.6", False), ("63.7", True), ("33.6", False), ("33.5", True)])
def test_change_absolute_in_points_for_a_percentage(rate, value, hit):
    ValidationRuleFactory(indicator=rate, kind="change_absolute", threshold=15)
    store(rate, "48.6", year=2017)
    findings = judge(rate, value, year=2018)
    assert bool(findings) is hit


def test_change_absolute_message(rate):
    ValidationRuleFactory(indicator=rate, kind="change_absolute", threshold=15)
    store(rate, "48.6", year=2017)
    (finding,) = judge(rate, "70", year=2018)
    assert finding.label == "前の期間からの変化幅: ±15ポイントまで"
    assert finding.message == (
        "70.0％ は前の期間（平成29年度）の値 48.6％から 21.4ポイント 増えています（目安: ±15ポイントまで）。"
    )


def test_the_previous_value_is_the_latest_earlier_one_of_the_same_area(count):
    """Not a later period, not another region, not the prefecture: the same area's latest earlier value."""
    ValidationRuleFactory(indicator=count, kind="change_absolute", threshold=10)
    store(count, "100", year=2015)
    store(count, "200", year=2018)  # the previous value of 2019 (2015 is older)
    store(count, "500", year=2021)  # later than 2019: not history
    store(count, "100", year=2018, region_code="3508")  # another region
    store(count, "100", year=2018, region_code=None)  # the prefecture
    assert judge(count, "205", year=2019) == []
    assert messages(judge(count, "215", year=2019)) == [
        "215.0人 は前の期間（平成30年度）の値 200.0人から 15.0人 増えています（目安: ±10人まで）。"
    ]


def test_a_value_saved_again_is_judged_against_the_period_before_it_not_itself(count):
    ValidationRuleFactory(indicator=count, kind="change_percent", threshold=30)
    store(count, "100", year=2019)
    store(count, "500", year=2020)  # the stored value being corrected
    assert judge(count, "110", year=2020) == []


# --- the area's history: z-score and modified z-score ---------------------------------------------


@pytest.mark.parametrize(("value", "hit"), [("18", False), ("18.001", True), ("6", False), ("5.999", True)])
def test_zscore_within_three_standard_deviations(count, value, hit):
    """History 10, 14, 10, 14: mean 12, population standard deviation 2, so the bound is 12 ± 6."""
    ValidationRuleFactory(indicator=count, kind="zscore", threshold=3)
    history(count, [10, 14, 10, 14])
    findings = judge(count, value, year=2019)
    assert bool(findings) is hit


def test_zscore_message(count):
    ValidationRuleFactory(indicator=count, kind="zscore", threshold=3)
    history(count, [10, 14, 10, 14])
    assert messages(judge(count, "20", year=2019)) == [
        "20.0人 は過去4期間の平均 12.0人（標準偏差 2.0）から zスコア 4.0 離れています"
        "（目安: 3まで。前の期間（平成30年度）の値 14.0人）。"
    ]


@pytest.mark.parametrize(
    ("value", "hit"), [("22.378", False), ("22.379", True), ("1.622", False), ("1.621", True)]
)
def test_modified_zscore_with_the_median_and_mad(count, value, hit):
    """History 10, 12, 14: median 12, MAD 2, so 0.6745 × |x − 12| ÷ 2 > 3.5 when |x − 12| > 10.3781…"""
    ValidationRuleFactory(indicator=count, kind="modified_zscore", threshold=Decimal("3.5"))
    history(count, [10, 12, 14])
    findings = judge(count, value, year=2018)
    assert bool(findings) is hit


def test_modified_zscore_shrugs_off_an_outlier_in_the_history(count):
    """The median and MAD ignore one wild value in the history (the mean and standard deviation do not)."""
    ValidationRuleFactory(indicator=count, kind="modified_zscore", threshold=Decimal("3.5"))
    ValidationRuleFactory(indicator=count, kind="zscore", threshold=3)
    history(count, [100, 102, 98, 101, 99, 1000])
    findings = judge(count, "130", year=2021)
    assert [f.rule.kind for f in findings] == ["modified_zscore"]
    assert findings[0].message.startswith(
        "130.0人 は過去6期間の中央値 100.5人（中央絶対偏差 1.5）から修正zスコア 13.3 "
    )


@pytest.mark.parametrize("kind", ["zscore", "modified_zscore"])
def test_the_outlier_rules_need_three_earlier_values(count, kind):
    ValidationRuleFactory(indicator=count, kind=kind, threshold=3)
    history(count, [10, 14])
    assert judge(count, "10000", year=2017) == []
    store(count, 12, year=2017)
    assert judge(count, "10000", year=2018) != []
    assert judge(count, "10000", year=2016) == []  # only one value before 2016


@pytest.mark.parametrize("kind", ["zscore", "modified_zscore"])
def test_a_history_with_no_spread_judges_nothing(count, kind):
    ValidationRuleFactory(indicator=count, kind=kind, threshold=3)
    history(count, [8, 8, 8, 8])
    assert judge(count, "9", year=2019) == []


def test_rules_out_of_use_are_not_applied(count):
    ValidationRuleFactory(indicator=count, kind="range", maximum=10, threshold=None, is_active=False)
    assert judge(count, "11", year=2020) == []


# --- the built-in rules -------------------------------------------------------------------------


def test_a_percentage_outside_0_to_100_and_a_yes_no_other_than_1_or_0_are_hard(rate, reference_data):
    assert judge(rate, "100", year=2020) == [] and judge(rate, "0", year=2020) == []
    (finding,) = judge(rate, "100.1", year=2020)
    assert finding.is_hard and finding.message == "100.1％: 割合は0～100の範囲で入力してください。"
    venue = Indicator.objects.create(code="venue_x", name_ja="協議の場", value_type="yes_no")
    assert judge(venue, "1", year=2020) == []
    (finding,) = judge(venue, "2", year=2020)
    assert finding.is_hard and "有・無は1（有）か0（無）で入力してください。" in finding.message


@pytest.fixture
def breakdown(sheet):
    """長期在院者 (1年以上) and its parts 65歳以上 / 65歳未満 (the R4 sheet's definitions)."""
    return {
        code: Indicator.objects.get(code=code)
        for code in ("inpatients_1y_plus", "inpatients_1y_plus_65_over", "inpatients_1y_plus_under_65")
    }


R5_JUNE = "R5年6月30日"


def test_a_part_above_its_total_is_refused(breakdown):
    store(breakdown["inpatients_1y_plus"], 300, year=None, period=R5_JUNE)
    assert judge(breakdown["inpatients_1y_plus_65_over"], "300", year=None, period=R5_JUNE) == []
    (finding,) = judge(breakdown["inpatients_1y_plus_65_over"], "301", year=None, period=R5_JUNE)
    assert finding.is_hard and finding.label == "内訳が合計を超えない"
    assert finding.message == (
        "１年以上の長期在院者数（慢性期入院需要）（令和5年6月30日）: 内訳（１年以上の長期在院者数（65歳以上） 301 人）"
        "の合計 301 人 が合計 300 人 を超えています。"
    )


def test_parts_adding_up_to_more_than_the_total_are_refused_when_either_is_saved(breakdown):
    """Saving the second part (each alone below the total), and saving a total below its parts."""
    store(breakdown["inpatients_1y_plus"], 300, year=None, period=R5_JUNE)
    store(breakdown["inpatients_1y_plus_65_over"], 200, year=None, period=R5_JUNE)
    (finding,) = judge(breakdown["inpatients_1y_plus_under_65"], "101", year=None, period=R5_JUNE)
    assert finding.is_hard and "の合計 301 人 が合計 300 人 を超えています。" in finding.message
    store(breakdown["inpatients_1y_plus_under_65"], 100, year=None, period=R5_JUNE)
    (finding,) = judge(breakdown["inpatients_1y_plus"], "299", year=None, period=R5_JUNE)
    assert finding.is_hard and "の合計 300 人 が合計 299 人 を超えています。" in finding.message


def test_parts_that_do_not_add_up_ask_for_confirmation_only_when_all_are_there(breakdown):
    store(breakdown["inpatients_1y_plus"], 300, year=None, period=R5_JUNE)
    assert (
        judge(breakdown["inpatients_1y_plus_65_over"], "150", year=None, period=R5_JUNE) == []
    )  # one missing
    store(breakdown["inpatients_1y_plus_65_over"], 150, year=None, period=R5_JUNE)
    assert judge(breakdown["inpatients_1y_plus_under_65"], "150", year=None, period=R5_JUNE) == []  # adds up
    (finding,) = judge(breakdown["inpatients_1y_plus_under_65"], "140", year=None, period=R5_JUNE)
    assert finding.severity == SOFT and finding.label == "内訳の合計が合計と一致する"
    assert "内訳の合計 290 人 が合計 300 人 と一致しません（差 -10）。" in finding.message
    store(breakdown["inpatients_1y_plus_under_65"], 150, year=None, period=R5_JUNE)
    (finding,) = judge(breakdown["inpatients_1y_plus"], "310", year=None, period=R5_JUNE)  # saving the total
    assert finding.severity == SOFT and "内訳の合計 300 人 が合計 310 人 と一致しません" in finding.message


def test_the_parts_are_compared_in_the_same_area_and_period_only(breakdown):
    store(breakdown["inpatients_1y_plus"], 300, year=None, period=R5_JUNE)
    assert judge(breakdown["inpatients_1y_plus_65_over"], "900", year=None, period="R5年6月") == []
    assert (
        judge(breakdown["inpatients_1y_plus_65_over"], "900", year=None, period=R5_JUNE, region_code="3508")
        == []
    )


# --- the example of issue #17 -------------------------------------------------------------------


def test_4863_typed_instead_of_486_3_is_caught_although_it_is_in_range(count):
    ValidationRuleFactory(
        indicator=count, kind="range", severity=HARD, minimum=0, maximum=10000, threshold=None
    )
    ValidationRuleFactory(indicator=count, kind="change_percent", threshold=30)
    ValidationRuleFactory(indicator=count, kind="modified_zscore", threshold=Decimal("3.5"))
    history(count, ["498.0", "492.5", "489.1"], first_year=2019)
    assert judge(count, "486.3", year=2022) == []
    findings = judge(count, "4863", year=2022)
    assert [(f.rule.kind, f.severity) for f in findings] == [
        ("change_percent", SOFT),
        ("modified_zscore", SOFT),
    ]
    assert findings[0].message == (
        "4,863.0人 は前の期間（令和3年度）の値 489.1人から 894.3％ 増えています（目安: ±30％まで）。"
    )
    assert "修正zスコア" in findings[1].message and "前の期間（令和3年度）の値 489.1人" in findings[1].message


# --- reading: a fixed number of queries ------------------------------------------------------------


def test_one_query_for_the_rules_and_one_for_the_history_however_many_rules(count, django_assert_num_queries):
    history(count, [10, 12, 14])
    candidate = validation.Candidate(count, area_key(), period_from_text("2018年度"), Decimal("13"))
    ValidationRuleFactory(indicator=count, kind="change_percent", threshold=30)
    with django_assert_num_queries(3):  # the related definitions, the rules, the stored values
        validation.evaluate(candidate)
    for kind in ("zscore", "modified_zscore", "change_absolute"):
        ValidationRuleFactory(indicator=count, kind=kind, threshold=5)
    ValidationRuleFactory(indicator=count, kind="range", maximum=100, threshold=None)
    with django_assert_num_queries(3):
        assert validation.evaluate(candidate) == []
    indicators = list(Indicator.objects.all())
    with django_assert_num_queries(2):  # the definitions given (as an import has them)
        book = validation.RuleBook.load([candidate], indicators=indicators)
    with django_assert_num_queries(0):
        assert book.evaluate(candidate) == []


def test_candidates_see_each_other_as_if_saved(count):
    """The rows of one file: its earlier periods are the history of its later ones."""
    ValidationRuleFactory(indicator=count, kind="change_percent", threshold=30)
    rows = [
        validation.Candidate(count, area_key(), period_from_text(f"{year}年度"), Decimal(value))
        for year, value in ((2021, "104"), (2019, "100"), (2022, "1020"), (2020, "102"))
    ]
    book = validation.RuleBook.load(rows)
    found = {row.period.fiscal_year: messages(book.evaluate(row)) for row in rows}
    assert found[2019] == found[2020] == found[2021] == []
    assert found[2022] == [
        "1,020.0人 は前の期間（令和3年度）の値 104.0人から 880.8％ 増えています（目安: ±30％まで）。"
    ]


def test_each_rule_says_what_it_means(count, rate):
    assert validation.describe(
        ValidationRule(kind="change_absolute", severity=SOFT, threshold=Decimal("15.000")), rate
    ) == (
        "同じ地域の前の期間の値から ±15ポイント を超えて変わったら、要確認として、確認のメモを添えれば登録でき、"
        "「確認が必要な値」に載ります。"
    )
    assert (
        validation.describe(
            ValidationRule(kind="range", severity=HARD, minimum=Decimal("0"), maximum=Decimal("10000")), count
        )
        == "値が許容範囲（下限 0人・上限 10,000人）の外なら、誤りとして登録できません。"
    )
    modified = validation.describe(
        ValidationRule(kind="modified_zscore", severity=SOFT, threshold=Decimal("3.5")), count
    )
    assert "中央値からの修正zスコア（0.6745 ×｜値 − 中央値｜÷ 中央絶対偏差）が 3.5 を超えたら" in modified
