import pytest


@pytest.mark.browser
def test_shot(page, login, live_server, iwakuni_staff):
    login(page, iwakuni_staff)
    page.goto(f"{live_server.url}/meetings/new/")
    page.get_by_label("会議名").fill("")
    page.locator("input[name='actions-0-description']").fill("グループホームの空き状況を確認する")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    page.screenshot(path="/tmp/fe/shot_top.png")
    page.locator("[data-error-summary] a").nth(1).click()
    page.wait_for_timeout(800)
    page.screenshot(path="/tmp/fe/shot_field.png")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/training/new/")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    page.screenshot(path="/tmp/fe/shot_training_mobile.png")
