"""The comparison pages: the tile map's markup, the table and downloads, peers, bad input, query counts."""

import re
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from national.models import ComparisonPeers
from regions.models import Prefecture
from tests.factories import IndicatorFactory
from tests.national.factories import observe_country, source_gap, value_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def rate(reference_data):
    indicator = IndicatorFactory(
        code="national_rate",
        name_ja="退院率（全国比較）",
        unit="％",
        value_type="percent",
        decimal_places=1,
        direction="higher",
    )
    observe_country(indicator, [2019, 2020])
    return indicator


def test_the_index_lists_indicators_with_national_data(client_for, viewer, rate):
    IndicatorFactory(code="no_national")
    html = client_for(viewer).get("/national/").content.decode()
    assert "/national/national_rate/" in html and "no_national" not in html
    assert "この指標について" in html


def test_the_tile_map_has_every_prefecture_with_its_value_as_text(client_for, viewer, reference_data):
    indicator = IndicatorFactory(code="gap_rate", unit="％", value_type="percent", decimal_places=1)
    observe_country(indicator, [2020], value=lambda p, y: None if p.code == "470007" else value_of(p, y))
    source_gap(indicator, Prefecture.objects.get(code="470007"), fiscal_year=2020)
    response = client_for(viewer).get("/national/gap_rate/")
    assert response.status_code == 200
    html = response.content.decode()
    svg = html[html.index('data-testid="tile-map"') : html.index("</svg>")]
    codes = re.findall(r'data-code="(\d{6})"', svg)
    assert sorted(codes) == sorted(Prefecture.objects.country().values_list("code", flat=True))
    # each square: a label a screen reader reads, the short name and the value as text
    assert 'aria-label="山口県 35.3％（46都道府県中 12位）"' in svg
    assert ">山口</text>" in svg and ">35.3％</text>" in svg
    assert 'aria-label="沖縄県 秘匿"' in svg and ">秘匿</text>" in svg
    assert 'data-portal="true"' in svg
    legend = html[html.index('data-testid="tile-legend"') :]
    assert "秘匿・値なし" in legend and "～" in legend


def test_the_page_shows_rank_national_value_table_and_explanation_link(client_for, viewer, rate):
    html = client_for(viewer).get("/national/national_rate/").content.decode()
    assert "47都道府県中 13位" in html
    assert 'data-testid="nation-value">25.5％' in html
    assert "令和2年度（山口県と全国の両方に値がある最新の期間）" in html
    assert html.count('data-area="pref:') == 48
    assert "/indicators/definitions/national_rate/" in html
    assert 'id="figure-ranking" type="application/json"' in html
    assert "<script>" not in html


def test_bad_query_strings_show_a_message_never_an_error(client_for, viewer, rate):
    client = client_for(viewer)
    for query in (
        "?period=fy:1900",
        "?period=%00",
        "?level=nowhere",
        "?level=region",
        "?period=" + "x" * 500,
    ):
        response = client.get("/national/national_rate/" + query)
        assert response.status_code == 200, query
        assert "令和2年度" in response.content.decode()
    assert client.get("/national/unknown/").status_code == 404
    html = client.get("/national/national_rate/?period=fy:2019").content.decode()
    assert "47都道府県中 13位" in html and 'data-testid="summary"' in html


def test_downloads_csv_and_excel(client_for, viewer, rate):
    client = client_for(viewer)
    response = client.get("/national/national_rate/export.csv?period=fy:2020")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0] == "順位,地域,値,単位,期間,出典,備考"
    assert lines[1].startswith(",全国,25.5,％,令和2年度")
    assert any(line.startswith("13,山口県,35.3,％,令和2年度") for line in lines)
    assert len(lines) == 49
    assert "全国との比較_退院率" in unquote(response["Content-Disposition"])
    xlsx = client.get("/national/national_rate/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get("/national/national_rate/export.pdf").status_code == 404


def test_peers_are_saved_per_user_and_limited_to_five(client_for, viewer, official, rate):
    client = client_for(viewer)
    ids = list(Prefecture.objects.country().exclude(code="350001").values_list("pk", flat=True)[:6])
    response = client.post("/national/national_rate/peers/", {"prefectures": ids})
    assert response.status_code == 400
    assert "5つまでです" in response.content.decode()
    assert not ComparisonPeers.objects.exists()
    response = client.post("/national/national_rate/peers/", {"prefectures": ids[:2]})
    assert response.status_code == 302
    assert set(ComparisonPeers.objects.get(user=viewer).prefectures.values_list("pk", flat=True)) == set(
        ids[:2]
    )
    html = client.get("/national/national_rate/").content.decode()
    over_time = html[html.index('data-testid="over-time-table"') :]
    assert "北海道" in over_time and "青森県" in over_time
    # the official's own list is apart
    other = client_for(official).get("/national/national_rate/").content.decode()
    assert "北海道" not in other[other.index('data-testid="over-time-table"') :].split("</table>")[0]
    # the portal's own prefecture is not offered as a peer
    portal = Prefecture.objects.portal().pk
    response = client_for(viewer).post("/national/national_rate/peers/", {"prefectures": [portal]})
    assert response.status_code == 400


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_queries_do_not_grow_with_prefectures_and_periods(client_for, viewer, reference_data):
    client = client_for(viewer)
    small = IndicatorFactory(code="small_set")
    few = list(Prefecture.objects.country()[:5])
    observe_country(small, [2020], prefectures=[*few, Prefecture.objects.portal()])
    large = IndicatorFactory(code="large_set")
    observe_country(large, [2017, 2018, 2019, 2020])
    peers = ComparisonPeers.objects.create(user=viewer)
    peers.prefectures.set(few[:3])
    client.get("/national/small_set/")  # the session and the like, read once
    assert _count(client, "/national/small_set/") == _count(client, "/national/large_set/")


def test_the_bar_chart_carries_the_national_and_target_lines(client_for, viewer, rate):
    import json

    from indicators.models import Target, area_key_for
    from tests.factories import PlanFactory

    portal = Prefecture.objects.portal()
    Target.objects.create(
        indicator=rate,
        prefecture=portal,
        area_key=area_key_for(prefecture=portal),
        plan=PlanFactory(name="第7期の計画", first_fiscal_year=2024, last_fiscal_year=2040),
        fiscal_year=2026,
        value=60,
        comparator="gte",
    )
    html = client_for(viewer).get("/national/national_rate/").content.decode()
    start = html.index('id="figure-ranking" type="application/json">') + len(
        'id="figure-ranking" type="application/json">'
    )
    figure = json.loads(html[start : html.index("</script>", start)])
    assert [s["x0"] for s in figure["layout"]["shapes"]] == [25.5, 60.0]
    assert figure["layout"]["annotations"][1]["text"] == "山口の目標（第7期の計画）"
    colours = figure["data"][0]["marker"]["color"]
    assert colours.count("#c0392b") == 1  # the portal's bar alone is highlighted
    assert figure["data"][0]["y"][colours.index("#c0392b")] == "13. 山口"
    assert "60.0％（山口の目標（第7期の計画））" in html


def test_the_regions_within_the_prefecture(client_for, viewer, rate):
    from tests.indicators.helpers import observe

    observe("national_rate", "3501", 40, fiscal_year=2020)
    observe("national_rate", "3508", 50, fiscal_year=2020)
    html = client_for(viewer).get("/national/national_rate/?level=region").content.decode()
    assert "県内の圏域の比較" in html
    table = html[html.index('data-testid="comparison-table"') :].split("</table>")[0]
    assert table.count('data-area="region:') == 8
    assert 'data-area="pref:350001"' in table  # the prefecture's own value above the regions
    assert "萩圏域" in table.split('data-area="region:')[1]  # rank 1 first
    assert 'data-testid="tile-map"' not in html
    response = client_for(viewer).get("/national/national_rate/export.csv?level=region")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "1,萩圏域,50.0" in text and "2圏域中 1位" in text


def test_counts_of_people_are_not_compared_region_by_region(client_for, viewer, reference_data):
    """A region's count of 1–9 people is hidden everywhere (small counts): the comparison never ranks,
    charts or exports regions for an indicator that counts people, whatever the query string says."""
    from tests.indicators.helpers import observe

    people = IndicatorFactory(
        code="people_count", name_ja="長期入院患者数（比較）", unit="人", counts_people=True
    )
    observe_country(people, [2020])
    observe("people_count", "3501", 4, fiscal_year=2020)
    observe("people_count", "3508", 120, fiscal_year=2020)
    client = client_for(viewer)
    html = client.get("/national/people_count/?level=region").content.decode()
    assert "圏域ごとには比べません" in html
    assert 'data-area="region:' not in html and 'value="region"' not in html
    response = client.get("/national/people_count/export.csv?level=region")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "岩国" not in text and "萩" not in text and "山口県" in text
