"""In Chromium: iwakuni staff log a 事例検討会 with participants, an action item and a case, find it
in the list, and hagi staff are refused on its edit page."""

import re

import pytest

from meetings.models import Meeting


@pytest.mark.browser
def test_staff_log_a_meeting_and_another_region_is_refused(
    page, login, live_server, iwakuni_staff, hagi_staff
):
    login(page, iwakuni_staff)
    page.goto(f"{live_server.url}/meetings/")
    page.get_by_role("link", name="会議を登録").click()

    page.get_by_label("種別").select_option(label="地域移行事例検討会")
    page.get_by_label("会議名").fill("令和4年度 第1回 岩国圏域 地域移行事例検討会")
    page.get_by_label("開催日").fill("2022-10-05")
    page.get_by_label("開始時刻").fill("14:00")
    page.get_by_label("終了時刻").fill("16:00")
    page.get_by_label("場所", exact=True).fill("岩国健康福祉センター 会議室")
    page.locator("input[name='agenda-0-title']").fill("長期入院者の退院支援について")
    page.get_by_label("精神科病院：精神保健福祉士").fill("2")
    page.get_by_label("当事者・ピアサポーター").fill("1")
    page.get_by_label("保健所", exact=True).fill("3")

    # The server renders two blank action rows; JavaScript adds a third.
    page.get_by_role("button", name="対応事項の行を追加").click()
    assert page.locator("input[name='actions-2-description']").count() == 1
    page.locator("input[name='actions-0-description']").fill("グループホームの空き状況を確認する")
    page.locator("input[name='actions-0-responsible']").fill("相談支援事業所")
    page.locator("input[name='actions-0-due_date']").fill("2022-12-01")

    page.locator("select[name='cases-0-age_band']").select_option(label="60歳代")
    page.locator("select[name='cases-0-stay_band']").select_option(label="10年以上20年未満")
    page.locator("select[name='cases-0-diagnosis_group']").select_option(value="F2")
    page.locator("input[name='cases-0-barriers'][value='housing']").check()
    page.locator("input[name='cases-0-supports'][value='group_home']").check()
    page.locator("textarea[name='cases-0-summary']").fill("グループホームの体験利用を計画した。")
    page.get_by_role("button", name="保存").click()

    page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    assert page.get_by_role("heading", name="令和4年度 第1回 岩国圏域 地域移行事例検討会").is_visible()
    assert page.get_by_text("参加者（計 6人）").is_visible()
    assert page.get_by_role("cell", name="グループホームの空き状況を確認する").is_visible()
    assert page.get_by_role("link", name="岩国-R4-001").is_visible()

    meeting = Meeting.objects.get()
    assert meeting.action_items.count() == 1
    assert dict(meeting.participations.values_list("category", "count")) == {
        "hospital_psw": 2,
        "peer": 1,
        "health_centre": 3,
    }

    page.goto(f"{live_server.url}/meetings/")
    page.get_by_label("検索（会議名・議題）").fill("退院支援")
    page.get_by_role("button", name="絞り込む").click()
    assert page.get_by_role("link", name="令和4年度 第1回 岩国圏域 地域移行事例検討会").is_visible()
    assert page.console_errors == []

    page.get_by_role("button", name="ログアウト").click()
    login(page, hagi_staff)
    response = page.goto(f"{live_server.url}/meetings/{meeting.pk}/edit/")
    assert response.status == 403
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/")
    assert page.get_by_test_id("cases-hidden").is_visible()
    assert page.get_by_text("岩国-R4-001").count() == 0


@pytest.mark.browser
def test_the_form_works_without_javascript(browser, live_server, iwakuni_staff, password):
    context = browser.new_context(java_script_enabled=False, locale="ja-JP", timezone_id="Asia/Tokyo")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("利用者名").fill(iwakuni_staff.username)
        page.get_by_label("パスワード").fill(password)
        page.get_by_role("button", name="ログイン").click()
        page.goto(f"{live_server.url}/meetings/new/")
        assert not page.get_by_role("button", name="対応事項の行を追加").is_visible()
        assert page.locator("input[name$='-description']").count() == 2  # extra blank rows from the server
        page.get_by_label("種別").select_option(label="圏域連絡調整会議")
        page.get_by_label("会議名").fill("JavaScriptなしで登録した会議")
        page.get_by_label("開催日").fill("2022-11-01")
        page.get_by_label("保健所", exact=True).fill("2")  # held: with nobody, the page asks to confirm
        page.locator("input[name='actions-1-description']").fill("次回日程の調整")
        page.locator("input[name='actions-1-responsible']").fill("岩国健康福祉センター")
        page.get_by_role("button", name="保存").click()
        page.wait_for_url(re.compile(r"/meetings/\d+/$"))
        meeting = Meeting.objects.get()
        assert list(meeting.action_items.values_list("description", flat=True)) == ["次回日程の調整"]
    finally:
        context.close()
