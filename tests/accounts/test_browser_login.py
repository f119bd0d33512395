import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_sign_in_in_chromium_and_see_their_region(page, login, live_server, iwakuni_staff):
    login(page, iwakuni_staff)
    assert page.get_by_test_id("current-user").inner_text().count("岩国健康福祉センター") == 1
    assert "岩国圏域" in page.get_by_test_id("own-regions").inner_text()
    page.get_by_test_id("own-regions").get_by_role("link", name="岩国圏域").click()
    page.wait_for_url(f"{live_server.url}/regions/3501/")
    assert page.locator("h1").inner_text().startswith("岩国圏域")
    assert "和木町" in page.content()
    assert page.evaluate("getComputedStyle(document.querySelector('.navbar')).display") == "flex"
    assert page.console_errors == []
