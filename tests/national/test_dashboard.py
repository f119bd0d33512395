"""The dashboard's 全国値・順位 column: 全国's value and the prefecture's rank for the latest common period."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.models import Indicator
from indicators.services import observation_record
from regions.models import Prefecture
from tests.national.factories import observe_country

pytestmark = pytest.mark.django_db
URL = "/indicators/"


def _row(response, code):
    return next(r for r in response.context["overview"].status_rows if r.indicator.code == code)


def test_each_row_shows_the_national_value_and_rank(client_for, official, sheet):
    rate = Indicator.objects.get(code="discharge_rate_3m")
    prefectures = [p for p in Prefecture.objects.country() if p.code != "350001"]
    observe_country(rate, [2017], prefectures=prefectures)  # the sheet holds Yamaguchi's H29 value
    client = client_for(official)
    response = client.get(URL, {"fiscal_year": 2022})
    row = _row(response, "discharge_rate_3m")
    assert row.national is not None
    assert row.national.period.label == "平成29年度"
    assert row.national.ranked_count == 47
    html = response.content.decode()
    cell = html[html.index('data-testid="national-discharge_rate_3m"') :].split("</td>")[0]
    assert "全国 25.5％" in cell or "全国 26％" in cell
    assert f"山口 47都道府県中 {row.national.rank}位" in cell
    assert "/national/discharge_rate_3m/" in cell
    assert _row(response, "discharge_rate_6m").national is None  # no 全国 value: 「－」


def test_a_new_national_value_is_shown_at_once(client_for, official, sheet):
    """The dashboard is cached on the data versions: a national value saved moves them."""
    rate = Indicator.objects.get(code="discharge_rate_3m")
    client = client_for(official)
    assert _row(client.get(URL, {"fiscal_year": 2022}), "discharge_rate_3m").national is None
    observation_record(
        by=official, indicator=rate, prefecture=Prefecture.objects.nation(), period_text="H29年度", value=60
    )
    row = _row(client.get(URL, {"fiscal_year": 2022}), "discharge_rate_3m")
    assert row.national is not None and str(row.national.nation_value) == "60.000"


def test_queries_do_not_grow_with_prefectures_and_periods(client_for, official, sheet):
    from django.core.cache import cache

    rate = Indicator.objects.get(code="discharge_rate_3m")
    others = [p for p in Prefecture.objects.country() if p.code != "350001"]
    client = client_for(official)
    client.get(URL)
    observe_country(rate, [2017], prefectures=others[:4])
    cache.clear()
    with CaptureQueriesContext(connection) as small:
        client.get(URL, {"fiscal_year": 2022})
    observe_country(rate, [2014, 2015], prefectures=others)
    observe_country(rate, [2017], prefectures=others[4:], nation_value=None)
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        response = client.get(URL, {"fiscal_year": 2022})
    assert _row(response, "discharge_rate_3m").national.ranked_count == 47
    assert len(small) == len(large)
