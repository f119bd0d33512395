"""In Chromium, one region's figures of one 年度 through submission and approval (issue #17): 岩国 staff
submit their data set, an official sends it back with a reason, the staff read the reason, correct the
value and submit again, the official approves, and the staff's next edit is refused with the message
saying who approved it and how to unlock it."""

import re
from decimal import Decimal

import pytest

from indicators.models import DataSet, Indicator, Observation
from indicators.services import observation_record
from regions.models import Prefecture, Region

PAGE = "/indicators/datasets/3501/2022/"


def sign_out(page):
    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))


def state_badge(page) -> str:
    return page.get_by_test_id("state").inner_text()


@pytest.mark.browser
def test_submit_send_back_resubmit_approve_then_edits_are_refused(
    page, login, live_server, sheet, official, iwakuni_staff
):
    value = observation_record(
        by=iwakuni_staff,
        indicator=Indicator.objects.get(code="discharge_rate_3m"),
        prefecture=Prefecture.objects.get(code="350001"),
        region=Region.objects.get(code="3501"),
        period_text="R4年度",
        value=Decimal("4863"),  # typed without its decimal point: 48.6 was meant
        provenance="NDB",
    )
    edit_url = f"{live_server.url}/indicators/values/{value.pk}/edit/"

    # 1. 岩国 staff submit their set from its page.
    login(page, iwakuni_staff)
    page.goto(live_server.url + PAGE)
    assert state_badge(page) == "入力中"
    page.get_by_label("提出メモ").fill("R4年度の退院率を入力しました")
    page.get_by_role("button", name="提出する").click()
    page.wait_for_load_state()
    assert page.get_by_text("提出しました").is_visible()
    assert state_badge(page) == "提出済"
    sign_out(page)

    # 2. The official sends it back with a reason.
    login(page, official)
    page.goto(live_server.url + PAGE)
    assert "4,863" in page.get_by_test_id("figures").inner_text()
    page.get_by_label("差し戻しの理由").fill("退院率が4,863％になっています。小数点を確認してください。")
    page.get_by_role("button", name="差し戻す").click()
    page.wait_for_load_state()
    assert state_badge(page) == "差し戻し"
    sign_out(page)

    # 3. The staff read the reason, correct the value (open again) and submit once more.
    login(page, iwakuni_staff)
    page.goto(live_server.url + PAGE)
    assert "小数点を確認してください" in page.get_by_test_id("returned-reason").inner_text()
    page.goto(edit_url)
    page.locator("input[name='value']").fill("48.6")
    page.get_by_role("button", name="保存する").click()
    page.wait_for_url(re.compile(r"/indicators/definitions/discharge_rate_3m/$"))
    assert Observation.objects.get(pk=value.pk).value == Decimal("48.6")
    page.goto(live_server.url + PAGE)
    page.get_by_role("button", name="提出する").click()
    page.wait_for_load_state()
    assert state_badge(page) == "提出済"
    sign_out(page)

    # 4. The official approves.
    login(page, official)
    page.goto(live_server.url + PAGE)
    page.get_by_role("button", name="承認する").click()
    page.wait_for_load_state()
    assert page.get_by_text("承認しました").is_visible()
    assert state_badge(page) == "承認済"
    assert page.get_by_test_id("transitions").locator("tbody td:nth-child(3)").all_inner_texts() == [
        "入力中 → 提出済",
        "提出済 → 差し戻し",
        "差し戻し → 提出済",
        "提出済 → 承認済",
    ]
    sign_out(page)

    # 5. The staff's next edit is refused, with who approved it and how to unlock it.
    login(page, iwakuni_staff)
    page.goto(edit_url)
    assert "承認したため変更できません" in page.get_by_test_id("locked-notice").inner_text()
    page.locator("input[name='value']").fill("50.0")
    page.get_by_role("button", name="保存する").click()
    page.wait_for_load_state()
    refusal = page.get_by_text(
        re.compile("岩国圏域 令和4年度のデータは.*officialさんが承認したため変更できません")
    ).first
    assert refusal.is_visible()
    assert "「承認を取り消して再開する」" in refusal.inner_text()
    assert Observation.objects.get(pk=value.pk).value == Decimal("48.6")
    assert DataSet.objects.get().state == DataSet.State.APPROVED
    assert page.console_errors == []
