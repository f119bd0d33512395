"""「お知らせの受信者」 (/reminders/recipients/, officials only): who receives what — every user with
reminder settings, their role and health centre, the digest on or off, the address confirmed or
waiting, the number of days, the last digest sent, the items followed. No password or token."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from core.models import AuditEvent
from reminders.models import ActionFollow, ReminderSettings, SentReminder
from tests.factories import Role, make_user
from tests.meetings.factories import ActionItemFactory

URL = "/reminders/recipients/"


def _rows(content: str) -> dict[str, str]:
    return dict(re.findall(r'<tr data-testid="recipient" data-username="([^"]+)">(.*?)</tr>', content, re.S))


def _sent(user, day, kind, status, sent_at=None, key="action:1"):
    return SentReminder.objects.create(
        user=user, day=day, kind=kind, object_key=key, status=status, sent_at=sent_at
    )


@pytest.fixture
def settings_rows(official, iwakuni_staff, hagi_staff, viewer):
    """The official receives (confirmed, 14 days, two follows); 岩国's staff turned it on but their
    address waits for confirmation; 萩's staff turned it off; the viewer has no settings at all."""
    official.first_name, official.last_name = "花子", "山口"
    official.save(update_fields=["first_name", "last_name"])
    ReminderSettings.objects.create(
        user=official,
        digest_enabled=True,
        email="yamaguchi@example.jp",
        confirmed_email="yamaguchi@example.jp",
        lead_days=14,
    )
    ReminderSettings.objects.create(
        user=iwakuni_staff,
        digest_enabled=True,
        email="iwakuni@example.jp",
        confirmation_digest="f" * 64,
        confirmation_sent_at=timezone.now(),
    )
    ReminderSettings.objects.create(user=hagi_staff, digest_enabled=False)
    for item in ActionItemFactory.create_batch(2):
        ActionFollow.objects.create(user=official, action=item)
    yesterday = timezone.localdate() - timedelta(days=1)
    sent_at = timezone.make_aware(timezone.datetime(2024, 5, 7, 7, 30))
    _sent(official, yesterday, SentReminder.Kind.ACTION, SentReminder.Status.SENT, sent_at)
    _sent(
        official,
        date(2024, 5, 1),
        SentReminder.Kind.ACTION,
        SentReminder.Status.SENT,
        sent_at - timedelta(days=6),
    )
    # a confirmation mail is no digest; a failed send is told apart
    _sent(
        iwakuni_staff, yesterday, SentReminder.Kind.CONFIRMATION, SentReminder.Status.SENT, sent_at, key="c"
    )
    _sent(iwakuni_staff, yesterday, SentReminder.Kind.ACTION, SentReminder.Status.FAILED, None)


def test_an_official_sees_who_receives_what(client_for, official, settings_rows):
    response = client_for(official).get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    rows = _rows(content)
    assert set(rows) == {"official", "iwakuni-staff", "hagi-staff"}  # the viewer has no settings
    assert list(rows) == ["official", "iwakuni-staff", "hagi-staff"]  # officials, then by health centre

    me = rows["official"]
    assert "山口 花子" in me or "花子 山口" in me
    assert "県職員" in me and "受け取る" in me and "確認済み" in me and "yamaguchi@example.jp" in me
    assert "14日前" in me and "令和6年5月7日" in me and "2件" in me

    iwakuni = rows["iwakuni-staff"]
    assert "岩国" in iwakuni and "保健所職員" in iwakuni
    assert "送信先の確認待ち" in iwakuni and "確認待ち" in iwakuni
    assert "送信失敗あり" in iwakuni
    assert "令和6年5月7日" not in iwakuni  # the confirmation mail is not a digest
    assert "7日前" in iwakuni and "0件" in iwakuni

    hagi = rows["hagi-staff"]
    assert "受け取らない" in hagi and "未設定" in hagi and "萩" in hagi
    assert "メールを受け取る利用者 <strong>1人</strong>" in content


def test_no_password_or_token_is_shown(client_for, official, iwakuni_staff, settings_rows):
    content = client_for(official).get(URL).content.decode()
    assert "f" * 64 not in content
    for user in (official, iwakuni_staff):
        user.refresh_from_db()
        assert user.password not in content
        assert user.password.split("$")[-1] not in content


def test_the_read_is_audited(client_for, official, iwakuni_staff, settings_rows):
    client_for(official).get(URL)
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.RECORD_VIEW, user=official)
    assert event.detail["what"] == "お知らせの受信者"
    assert iwakuni_staff.pk in event.detail["user_ids"]


@pytest.mark.parametrize("persona", ["iwakuni_staff", "hagi_staff", "viewer"])
def test_others_are_refused(request, client_for, persona, settings_rows):
    assert client_for(request.getfixturevalue(persona)).get(URL).status_code == 403


def test_nobody_yet(client_for, official):
    content = client_for(official).get(URL).content.decode()
    assert 'data-testid="no-recipients"' in content


def test_the_page_uses_a_fixed_number_of_queries(
    client_for, official, settings_rows, reference_data, django_assert_num_queries
):
    client = client_for(official)
    client.get(URL)
    # session, user, TOTP device, profile; the settings with their users, profiles, centres, last
    # digest, failures and follows (one query); the audit row; the header's count (3); the session
    # saved (3)
    expected = 12
    with django_assert_num_queries(expected):
        client.get(URL)
    for n in range(5):
        user = make_user(f"staff-{n}", Role.HEALTH_CENTRE, health_centre="ube")
        ReminderSettings.objects.create(user=user, digest_enabled=True, email=f"s{n}@example.jp")
        _sent(user, timezone.localdate(), SentReminder.Kind.MEETING, SentReminder.Status.SENT, timezone.now())
    with django_assert_num_queries(expected):
        response = client.get(URL)
    assert len(_rows(response.content.decode())) == 8
