"""In Chromium: the dashboard's charts render with no console errors; an official imports a file."""

import io
from datetime import date

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from indicators.models import Observation
from tests.indicators.helpers import HEADER
from tests.training.factories import TrainingSessionFactory


@pytest.fixture
def loaded(reference_data):
    call_command("load_sheet", stdout=io.StringIO())


def _charts_drawn(page, expected: int):
    """Scrolls to each chart in turn (plotly.js is fetched, and a chart drawn, only as it comes into
    view) and waits until it is drawn."""
    charts = page.locator(".chart[data-figure]")
    assert charts.count() == expected
    for index in range(expected):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed()
        expect(chart).to_have_attribute("data-drawn", "yes", timeout=30_000)
    assert page.locator(".chart .plot-container").count() == expected
    assert page.locator(".chart svg.main-svg").count() >= expected


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_charts_render_with_their_tables(page, login, live_server, viewer, loaded):
    TrainingSessionFactory(start_date=date(2022, 10, 1))
    login(page, viewer)
    page.goto(f"{live_server.url}/indicators/?fiscal_year=2022")
    # 協議の場（圏域数）, 長期在院者数, 退院率 and the activity chart
    # Not linked by the page: fetched once, when the first chart came into view.
    assert page.locator("script[src*='vendor/plotly/plotly.min.js']").count() == 0
    _charts_drawn(page, 4)
    assert page.locator("script[src*='vendor/plotly/plotly.min.js']").count() == 1
    assert page.locator("script:not([src]):not([type='application/json'])").count() == 0  # no inline scripts
    card = page.locator("#chart-inpatients-1y-plus")
    assert "年 -58.6人" in card.inner_text() and "令和14年度" in card.inner_text()
    table = page.get_by_test_id("table-chart-inpatients-1y-plus")
    assert "3906" in table.inner_text() and "2855" in table.inner_text()
    with page.expect_download() as download:
        card.get_by_test_id("csv-chart-inpatients-1y-plus").click()
    with open(download.value.path(), encoding="utf-8-sig") as handle:
        content = handle.read()
    assert content.splitlines()[1].startswith("平成26年（6月30日時点）,3906,2464,1442")
    assert page.console_errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_chart_whose_plotly_cannot_be_fetched_points_to_its_table(page, login, live_server, viewer, loaded):
    login(page, viewer)
    page.route("**/vendor/plotly/**", lambda route: route.abort())
    page.goto(f"{live_server.url}/indicators/?fiscal_year=2022")
    chart = page.locator("#chart-inpatients-1y-plus .chart")
    chart.scroll_into_view_if_needed()
    expect(chart).to_contain_text("グラフを読み込めませんでした。同じ値を下の表に示します。")
    assert chart.get_attribute("data-drawn") is None
    assert "3906" in page.get_by_test_id("table-chart-inpatients-1y-plus").inner_text()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_see_their_region_and_switch_to_the_prefecture(page, login, live_server, iwakuni_staff, loaded):
    login(page, iwakuni_staff)
    page.goto(f"{live_server.url}/indicators/")
    assert "岩国圏域" in page.get_by_test_id("dashboard-scope").inner_text()
    assert page.get_by_label("地域", exact=True).input_value() == "3501"
    assert "岩国圏域の値はまだ登録されていません" in page.locator("#chart-discharge-rate-3m").inner_text()
    page.get_by_label("地域", exact=True).select_option(label="山口県全体")
    page.get_by_role("button", name="表示").click()
    page.wait_for_url("**region=**")
    assert "山口県全体" in page.get_by_test_id("dashboard-scope").inner_text()
    _charts_drawn(page, 3)
    assert page.console_errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_official_imports_a_file_after_the_preview(page, login, live_server, official, loaded, tmp_path):
    path = tmp_path / "退院率R2.csv"
    path.write_text(
        HEADER + "\ndischarge_rate_3m,3501,R2年度,45.5,NDB,,\ndischarge_rate_3m,3508,令和2年度,41.0,NDB,,\n",
        encoding="utf-8",
    )
    login(page, official)
    page.goto(f"{live_server.url}/indicators/imports/")
    page.get_by_label("取り込むファイル（CSV または Excel .xlsx）").set_input_files(str(path))
    page.get_by_role("button", name="確認する").click()
    page.wait_for_url("**/indicators/imports/*/")
    preview = page.get_by_test_id("preview")
    assert preview.get_by_role("row").count() == 3 and "萩圏域" in preview.inner_text()
    assert not Observation.objects.filter(area_key="region:3508").exists()
    page.get_by_role("button", name="取り込む").click()
    page.wait_for_selector("text=2行を取り込みました")
    assert Observation.objects.get(area_key="region:3508", period_key="fy:2020").value == 41
    page.goto(f"{live_server.url}/indicators/?fiscal_year=2022")
    matrix = page.get_by_test_id("matrix")
    assert "41.0％" in matrix.inner_text() and "遅れ" in matrix.inner_text()
    assert page.console_errors == []
