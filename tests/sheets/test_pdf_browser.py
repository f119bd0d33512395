"""In a real browser: the server-drawn charts show on the sheet page, and an official publishes an edition."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_official_sees_the_charts_and_publishes_the_first_edition(loaded, official, page, login, live_server):
    login(page, official)
    page.goto(f"{live_server.url}/sheets/2022/")
    assert page.get_by_test_id("draft-mark").is_visible()
    for chart in ("chart-discharge", "chart-long-stay"):
        box = page.get_by_test_id(chart).locator("svg").bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 150
    page.get_by_label("公開にあたってのメモ（任意）").fill("国への提出版")
    page.get_by_role("button", name="第1版として公開する").click()
    page.wait_for_url(f"{live_server.url}/sheets/2022/")
    assert "第1版を公開しました" in page.locator(".alert-success").inner_text()
    link = page.get_by_role("link", name="第1版（")
    assert link.get_attribute("href") == "/sheets/2022/editions/1.pdf"
    assert page.get_by_text("国への提出版").first.is_visible()
    assert page.get_by_role("button", name="第2版として公開する").is_visible()
    assert page.console_errors == []
