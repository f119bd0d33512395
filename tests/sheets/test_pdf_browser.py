"""In a real browser: the server-drawn charts show on the sheet page, and an official publishes an edition."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_official_sees_the_charts_and_publishes_the_first_edition(loaded, official, page, login, live_server):
    login(page, official)
    page.goto(f"{live_server.url}/sheets/2022/")
    assert page.get_by_test_id("sheet-state").inner_text() == "案（未公開）"
    for chart in ("chart-discharge", "chart-long-stay"):
        box = page.get_by_test_id(chart).locator("svg").bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 150
    page.get_by_label("公開にあたってのメモ（任意）").fill("国への提出版")
    # No data set of the loaded sheet is approved: the figures are listed, and publishing without
    # ticking the confirmation is refused (the note kept).
    assert "この版に載る数値のうち 28 件は、県の承認を受けていません" in (
        page.get_by_test_id("unapproved-figures").inner_text()
    )
    page.get_by_role("button", name="第1版として公開する").click()
    assert "県の承認を受けていない数値が 28 件あります" in page.get_by_test_id("publish-refusal").inner_text()
    assert page.get_by_label("公開にあたってのメモ（任意）").input_value() == "国への提出版"
    page.get_by_label("未承認の数値を含めて公開する").check()
    page.get_by_role("button", name="第1版として公開する").click()
    assert "第1版として公開します" in page.get_by_test_id("confirm-what").inner_text()
    page.get_by_role("button", name="公開する", exact=True).click()
    page.wait_for_url(f"{live_server.url}/sheets/2022/")
    assert "第1版を公開しました" in page.locator(".alert-success").inner_text()
    assert "未承認の数値 28 件を含めて公開" in page.get_by_test_id("published-unapproved").inner_text()
    link = page.get_by_role("link", name="第1版（")
    assert link.get_attribute("href") == "/sheets/2022/editions/1.pdf"
    assert page.get_by_text("国への提出版").first.is_visible()
    assert page.get_by_role("button", name="第2版として公開する").is_visible()
    # the refused request answered 400 (Chromium logs that status); nothing else went wrong
    assert page.console_errors == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
