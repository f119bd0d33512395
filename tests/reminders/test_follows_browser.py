"""In Chromium: an official follows an overdue action item on its page, the navigation bar's count
says so (「期限 1」, 「うち超過 1件」 in the link's name), the link leads to the due page listing the item,
and unfollowing it there empties the count again."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.meetings.factories import ActionItemFactory, MeetingFactory
from tests.reminders.notify_data import today


@pytest.mark.browser
def test_an_official_follows_an_item_and_sees_the_count(page, login, live_server, official):
    item = ActionItemFactory(
        meeting=MeetingFactory(title="岩国の圏域連絡調整会議"),
        description="退院後の住まいを相談支援事業所と探す",
        due_date=today() - timedelta(days=2),
    )
    login(page, official)
    page.goto(f"{live_server.url}/meetings/actions/{item.pk}/")
    nav = page.get_by_role("navigation", name="メインメニュー")
    assert nav.get_by_role("link", name="期限 0件", exact=True).is_visible()

    page.get_by_role("button", name="フォローする").click()
    page.wait_for_load_state()
    assert page.get_by_text("をフォローしました").is_visible()
    badge = nav.get_by_role("link", name="期限 1件（うち超過 1件）", exact=True)
    assert badge.is_visible()
    assert badge.inner_text().split() == ["期限", "1", "超過", "1"]

    badge.click()
    page.wait_for_url(f"{live_server.url}/reminders/")
    row = page.get_by_test_id("due-action")
    assert row.count() == 1 and "退院後の住まいを相談支援事業所と探す" in row.inner_text()
    assert "期限超過" in row.inner_text()
    page.get_by_test_id("followed").get_by_role("button", name="フォローをやめる").click()
    page.wait_for_url(f"{live_server.url}/reminders/")
    assert page.get_by_test_id("due-action").count() == 0
    assert nav.get_by_role("link", name="期限 0件", exact=True).is_visible()
    assert page.console_errors == []
