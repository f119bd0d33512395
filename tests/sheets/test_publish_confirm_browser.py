"""In Chromium, without any page script: publishing opens a confirmation page naming the edition;
「戻る」 publishes nothing, 「公開する」 publishes."""

import pytest

from sheets import pdf as sheet_pdf
from sheets.models import PublishedEdition

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_an_official_publishes_the_first_edition_from_its_confirmation_page(
    page, login, live_server, official, loaded, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(sheet_pdf, "render_pdf", lambda html: b"%PDF-1.7 stand-in")
    login(page, official)
    page.goto(f"{live_server.url}/sheets/2022/")
    page.get_by_label("公開にあたってのメモ（任意）").fill("国への提出版")
    page.get_by_label("未承認の数値を含めて公開する").check()

    page.get_by_role("button", name="第1版として公開する").click()
    page.wait_for_url("**/sheets/2022/publish/?*")
    assert page.get_by_role("heading", name="第1版として公開しますか").is_visible()
    what = page.get_by_test_id("confirm-what").inner_text()
    assert "第1版として公開します" in what
    assert "1バイトも変えずに提供し続けます" in what
    assert "県の承認を受けていない数値 28 件を含めて公開します" in what
    assert "公開にあたってのメモ: 国への提出版" in what
    page.get_by_role("link", name="戻る").click()
    page.wait_for_url(f"{live_server.url}/sheets/2022/")
    assert PublishedEdition.objects.count() == 0
    assert page.get_by_test_id("sheet-state").inner_text() == "案（未公開）"

    page.get_by_label("公開にあたってのメモ（任意）").fill("国への提出版")
    page.get_by_label("未承認の数値を含めて公開する").check()
    page.get_by_role("button", name="第1版として公開する").click()
    page.get_by_role("button", name="公開する", exact=True).click()
    page.wait_for_url(f"{live_server.url}/sheets/2022/")
    assert "第1版を公開しました" in page.locator(".alert-success").inner_text()
    assert PublishedEdition.objects.get().note == "国への提出版"
    assert page.get_by_test_id("sheet-state").inner_text() == "公開済み（第1版）"
    assert page.console_errors == []
