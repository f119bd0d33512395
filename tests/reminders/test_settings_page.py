"""「お知らせの設定」 and confirming a new address: a new address gets only its confirmation link until
it is confirmed, by POST (a mail scanner opening the link confirms nothing); bad input changes nothing."""

from __future__ import annotations

import io
import logging
import re
from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from core.models import ChangeRecord
from reminders import services
from reminders.models import ReminderSettings, SentReminder
from tests.meetings.factories import ActionItemFactory
from tests.reminders.digest_helpers import DAY, body_of, mails_to

pytestmark = pytest.mark.django_db
URL = "/reminders/settings/"
RESEND = "/reminders/settings/confirmation/"
FAILING = "tests.reminders.test_settings_page.FailingBackend"


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("メールサーバーに接続できません")


def save(client, **data):
    form = {"digest_enabled": "on", "email": "tanaka@example.jp", "lead_days": "7"} | data
    return client.post(URL, {k: v for k, v in form.items() if v is not None})


def link_in(message) -> str:
    (path,) = re.findall(r"http://testserver(/reminders/confirm/[^/\s]+/)", body_of(message))
    return path


def stored(user) -> ReminderSettings:
    return ReminderSettings.objects.get(user=user)


@pytest.mark.parametrize("persona", ["official", "iwakuni_staff", "hagi_staff", "viewer"])
def test_every_signed_in_user_opens_it_from_the_settings_menu(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    home = client.get("/")
    assert f'href="{URL}">お知らせの設定</a>' in home.content.decode()
    page = client.get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "毎日のお知らせメールを受け取る" in text and "期限の何日前から知らせるか" in text
    assert ('data-testid="nothing-due"' in text) == (persona == "viewer")


def test_the_address_is_prefilled_from_the_account_but_not_trusted(client_for, iwakuni_staff):
    iwakuni_staff.email = "iwakuni@example.jp"
    iwakuni_staff.save()
    page = client_for(iwakuni_staff).get(URL)
    assert 'value="iwakuni@example.jp"' in page.content.decode()
    assert not ReminderSettings.objects.exists()


def test_a_new_address_gets_only_the_confirmation_link(client_for, iwakuni_staff):
    client = client_for(iwakuni_staff)
    response = save(client)
    assert response.status_code == 302
    row = stored(iwakuni_staff)
    assert (row.digest_enabled, row.email, row.lead_days, row.email_confirmed) == (
        True,
        "tanaka@example.jp",
        7,
        False,
    )
    (message,) = mail.outbox
    assert message.to == ["tanaka@example.jp"]
    assert message.subject == "【山口県 地域移行ポータル】メールアドレスの確認"
    token = link_in(message).split("/")[-2]
    assert len(token) >= 40
    # only the SHA-256 of the token is stored
    assert row.confirmation_digest == services.token_digest(token)
    assert token not in str(ReminderSettings.objects.filter(pk=row.pk).values().get())
    page = client.get(URL).content.decode()
    assert 'data-testid="unconfirmed"' in page and "確認メールを再送する" in page
    assert "このアドレスには確認メールのほかに何も送りません" in page

    # until confirmed, the daily run sends nothing to it
    ActionItemFactory(due_date=date(2022, 11, 30))
    call_command("send_reminders", date=DAY.isoformat(), stdout=io.StringIO())
    assert len(mail.outbox) == 1


def test_confirming_is_a_post_after_which_the_digest_goes_there(client_for, iwakuni_staff):
    client = client_for(iwakuni_staff)
    save(client)
    link = link_in(mail.outbox[0])

    # A mail scanner (or anyone) opening the link confirms nothing.
    page = client.get(link)
    assert page.status_code == 200
    assert "このメールアドレスを確認する" in page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0")
    assert not stored(iwakuni_staff).email_confirmed

    response = client.post(link)
    assert response.status_code == 302 and response["Location"] == URL
    row = stored(iwakuni_staff)
    assert row.confirmed_email == "tanaka@example.jp" and row.receives_digest
    assert row.confirmation_digest == ""
    assert client.post(link).status_code == 404  # used once

    ActionItemFactory(description="岩国の対応事項", due_date=date(2022, 11, 30))
    call_command("send_reminders", date=DAY.isoformat(), stdout=io.StringIO())
    assert "岩国の対応事項" in body_of(mails_to("tanaka@example.jp")[-1])


def test_changes_are_recorded_with_who_and_what(client_for, iwakuni_staff):
    client = client_for(iwakuni_staff)
    save(client)
    client.post(link_in(mail.outbox[0]))
    save(client, lead_days="14", digest_enabled=None)
    records = list(
        ChangeRecord.objects.filter(
            content_type=ContentType.objects.get_for_model(ReminderSettings)
        ).order_by("at", "pk")
    )
    assert [r.action for r in records] == ["create", "update", "update"]
    assert {r.username for r in records} == {"iwakuni-staff"}
    assert records[0].changes["email"]["new"] == "tanaka@example.jp"
    assert records[1].changes["confirmed_email"] == {
        "label": "確認済みのメールアドレス",
        "old": None,
        "new": "tanaka@example.jp",
    }
    assert records[2].changes["lead_days"]["old"] == 7 and records[2].changes["lead_days"]["new"] == 14
    assert records[2].changes["digest_enabled"]["new"] is False


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"lead_days": "61"}, "日数は60以下にしてください。"),
        ({"lead_days": "-1"}, "日数は0以上にしてください。"),
        ({"lead_days": "abc"}, "日数は整数で入力してください。"),
        ({"lead_days": ""}, "日数を入力してください。"),
        ({"email": "not-an-address"}, "メールアドレスの形式が正しくありません。"),
        ({"email": ""}, "お知らせメールを受け取るには、送信先メールアドレスを入力してください。"),
        ({"email": "a" * 250 + "@example.jp"}, "メールアドレス"),
    ],
)
def test_bad_input_changes_nothing_and_says_why_in_japanese(client_for, iwakuni_staff, data, error):
    client = client_for(iwakuni_staff)
    save(client)
    client.post(link_in(mail.outbox[0]))
    before = ReminderSettings.objects.filter(user=iwakuni_staff).values().get()
    records = ChangeRecord.objects.count()
    response = save(client, email="new@example.jp", **data) if "email" not in data else save(client, **data)
    assert response.status_code == 200
    text = response.content.decode()
    assert error in text and "is-invalid" in text
    assert ReminderSettings.objects.filter(user=iwakuni_staff).values().get() == before
    assert ChangeRecord.objects.count() == records
    assert len(mail.outbox) == 1


def test_going_back_to_the_confirmed_address_needs_no_new_confirmation(client_for, iwakuni_staff):
    client = client_for(iwakuni_staff)
    save(client)
    client.post(link_in(mail.outbox[0]))
    save(client, email="other@example.jp")
    assert len(mail.outbox) == 2 and not stored(iwakuni_staff).receives_digest
    save(client, email="tanaka@example.jp")
    assert len(mail.outbox) == 2
    assert stored(iwakuni_staff).receives_digest


def test_a_link_to_a_replaced_address_confirms_nothing(client_for, iwakuni_staff):
    client = client_for(iwakuni_staff)
    save(client)
    first = link_in(mail.outbox[0])
    save(client, email="second@example.jp")
    assert client.post(first).status_code == 404
    assert stored(iwakuni_staff).confirmed_email == ""


def test_a_wrong_token_is_refused_in_japanese(client_for, iwakuni_staff):
    client = client_for(iwakuni_staff)
    save(client)
    for method in (client.get, client.post):
        response = method("/reminders/confirm/wrong-token/")
        assert response.status_code == 404
        assert "この確認用リンクは無効です。" in response.content.decode()
    assert not stored(iwakuni_staff).email_confirmed


def test_another_users_link_is_refused(client_for, iwakuni_staff, hagi_staff):
    save(client_for(iwakuni_staff))
    link = link_in(mail.outbox[0])
    client = client_for(hagi_staff)
    assert client.post(link).status_code == 404
    assert not stored(iwakuni_staff).email_confirmed


def test_an_expired_link_is_refused_in_japanese(client_for, iwakuni_staff):
    client = client_for(iwakuni_staff)
    save(client)
    link = link_in(mail.outbox[0])
    ReminderSettings.objects.filter(user=iwakuni_staff).update(
        confirmation_sent_at=timezone.now() - timedelta(days=7, minutes=1)
    )
    for method in (client.get, client.post):
        response = method(link)
        assert response.status_code == 410
        assert "有効期限（7日間）が切れています" in response.content.decode()
    assert not stored(iwakuni_staff).email_confirmed


def test_signed_out_the_link_asks_to_sign_in_first(client, client_for, iwakuni_staff):
    save(client_for(iwakuni_staff))
    link = link_in(mail.outbox[0])
    client.logout()
    response = client.post(link)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not stored(iwakuni_staff).email_confirmed


def test_resending_makes_a_new_link_and_the_old_one_stops_working(client_for, iwakuni_staff):
    client = client_for(iwakuni_staff)
    save(client)
    first = link_in(mail.outbox[0])
    ReminderSettings.objects.filter(user=iwakuni_staff).update(
        confirmation_sent_at=timezone.now() - timedelta(minutes=2)
    )
    response = client.post(RESEND, follow=True)
    assert "tanaka@example.jp に確認メールを送りました" in response.content.decode()
    assert len(mail.outbox) == 2
    second = link_in(mail.outbox[1])
    assert first != second
    assert client.post(first).status_code == 404
    assert client.post(second).status_code == 302
    assert stored(iwakuni_staff).receives_digest


def test_resending_is_limited(client_for, iwakuni_staff):
    client = client_for(iwakuni_staff)
    save(client)
    response = client.post(RESEND, follow=True)  # within a minute of the first
    assert "確認メールは送信したばかりです" in response.content.decode()
    for _ in range(services.CONFIRMATIONS_PER_DAY):
        ReminderSettings.objects.filter(user=iwakuni_staff).update(
            confirmation_sent_at=timezone.now() - timedelta(minutes=2)
        )
        response = client.post(RESEND, follow=True)
    assert "確認メールは1日5通までです" in response.content.decode()
    assert len(mail.outbox) == services.CONFIRMATIONS_PER_DAY


def test_nothing_to_resend(client_for, iwakuni_staff):
    response = client_for(iwakuni_staff).post(RESEND, follow=True)
    assert "確認が必要なメールアドレスはありません。" in response.content.decode()
    assert mail.outbox == []


def test_a_confirmation_that_cannot_be_sent_is_said_logged_and_can_be_resent(
    client_for, iwakuni_staff, caplog
):
    caplog.set_level(logging.ERROR, logger="reminders")
    client = client_for(iwakuni_staff)
    with override_settings(EMAIL_BACKEND=FAILING):
        response = save(client)
        page = client.get(URL).content.decode()
    assert response.status_code == 302
    assert "確認メールを送信できませんでした" in page
    row = stored(iwakuni_staff)
    assert row.email == "tanaka@example.jp" and row.confirmation_digest == ""
    assert SentReminder.objects.get(kind="confirmation").status == "failed"
    assert any("confirmation mail to user iwakuni-staff failed" in r.getMessage() for r in caplog.records)
    client.post(RESEND)  # at once: the failed one set no waiting time
    assert mails_to("tanaka@example.jp")


def test_viewers_may_save_settings_and_are_told_they_have_nothing_due(client_for, viewer):
    client = client_for(viewer)
    assert save(client).status_code == 302
    assert stored(viewer).email == "tanaka@example.jp"
    assert "閲覧者には期限のある対応事項や追跡調査がないため" in client.get(URL).content.decode()


def test_the_confirmation_mail_is_japanese_and_says_what_to_do(client_for, iwakuni_staff):
    save(client_for(iwakuni_staff))
    body = body_of(mail.outbox[0])
    assert "「このメールアドレスを確認する」ボタンを押してください" in body
    assert "リンクの有効期限は7日間です" in body
    assert "確認が済むまで、このアドレスにはこのメールのほかに何も送りません。" in body
    assert mail.outbox[0].extra_headers["Auto-Submitted"] == "auto-generated"
