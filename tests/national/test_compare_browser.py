"""In Chromium: the comparison page draws both charts under the CSP, and peers picked there are remembered."""

import os

import pytest

from indicators.models import Indicator
from national.models import ComparisonPeers
from tests.national.factories import observe_country


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_comparison_page_draws_and_remembers_peers(page, login, live_server, viewer):
    import io

    from django.core.management import call_command

    call_command("load_sheet", stdout=io.StringIO())
    rate = Indicator.objects.get(code="discharge_rate_3m")
    from regions.models import Prefecture

    others = [p for p in Prefecture.objects.country() if p.code != "350001"]
    observe_country(rate, [2017], prefectures=others)
    observe_country(rate, [2015, 2016], prefectures=Prefecture.objects.country())
    login(page, viewer)
    page.goto(f"{live_server.url}/national/discharge_rate_3m/")
    # plotly.js comes when a chart nears the viewport: each chart is scrolled to, then drawn.
    for figure in ("figure-ranking", "figure-over-time"):
        page.locator(f"[data-figure='{figure}']").scroll_into_view_if_needed()
        page.wait_for_selector(f"[data-figure='{figure}'][data-drawn='yes'] .main-svg")
    assert page.console_errors == []
    assert "47都道府県中" in page.get_by_test_id("summary").inner_text()
    if os.environ.get("NATIONAL_SCREENSHOT"):
        page.screenshot(path=os.environ["NATIONAL_SCREENSHOT"], full_page=True)

    page.get_by_text("比べる都道府県を選ぶ").click()
    page.get_by_role("checkbox", name="広島県").check()
    page.get_by_role("checkbox", name="福岡県").check()
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/national/discharge_rate_3m/#over-time")
    assert "比べる都道府県を保存しました" in page.locator(".alert-success").last.inner_text()
    assert "広島県" in page.get_by_test_id("over-time-table").inner_text()
    assert {p.code for p in ComparisonPeers.objects.get(user=viewer).prefectures.all()} == {
        "340006",
        "400009",
    }
