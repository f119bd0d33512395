"""In Chromium at a phone's width (390 × 844) and at 1280: every list page fits the screen (no page
scrolls sideways), the columns that matter (主催, 期限, 状況) are on screen, 未着手 stays on one line,
and the dashboard's status table fits its container at 1280 (its last plan's column was cut).

With SCREENSHOT_DIR set, the pages are also saved there as PNG files to look at.
"""

import os
from datetime import date, timedelta
from pathlib import Path

import pytest

from core import fiscal
from indicators.models import Indicator
from meetings.models import ActionStatus, AgendaOrigin, MeetingKind, MeetingStatus
from regions.models import Region
from tests.meetings.factories import ActionItemFactory, AgendaItemFactory, CaseReviewFactory, MeetingFactory
from tests.training.factories import TrainingSessionFactory

PHONE = {"width": 390, "height": 844}

LIST_PAGES = [
    "/",
    "/meetings/",
    "/meetings/actions/",
    "/meetings/cases/",
    "/meetings/proposals/",
    "/meetings/success/",
    "/training/",
    "/training/peer-support/",
    "/indicators/",
    "/indicators/definitions/",
    "/indicators/imports/",
    "/indicators/checks/",
    "/indicators/datasets/",
    "/pdca/",
    "/reminders/",
    "/audit/",
    "/sheets/",
    "/sheets/2022/",
]


@pytest.fixture
def records(sheet):
    """A meeting with a long title and a long organiser, open action items, a case, a proposal and a
    training session: rows in every list, each with its longest words."""
    iwakuni = Region.objects.get(code="3501")
    today = date.today()
    meeting = MeetingFactory(
        title="令和4年度 第2回 岩国圏域 精神障害にも対応した地域包括ケアシステム構築推進会議",
        date=today + timedelta(days=10),
        status=MeetingStatus.PLANNED,
        region=iwakuni,
    )
    ActionItemFactory(
        meeting=meeting,
        description="退院後の住まいとしてグループホームの空き状況を圏域内の全事業所に確認する",
        responsible="岩国市障害者支援課・相談支援事業所",
        due_date=today + timedelta(days=20),
        status=ActionStatus.NOT_STARTED,
    )
    ActionItemFactory(meeting=meeting, status=ActionStatus.IN_PROGRESS, due_date=today - timedelta(days=3))
    CaseReviewFactory(meeting=MeetingFactory(kind=MeetingKind.CASE_REVIEW, title="地域移行事例検討会"))
    # Held this 年度 in two regions: the dashboard's activity chart has bars (岩国 first).
    year_start = fiscal.fiscal_year_range(fiscal.fiscal_year_of(today))[0]
    MeetingFactory(date=year_start, region=iwakuni)
    MeetingFactory(date=year_start, region=Region.objects.get(code="3508"))
    AgendaItemFactory(
        meeting=None,
        region=iwakuni,
        origin=AgendaOrigin.PROPOSED,
        title="入院後1年時点の退院率の遅れについて",
        indicator=Indicator.objects.get(code="discharge_rate_12m"),
    )
    TrainingSessionFactory(title="精神障害にも対応した地域包括ケアシステム構築に係る研修（基礎編）")
    return meeting


def _phone_page(browser):
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", viewport=PHONE)
    page = context.new_page()
    page.console_errors = []
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    return context, page


def _screenshot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _screenshot_of(page, selector: str, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder and page.locator(selector).count():
        page.locator(selector).first.screenshot(path=str(Path(folder) / f"{name}.png"))


def _page_width(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")


def _on_screen(page, selector: str) -> bool:
    """The first element matching `selector` is visible and lies within the viewport's width."""
    element = page.locator(selector).first
    element.scroll_into_view_if_needed()
    box = element.bounding_box()
    return (
        element.is_visible()
        and box is not None
        and box["x"] >= 0
        and box["x"] + box["width"] <= PHONE["width"]
    )


def _lines_of_text(page, selector: str) -> int:
    """How many lines the text of the first element matching `selector` takes."""
    return page.evaluate(
        """(selector) => {
            const element = document.querySelector(selector);
            const range = document.createRange();
            range.selectNodeContents(element);
            const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
            return tops.size;
        }""",
        selector,
    )


@pytest.mark.browser
def test_every_list_page_fits_a_phone(browser, login, live_server, official, records):
    context, page = _phone_page(browser)
    try:
        login(page, official)
        too_wide = {}
        for path in LIST_PAGES:
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, path
            page.wait_for_load_state("load")
            scroll_width, client_width = _page_width(page)
            if scroll_width > client_width:
                too_wide[path] = scroll_width
        assert too_wide == {}, f"390 px を超えて横にスクロールするページ: {too_wide}"
        assert page.console_errors == []
    finally:
        context.close()


@pytest.mark.browser
def test_the_key_columns_stay_on_a_phones_screen(browser, login, live_server, iwakuni_staff, records):
    context, page = _phone_page(browser)
    try:
        login(page, iwakuni_staff)

        page.goto(f"{live_server.url}/meetings/")
        for label in ("開催日", "会議名", "主催", "状況"):
            assert _on_screen(page, f'table.table-stack td[data-label="{label}"]'), label
        organiser = page.locator('table.table-stack td[data-label="主催"]').first
        assert "岩国健康福祉センター" in organiser.inner_text()
        # Each card says which column a value belongs to: the caption is drawn from data-label.
        caption = organiser.evaluate("e => getComputedStyle(e, '::before').content")
        assert caption == '"主催"'
        _screenshot(page, "390-meetings")

        page.goto(f"{live_server.url}/meetings/actions/")
        for label in ("期限", "対応事項", "状況"):
            assert _on_screen(page, f'table.table-stack td[data-label="{label}"]'), label
        assert _lines_of_text(page, 'table.table-stack td[data-label="状況"]') == 1
        _screenshot(page, "390-actions")

        page.goto(f"{live_server.url}/")
        status = page.locator('[data-testid="own-actions"] td[data-label="状況"]', has_text="未着手")
        assert status.count() == 1 and _on_screen(page, '[data-testid="own-actions"] td[data-label="状況"]')
        assert _lines_of_text(page, '[data-testid="own-actions"] td[data-label="状況"]') == 1  # not 未/着/手
        _screenshot(page, "390-home")

        page.goto(f"{live_server.url}/indicators/definitions/")
        # An indicator's name takes the card's width: the longest takes a few lines, not one character a line.
        most_lines = page.evaluate(
            """() => Math.max(...[...document.querySelectorAll('table.table-stack td[data-label="指標"] a')].map(a => {
                const range = document.createRange();
                range.selectNodeContents(a);
                return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
            }))"""
        )
        assert 1 <= most_lines <= 3

        page.goto(f"{live_server.url}/indicators/")
        # plotly.js comes when a chart nears the viewport (charts.js): scroll to the first one.
        page.locator("[data-figure]").first.scroll_into_view_if_needed()
        page.wait_for_selector("[data-figure][data-drawn='yes'] .main-svg")
        assert _page_width(page)[0] <= PHONE["width"]
        # The charts take the phone's width (no fixed width) and the wide tables scroll in their own box.
        chart = page.locator("[data-figure]").first
        assert chart.bounding_box()["width"] <= PHONE["width"]
        assert page.locator('[data-testid="scroll-hint"]').first.is_visible()
        _screenshot(page, "390-dashboard")
        _screenshot_of(page, "[data-figure]", "390-first-chart")

        page.goto(f"{live_server.url}/indicators/?region=")  # the prefecture: every region's activity
        for index in range(page.locator("[data-figure]").count()):  # each chart is drawn as it comes near
            chart = page.locator("[data-figure]").nth(index)
            chart.scroll_into_view_if_needed()
            page.wait_for_function("e => e.getAttribute('data-drawn') === 'yes'", arg=chart.element_handle())
        assert _page_width(page)[0] <= PHONE["width"]
        _screenshot_of(page, '[data-figure="figure-activity"]', "390-activity-chart")
        _screenshot_of(page, '[data-figure="figure-discharge-rate-3m"]', "390-discharge-chart")

        page.goto(f"{live_server.url}/sheets/2022/")
        assert _page_width(page)[0] <= PHONE["width"]
        _screenshot_of(page, "svg.svg-chart", "390-sheet-chart")
        assert page.console_errors == []
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("persona", ["official", "iwakuni_staff"])
def test_the_dashboards_status_table_fits_at_1280(page, login, live_server, records, persona, request):
    login(page, request.getfixturevalue(persona))
    page.goto(f"{live_server.url}/indicators/")
    table = page.locator('[data-testid="status-table"]')
    widths = table.evaluate("t => [t.scrollWidth, t.parentElement.clientWidth, t.rows[0].cells.length]")
    scroll_width, container_width, columns = widths
    assert columns >= 5  # the indicator, the latest value and the plans side by side
    assert scroll_width <= container_width
    # Every plan's column, the last one included, is inside the container.
    last = table.locator("thead th").last.bounding_box()
    container = page.locator('[data-testid="status-table"]').locator("xpath=..").bounding_box()
    assert last["x"] + last["width"] <= container["x"] + container["width"] + 1
    assert not page.locator('[data-testid="scroll-hint"]').first.is_visible()  # nothing to scroll at 1280
