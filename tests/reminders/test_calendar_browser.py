"""In Chromium: staff open 「カレンダー配信」 from the 設定 menu, issue a feed URL, copy it (the page's script,
loaded under the Content Security Policy), and the URL they were shown serves their calendar."""

from __future__ import annotations

import pytest
from django.test import Client

from reminders.models import CalendarFeed


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_issue_copy_and_subscribe(page, login, live_server, iwakuni_staff, settings):
    settings.SITE_URL = live_server.url  # the feed URL shown is the site's public address (SITE_URL)
    login(page, iwakuni_staff)
    page.get_by_role("button", name="設定").click()
    page.get_by_role("link", name="カレンダー配信").click()
    page.wait_for_url("**/reminders/calendar/")

    page.get_by_role("button", name="新しい URL を発行").click()

    page.wait_for_url("**/reminders/calendar/")
    url = page.get_by_test_id("new-feed-url").inner_text().strip()
    assert url.startswith(f"{live_server.url}/reminders/calendar/") and url.endswith(".ics")
    page.get_by_role("button", name="コピー").click()
    copied = page.get_by_role("button", name="コピーしました").or_(
        page.get_by_role("button", name="選択しました（Ctrl+C でコピー）")
    )
    copied.wait_for()
    assert page.get_by_test_id("feed").filter(has_text="有効").count() == 1

    response = Client().get(url.removeprefix(live_server.url))
    assert response.status_code == 200 and response.content.startswith(b"BEGIN:VCALENDAR")
    assert CalendarFeed.objects.get().user == iwakuni_staff

    page.reload()  # shown once
    assert page.get_by_test_id("new-feed-url").count() == 0
    assert page.console_errors == []
