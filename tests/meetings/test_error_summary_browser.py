"""In Chromium: the meeting form comes back with an error in an action row far down the page, and the
error summary at the top takes focus, names the row, and its link moves focus to the field (issue #19)."""

import pytest
from playwright.sync_api import expect

from meetings.models import Meeting


@pytest.mark.browser
def test_an_action_row_error_far_down_is_found_from_the_summary(page, login, live_server, iwakuni_staff):
    login(page, iwakuni_staff)
    page.goto(f"{live_server.url}/meetings/new/")
    page.get_by_label("種別").select_option(label="圏域連絡調整会議")
    page.get_by_label("会議名").fill("令和4年度 第2回 岩国圏域連絡調整会議")
    page.get_by_label("開催日").fill("2022-10-05")
    page.locator("input[name='actions-0-description']").fill("グループホームの空き状況を確認する")
    # 担当機関 left blank: the row is refused, about 1,400 px below the top of the page
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()

    assert page.title().startswith("エラー 1件 – 会議の登録")
    summary = page.locator("[data-error-summary]")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    # at the top: above the form, and in view as the page comes back
    assert page.evaluate(
        "document.querySelector('[data-error-summary]').getBoundingClientRect().bottom"
        " <= document.querySelector('#meeting-form').getBoundingClientRect().top"
    )
    box = summary.bounding_box()
    assert box is not None and 0 <= box["y"] < 900

    field = page.locator("#id_actions-0-responsible")
    field_top = page.evaluate(
        "document.querySelector('#id_actions-0-responsible').getBoundingClientRect().top + scrollY"
    )
    assert field_top > 900  # below the fold: what the summary is for

    summary.get_by_role("link", name="対応事項 1行目：担当機関を入力してください。").click()
    assert page.evaluate("document.activeElement.id") == "id_actions-0-responsible"
    expect(field).to_be_in_viewport()  # scrolled to (Bootstrap scrolls smoothly: expect waits for it)

    assert field.get_attribute("aria-invalid") == "true"
    described_by = field.get_attribute("aria-describedby")
    assert described_by
    assert page.locator(f"[id='{described_by}']").inner_text().strip() == "担当機関を入力してください。"
    assert not Meeting.objects.exists()
    assert page.console_errors == []


@pytest.mark.browser
def test_a_paste_cut_at_the_limit_is_said_beside_the_field(page, login, live_server, iwakuni_staff):
    login(page, iwakuni_staff)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(f"{live_server.url}/meetings/new/")
    title = page.get_by_label("会議名")
    assert title.get_attribute("maxlength") == "200"  # the input keeps its limit
    page.evaluate("navigator.clipboard.writeText('あ'.repeat(10000))")
    title.focus()
    page.keyboard.press("Control+V")

    assert len(title.input_value()) == 200
    notice = page.locator("#id_title_length")
    assert (
        notice.inner_text()
        == "会議名は200文字以内です。貼り付けた 10000 文字のうち、9800 文字は入力されていません。"
    )
    assert "id_title_length" in title.get_attribute("aria-describedby").split()
    assert page.console_errors == []
