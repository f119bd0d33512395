import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_official_reads_the_sheet_and_opens_the_editor(loaded, official, page, login, live_server):
    missing = []
    page.on("response", lambda r: r.status >= 400 and missing.append(r.url))
    login(page, official)
    page.goto(f"{live_server.url}/sheets/2022/")
    body = page.get_by_test_id("sheet-body")
    assert "1,315,949" in body.inner_text()
    assert page.get_by_test_id("share-under-3m").inner_text().strip() == "14.2 ％"
    assert page.get_by_role("button", name="印刷").is_visible()
    page.get_by_text("このシートを編集する（県職員）").click()
    page.get_by_role("link", name="６ 今年度の取組スケジュール").click()
    page.wait_for_url(f"{live_server.url}/sheets/2022/edit/part6/")
    assert page.get_by_role("button", name="保存する").is_visible()
    page.emulate_media(media="print")
    page.goto(f"{live_server.url}/sheets/2022/")
    assert not page.get_by_role("button", name="印刷").is_visible()
    # the browser's own favicon request is the only miss (the base layout has no favicon)
    assert [url for url in missing if not url.endswith("/favicon.ico")] == []
    assert [e for e in page.console_errors if "404" not in e] == []
