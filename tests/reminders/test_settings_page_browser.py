"""In Chromium: staff open 「お知らせの設定」 from the 設定 menu, turn the digest on with their address,
are told it awaits confirmation, open the mailed link, press the button and see the address confirmed."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from reminders.models import ReminderSettings
from tests.reminders.digest_helpers import body_of


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_turning_the_digest_on_and_confirming_the_address(page, login, live_server, iwakuni_staff):
    login(page, iwakuni_staff)
    page.get_by_role("button", name="設定").click()
    page.get_by_role("link", name="お知らせの設定").click()
    page.wait_for_url("**/reminders/settings/")

    page.get_by_label("毎日のお知らせメールを受け取る").check()
    page.get_by_label("送信先メールアドレス").fill("tanaka@example.jp")
    page.get_by_label("期限の何日前から知らせるか").fill("10")
    page.get_by_role("button", name="保存する").click()

    page.wait_for_url("**/reminders/settings/")
    assert "tanaka@example.jp に確認メールを送りました" in page.locator(".alert-success").last.inner_text()
    assert "まだ確認されていません" in page.get_by_test_id("unconfirmed").inner_text()
    assert page.get_by_role("button", name="確認メールを再送する").is_visible()
    (message,) = mail.outbox
    (path,) = re.findall(r"http://testserver(/reminders/confirm/\S+/)", body_of(message))

    page.goto(live_server.url + path)
    assert not ReminderSettings.objects.get(user=iwakuni_staff).email_confirmed  # opening confirms nothing
    page.get_by_role("button", name="このメールアドレスを確認する").click()

    page.wait_for_url("**/reminders/settings/")
    status = page.get_by_test_id("address-status").inner_text()
    assert "tanaka@example.jp（確認済み）" in status and "期限の10日前から" in status
    row = ReminderSettings.objects.get(user=iwakuni_staff)
    assert row.receives_digest and row.lead_days == 10
    assert page.console_errors == []
