"""In Chromium: the meeting page's case section follows the kind, with JavaScript (the select) and without
(「種別を変更して表示し直す」, or `?kind=`), and what was typed survives every switch (issue #19, item 2)."""

from __future__ import annotations

import re

import pytest

from meetings.models import CaseReview, Meeting, MeetingKind


def _fill_meeting(page, title: str) -> None:
    page.get_by_label("会議名").fill(title)
    page.get_by_label("開催日").fill("2022-10-05")
    page.get_by_label("保健所", exact=True).fill("3")


@pytest.mark.browser
def test_with_javascript_the_section_follows_the_kind_and_keeps_what_was_typed(
    page, login, live_server, iwakuni_staff
):
    login(page, iwakuni_staff)
    page.goto(f"{live_server.url}/meetings/new/")
    section = page.locator("[data-case-section]")
    summary = page.locator("textarea[name='cases-0-summary']")
    kind = page.get_by_label("種別")
    assert section.is_hidden()
    assert (
        page.get_by_role("button", name="種別を変更して表示し直す").count() == 0
    )  # the script follows the select

    kind.select_option(label="地域移行事例検討会")
    assert section.is_visible()
    summary.fill("グループホームの体験利用を計画した。")
    page.locator("select[name='cases-0-age_band']").select_option(label="60歳代")
    kind.select_option(label="圏域連絡調整会議")
    assert section.is_hidden()
    kind.select_option(label="地域移行事例検討会")
    assert section.is_visible()
    assert summary.input_value() == "グループホームの体験利用を計画した。"
    assert page.locator("select[name='cases-0-age_band']").input_value() == "60s"

    # Saved as another kind with the hidden case typed: refused with the reason, the case shown and kept.
    kind.select_option(label="圏域連絡調整会議")
    _fill_meeting(page, "事例を入力したまま種別を変えた会議")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert page.get_by_text(
        "この種別では事例を登録しません。入力した事例は保存されません。"
    ).first.is_visible()
    assert section.is_visible()
    assert summary.input_value() == "グループホームの体験利用を計画した。"
    assert not Meeting.objects.exists()

    page.get_by_label("入力した事例を破棄して保存する").check()
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    assert Meeting.objects.get().kind == MeetingKind.REGIONAL_COORDINATION
    assert not CaseReview.objects.exists()
    assert page.console_errors == []


@pytest.mark.browser
def test_without_javascript_rekind_and_kind_first_keep_what_was_typed(
    browser, live_server, iwakuni_staff, password
):
    context = browser.new_context(java_script_enabled=False, locale="ja-JP", timezone_id="Asia/Tokyo")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("利用者名").fill(iwakuni_staff.username)
        page.get_by_label("パスワード").fill(password)
        page.get_by_role("button", name="ログイン").click()

        # Kind first: a link with ?kind= opens the page with the section of that kind.
        page.goto(f"{live_server.url}/meetings/new/?kind=case_review")
        assert page.locator("[data-case-section]").is_visible()

        page.goto(f"{live_server.url}/meetings/new/")
        assert page.locator("[data-case-section]").is_hidden()
        _fill_meeting(page, "JavaScriptなしで種別を選び直した会議")
        page.locator("input[name='actions-0-description']").fill("病院訪問")
        page.locator("input[name='actions-0-responsible']").fill("保健所")
        page.get_by_label("種別").select_option(label="地域移行事例検討会")
        page.get_by_role("button", name="種別を変更して表示し直す").click()
        page.wait_for_load_state()
        assert page.get_by_test_id("rekinded").is_visible()
        assert page.locator("[data-case-section]").is_visible()
        assert page.get_by_label("会議名").input_value() == "JavaScriptなしで種別を選び直した会議"
        assert page.get_by_label("保健所", exact=True).input_value() == "3"
        assert page.locator("input[name='actions-0-description']").input_value() == "病院訪問"
        assert not Meeting.objects.exists()

        page.locator("textarea[name='cases-0-summary']").fill("退院後の住まいを検討した。")
        page.locator("select[name='cases-0-age_band']").select_option(label="60歳代")
        page.locator("select[name='cases-0-stay_band']").select_option(label="10年以上20年未満")
        page.locator("select[name='cases-0-diagnosis_group']").select_option(value="F2")
        # Back to a kind without cases and shown again: the case stays in the page (with the note that it is not saved).
        page.get_by_label("種別").select_option(label="圏域連絡調整会議")
        page.get_by_role("button", name="種別を変更して表示し直す").click()
        page.wait_for_load_state()
        assert page.locator("textarea[name='cases-0-summary']").input_value() == "退院後の住まいを検討した。"
        page.get_by_label("種別").select_option(label="地域移行事例検討会")
        page.get_by_role("button", name="種別を変更して表示し直す").click()
        page.wait_for_load_state()
        assert page.locator("[data-case-section]").is_visible()
        assert page.locator("textarea[name='cases-0-summary']").input_value() == "退院後の住まいを検討した。"

        # Enter in a text field saves (the form's default button is 保存, not 「表示し直す」).
        page.get_by_label("会議名").press("Enter")
        page.wait_for_url(re.compile(r"/meetings/\d+/$"))
        meeting = Meeting.objects.get()
        assert meeting.kind == MeetingKind.CASE_REVIEW
        assert meeting.cases.get().summary == "退院後の住まいを検討した。"
        assert list(meeting.action_items.values_list("description", flat=True)) == ["病院訪問"]
    finally:
        context.close()
