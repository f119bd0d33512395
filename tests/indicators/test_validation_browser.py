"""In Chromium: a questioned value in an import needs the file's note, lands on 「確認が必要な値」, and is
resolved there."""

import io

import pytest
from django.core.management import call_command

from indicators.models import FlaggedValue, Observation
from tests.indicators.helpers import HEADER


@pytest.fixture
def loaded(reference_data):
    call_command("load_sheet", stdout=io.StringIO())


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_questioned_import_is_confirmed_with_a_note_then_resolved(
    page, login, live_server, official, loaded, tmp_path
):
    path = tmp_path / "退院率R2.csv"
    path.write_text(HEADER + "\ndischarge_rate_3m,350001,R2年度,70,NDB,,\n", encoding="utf-8")
    login(page, official)
    page.goto(f"{live_server.url}/indicators/imports/")
    page.get_by_label("取り込むファイル（CSV または Excel .xlsx）").set_input_files(str(path))
    page.get_by_role("button", name="確認する").click()
    page.wait_for_url("**/indicators/imports/*/")
    assert "21.4ポイント 増えています" in page.get_by_test_id("row-findings").inner_text()

    page.get_by_role("button", name="確認のうえ取り込む").click()  # no note
    page.wait_for_selector("text=確認のメモを入力してください")
    assert not Observation.objects.filter(period_key="fy:2020", area_key="pref:350001").exists()

    page.get_by_label("確認のメモ（ファイル全体）").fill("NDB 公表値と照合済み")
    page.get_by_role("button", name="確認のうえ取り込む").click()
    page.wait_for_selector("text=1行を取り込みました")
    page.get_by_role("link", name="確認が必要な値の一覧").click()
    row = page.get_by_test_id("flag")
    assert "NDB 公表値と照合済み" in row.inner_text() and "入院後３か月時点の退院率" in row.inner_text()

    row.get_by_label("確認結果").fill("県の担当で再確認した")
    row.get_by_role("button", name="確認済みにする").click()
    page.wait_for_selector("text=確認済みにしました")
    assert "確認済み" in page.get_by_test_id("flag").inner_text()
    assert FlaggedValue.objects.get().resolution == "県の担当で再確認した"
    assert page.console_errors == []
