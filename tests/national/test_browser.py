"""In Chromium: an official uploads the sample national table, maps its columns and confirms it.

`import_national_table` performs the three steps and is meant to be reused by tests that then look at
the comparison pages (Yamaguchi's rank on the dashboard and so on)."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from indicators.models import ImportBatch, Observation
from national.models import SourceGap, WideTableLayout
from tests.national.helpers import SAMPLE_MAPPING, SAMPLE_XLSX


@pytest.fixture
def loaded(reference_data):
    call_command("load_sheet", stdout=io.StringIO())


def import_national_table(
    page,
    base_url: str,
    path=SAMPLE_XLSX,
    *,
    source="精神保健福祉資料（NDB）",
    mapping=SAMPLE_MAPPING,
    skip_lines=(),
):
    """Upload `path` on /national/imports/new/, map each column index in `mapping` to its indicator
    code (periods as read from the headers), tick 「この行を取り込まない」 for `skip_lines`, save, and
    confirm. With a saved layout of the same shape the mapping step is skipped. Returns the page on
    the import's record (status 取り込み済み)."""
    page.goto(f"{base_url}/national/imports/new/")
    page.get_by_label("全国の表（CSV または Excel .xlsx）").set_input_files(str(path))
    page.get_by_label("出典").fill(source)
    page.get_by_role("button", name="表を読み取る").click()
    page.wait_for_url("**/national/imports/*/map/")
    if page.get_by_test_id("columns").count():
        for index, code in mapping.items():
            page.get_by_test_id(f"column-{index}").locator("select").select_option(code)
        for line in skip_lines:
            page.locator(f"input[name='skip_{line}']").check()
        page.get_by_role("button", name="対応付けを保存して確認へ").click()
        page.wait_for_url("**/national/imports/*/map/")
    page.get_by_test_id("batch-summary").get_by_role("button", name="取り込む").click()
    page.wait_for_url("**/indicators/imports/*/")
    if page.get_by_label("確認のメモ（ファイル全体）").count():  # soft findings: one note for the file
        page.get_by_label("確認のメモ（ファイル全体）").fill("全国の公表値と照合済み")
        page.get_by_role("button", name="確認のうえ取り込む").click()
        page.wait_for_url("**/indicators/imports/*/")
    assert page.get_by_test_id("batch-status").inner_text() == "取り込み済み"
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_official_uploads_maps_and_confirms_a_national_table(page, login, live_server, official, loaded):
    login(page, official)
    page.goto(f"{live_server.url}/indicators/imports/")
    page.get_by_test_id("wide-import-link").click()
    page.wait_for_url("**/national/imports/new/")
    import_national_table(page, live_server.url)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.APPLIED and batch.row_count == 48 * 6 - 3
    national = Observation.objects.get(
        indicator__code="discharge_rate_3m", area_key="pref:000000", period_key="fy:2019"
    )
    assert national.value == Decimal("63.5")
    assert SourceGap.objects.count() == 3
    assert WideTableLayout.objects.get().name == "精神保健福祉資料（NDB）"
    page.goto(f"{live_server.url}/national/layouts/")
    assert "discharge_rate_3m" in page.get_by_test_id("layouts").inner_text()
    assert page.console_errors == []


def expected_rank(path, *, column: int, name: str) -> tuple[int, int]:
    """(rank, ranked) of the prefecture called `name` (with or without 県) in one column of the sample
    CSV, read independently of the portal: higher is better for discharge rates, ties share a rank,
    全国 and suppressed or missing cells are not ranked."""
    import csv

    values = {}
    with path.open(encoding="utf-8-sig") as handle:
        for row in csv.reader(handle):
            if len(row) <= column or row[1] in ("", "全国", "都道府県"):
                continue
            try:
                values[row[1].removesuffix("県")] = Decimal(row[column])
            except ArithmeticError:
                continue  # ＊, ‐, blank, notes
    own = values[name.removesuffix("県")]
    return 1 + sum(1 for value in values.values() if value > own), len(values)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_after_the_import_the_dashboard_shows_yamaguchis_rank_among_the_prefectures(
    page, login, live_server, official, loaded
):
    from tests.national.helpers import SAMPLE_CSV

    login(page, official)
    import_national_table(page, live_server.url, SAMPLE_CSV)
    rank, ranked = expected_rank(SAMPLE_CSV, column=3, name="山口県")  # 3か月, 令和2年度
    page.goto(f"{live_server.url}/indicators/")
    cell = page.get_by_test_id("national-discharge_rate_3m")
    text = cell.inner_text()
    national = Observation.objects.get(
        indicator__code="discharge_rate_3m", area_key="pref:000000", period_key="fy:2020"
    )
    assert f"{national.value:.1f}" in text
    assert f"山口 {ranked}都道府県中 {rank}位" in text
    cell.get_by_role("link").click()
    page.wait_for_url("**/national/discharge_rate_3m/**")
    assert page.console_errors == []
