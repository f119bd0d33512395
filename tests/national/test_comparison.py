"""Ranks and national values computed from stored rows (national.comparison)."""

from datetime import date
from decimal import Decimal

import pytest

from indicators.models import Indicator
from national import comparison
from national.comparison import competition_ranks
from regions.models import Prefecture
from tests.factories import IndicatorFactory
from tests.national.factories import observe_area, observe_country, source_gap

pytestmark = pytest.mark.django_db

D = Decimal


def test_ties_share_a_rank_and_the_next_rank_is_skipped():
    items = [("a", D("5")), ("b", D("7")), ("c", D("7")), ("d", D("3"))]
    assert competition_ranks(items, "higher") == {"b": 1, "c": 1, "a": 3, "d": 4}
    assert competition_ranks(items, "lower") == {"d": 1, "a": 2, "b": 3, "c": 3}
    # neutral: by value, highest first (the page says so)
    assert competition_ranks(items, "neutral") == competition_ranks(items, "higher")
    assert competition_ranks([], "higher") == {}


def test_the_47_are_ranked_by_the_indicators_direction(reference_data):
    indicator = IndicatorFactory(direction="higher", unit="％", value_type="percent", decimal_places=1)
    observe_country(indicator, [2020])
    portal = Prefecture.objects.portal()
    period = comparison.latest_common_period(indicator, portal, Prefecture.objects.nation())
    ranking = comparison.prefecture_ranking(indicator, period, portal=portal)
    # value_of: 沖縄 (47) highest, 北海道 (01) lowest; 山口 (35) has 12 above it
    assert ranking.entries[0].name == "沖縄県" and ranking.entries[0].rank == 1
    assert ranking.entries[-1].name == "北海道" and ranking.entries[-1].rank == 47
    assert (ranking.portal.name, ranking.portal.rank, ranking.portal.value) == ("山口県", 13, D("35.3"))
    assert ranking.rank_text(ranking.portal) == "47都道府県中 13位"
    assert ranking.nation.value_text == "25.5％"
    assert ranking.order_note.startswith("値が高いほど良い")

    indicator.direction = Indicator.Direction.LOWER
    lower = comparison.prefecture_ranking(indicator, period, portal=portal)
    assert lower.portal.rank == 35 and lower.entries[0].name == "北海道"


def test_a_tie_with_the_portal_and_prefectures_without_a_value(reference_data):
    indicator = IndicatorFactory(direction="higher")
    hiroshima, okinawa, tokyo = (Prefecture.objects.get(code=c) for c in ("340006", "470007", "130001"))
    fives = {"340006", "350001"}
    skipped = {"470007", "130001"}

    def value(prefecture, year):
        if prefecture.code in skipped:
            return None
        return D("99") if prefecture.code in fives else D(int(prefecture.code[:2]))

    observe_country(indicator, [2021], value=value)
    source_gap(indicator, okinawa, fiscal_year=2021, kind="suppressed")
    portal = Prefecture.objects.portal()
    period = comparison.latest_common_period(indicator, portal, Prefecture.objects.nation())
    ranking = comparison.prefecture_ranking(indicator, period, portal=portal)
    by_name = {e.name: e for e in ranking.entries}
    assert by_name["山口県"].rank == by_name["広島県"].rank == 1
    assert by_name["鹿児島県"].rank == 3  # the next highest (46): 1, 1, 3 — the next rank skips
    assert ranking.ranked_count == 45
    assert ranking.rank_text(ranking.portal) == "45都道府県中 1位"
    assert (by_name["沖縄県"].rank, by_name["沖縄県"].value_text) == (None, "秘匿")
    assert (by_name["東京都"].rank, by_name["東京都"].value_text) == (None, "値なし")
    # the unranked come last
    assert [e.name for e in ranking.entries[-2:]] == [tokyo.name, okinawa.name]
    assert hiroshima.short_name == "広島"


def test_the_latest_common_period_needs_both_the_prefecture_and_the_nation(reference_data):
    indicator = IndicatorFactory()
    portal, nation = Prefecture.objects.portal(), Prefecture.objects.nation()
    observe_area(indicator, portal, 30, fiscal_year=2019)
    observe_area(indicator, nation, 31, fiscal_year=2019)
    observe_area(indicator, nation, 32, fiscal_year=2021)  # a newer national table, not yet the prefecture's
    observe_area(indicator, portal, 33, fiscal_year=2022)  # the prefecture's own newer value
    assert comparison.latest_common_period(indicator, portal, nation).key == "fy:2019"
    standing = comparison.national_standings([indicator], portal)[indicator.pk]
    assert (standing.period.label, standing.nation_value, standing.rank, standing.ranked_count) == (
        "令和元年度",
        D("31"),
        1,
        1,
    )
    assert standing.rank_text == "1都道府県中 1位"


def test_national_standings_for_many_indicators_in_a_fixed_number_of_queries(
    reference_data, django_assert_num_queries
):
    portal = Prefecture.objects.portal()
    first, second, empty = IndicatorFactory(direction="lower"), IndicatorFactory(), IndicatorFactory()
    observe_country(first, [2019, 2020, 2021])
    observe_country(second, [2018])
    with django_assert_num_queries(2):
        found = comparison.national_standings([first, second, empty], portal)
    assert set(found) == {first.pk, second.pk}
    assert (found[first.pk].period.key, found[first.pk].rank) == ("fy:2021", 35)
    assert (found[second.pk].period.key, found[second.pk].rank) == ("fy:2018", 13)
    with django_assert_num_queries(1):  # no common period: the values are not read
        assert comparison.national_standings([empty], portal) == {}
    # the dashboard's 年度: only periods ended by its last day
    earlier = comparison.national_standings([first], portal, up_to=date(2021, 3, 31))
    assert earlier[first.pk].period.key == "fy:2020"
    assert found[first.pk].nation_text == "26人"  # the indicator shows no decimals


def test_region_ranking_within_the_prefecture(reference_data):
    from tests.indicators.helpers import observe

    indicator = IndicatorFactory(code="regional_rate", direction="higher")
    observe("regional_rate", "3501", 40, fiscal_year=2020)
    observe("regional_rate", "3502", 50, fiscal_year=2020)
    observe("regional_rate", None, 45, fiscal_year=2020)
    portal = Prefecture.objects.portal()
    periods = comparison.region_periods(indicator, portal)
    ranking = comparison.region_ranking(indicator, periods[-1], portal=portal)
    ranked = [(e.name, e.rank) for e in ranking.entries if e.rank]
    assert ranked[0][1] == 1 and ranked[1][1] == 2
    assert ranking.nation.value == D("45")
    assert ranking.rank_text(ranking.entries[0]) == "2圏域中 1位"
    assert sum(1 for e in ranking.entries if e.rank is None) == len(ranking.entries) - 2
