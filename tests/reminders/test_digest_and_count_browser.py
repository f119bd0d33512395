"""In Chromium (issue #16): a health centre's staff member sees the count of their due and overdue items
in the navigation bar, turns the daily digest on with a longer notice period — the count now takes in
the item due in 9 days — confirms the address from the mailed link, and the digest sent that morning
lists the same items; another region's overdue item is in neither."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from regions.models import Region
from tests.meetings.factories import ActionItemFactory, MeetingFactory
from tests.reminders.digest_helpers import body_of


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_turn_the_digest_on_and_see_their_count(page, login, live_server, iwakuni_staff):
    today = timezone.localdate()
    meeting = MeetingFactory(date=today - timedelta(days=30))
    ActionItemFactory(
        meeting=meeting, description="病院訪問の日程を調整する", due_date=today - timedelta(days=2)
    )
    ActionItemFactory(
        meeting=meeting, description="体験利用の受入先を探す", due_date=today + timedelta(days=9)
    )
    hagi = MeetingFactory(date=today - timedelta(days=30), region=Region.objects.get(code="3508"))
    ActionItemFactory(meeting=hagi, description="萩圏域の対応事項", due_date=today - timedelta(days=2))

    login(page, iwakuni_staff)
    nav = page.get_by_role("navigation", name="メインメニュー")
    assert nav.get_by_role("link", name="期限 1件（うち超過 1件）", exact=True).is_visible()  # 7 days' notice

    page.get_by_role("button", name="設定").click()
    page.get_by_role("link", name="お知らせの設定").click()
    page.wait_for_url("**/reminders/settings/")
    page.get_by_label("毎日のお知らせメールを受け取る").check()
    page.get_by_label("送信先メールアドレス").fill("iwakuni@example.jp")
    page.get_by_label("期限の何日前から知らせるか").fill("10")
    page.get_by_role("button", name="保存する").click()
    page.wait_for_url("**/reminders/settings/")
    # Ten days' notice: the item due in 9 days is due now, here and in the count.
    assert nav.get_by_role("link", name="期限 2件（うち超過 1件）", exact=True).is_visible()

    call_command("send_reminders")  # not confirmed yet: the address receives only its confirmation link
    (confirmation,) = mail.outbox
    (path,) = re.findall(r"http://testserver(/reminders/confirm/\S+/)", body_of(confirmation))
    page.goto(live_server.url + path)
    page.get_by_role("button", name="このメールアドレスを確認する").click()
    page.wait_for_url("**/reminders/settings/")

    call_command("send_reminders")
    digest = mail.outbox[-1]
    assert len(mail.outbox) == 2 and digest.to == ["iwakuni@example.jp"]
    body = body_of(digest)
    assert "病院訪問の日程を調整する" in body and "体験利用の受入先を探す" in body
    assert "萩圏域の対応事項" not in body

    nav.get_by_role("link", name="期限 2件（うち超過 1件）", exact=True).click()
    page.wait_for_url("**/reminders/")
    assert "病院訪問の日程を調整する" in page.content()
    assert "萩圏域の対応事項" not in page.content()
