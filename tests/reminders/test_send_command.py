"""`manage.py send_reminders`: idempotent (a second run the same day sends nothing twice), a failed send
marked failed, logged and sent by the next run, `--dry-run` and `--date`, the summary it prints."""

from __future__ import annotations

import io
import logging
from datetime import date

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from reminders.models import SentReminder
from tests.factories import region
from tests.meetings.factories import ActionItemFactory, CaseReviewFactory
from tests.reminders.digest_helpers import DAY, body_of, receive

pytestmark = pytest.mark.django_db
FAILING = "tests.reminders.test_send_command.FailingBackend"


class FailingBackend:
    """A mail server that refuses every message."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("[Errno 111] Connection refused")


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command("send_reminders", *args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def due_items(iwakuni_staff):
    receive(iwakuni_staff)
    return [
        ActionItemFactory(description="一つ目の対応事項", due_date=date(2022, 11, 30)),
        ActionItemFactory(description="二つ目の対応事項", due_date=date(2022, 11, 20)),
    ]


def test_the_tests_send_mail_with_the_locmem_backend():
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"


def test_running_twice_sends_once(due_items, iwakuni_staff):
    first = run(date=DAY.isoformat())
    assert "2022-11-28 のお知らせ: 1人に送信（2件）、失敗 0人。" in first
    second = run(date=DAY.isoformat())
    assert "0人に送信（0件）" in second
    assert len(mail.outbox) == 1
    rows = SentReminder.objects.filter(user=iwakuni_staff, day=DAY)
    assert sorted(rows.values_list("object_key", flat=True)) == sorted(f"action:{a.pk}" for a in due_items)
    assert {(r.status, r.attempts, r.error) for r in rows} == {("sent", 1, "")}
    assert all(r.sent_at for r in rows)


def test_the_next_day_is_a_new_digest(due_items):
    run(date=DAY.isoformat())
    run(date="2022-11-29")
    assert len(mail.outbox) == 2


def test_an_item_due_later_the_same_day_is_mailed_alone(due_items, iwakuni_staff):
    run(date=DAY.isoformat())
    ActionItemFactory(description="後から登録した対応事項", due_date=date(2022, 12, 1))
    run(date=DAY.isoformat())
    assert len(mail.outbox) == 2
    body = body_of(mail.outbox[1])
    assert "後から登録した対応事項" in body and "一つ目の対応事項" not in body
    assert mail.outbox[1].subject.endswith("期限が近い対応事項 1件")


def test_a_failed_send_is_marked_logged_and_sent_by_the_next_run(due_items, iwakuni_staff, caplog):
    caplog.set_level(logging.INFO, logger="reminders")
    with override_settings(EMAIL_BACKEND=FAILING), pytest.raises(CommandError) as failure:
        run(date=DAY.isoformat())
    assert "1人へのお知らせを送れませんでした（次回の実行で再送します）。" in str(failure.value)
    rows = SentReminder.objects.filter(user=iwakuni_staff, day=DAY)
    assert {(r.status, r.attempts) for r in rows} == {("failed", 1)}
    assert all("ConnectionRefusedError" in r.error for r in rows)
    (logged,) = [r for r in caplog.records if r.name == "reminders" and r.levelno == logging.ERROR]
    assert "iwakuni-staff" in logged.getMessage() and "Connection refused" in logged.getMessage()
    assert mail.outbox == []

    out = run(date=DAY.isoformat())
    assert "1人に送信（2件）、失敗 0人" in out
    (message,) = mail.outbox
    assert "一つ目の対応事項" in body_of(message) and "二つ目の対応事項" in body_of(message)
    assert {(r.status, r.attempts, r.error) for r in rows.all()} == {("sent", 2, "")}
    run(date=DAY.isoformat())
    assert len(mail.outbox) == 1


def test_one_users_failure_does_not_stop_the_others(due_items, iwakuni_staff, hagi_staff, monkeypatch):
    ActionItemFactory(meeting__region=region("3508"), description="萩の対応事項", due_date=date(2022, 11, 30))
    receive(hagi_staff)
    from reminders import mail as reminder_mail

    original = reminder_mail.digest_message

    def broken_for_iwakuni(*, user, **kwargs):
        if user == iwakuni_staff:
            raise RuntimeError("壊れたテンプレート")
        return original(user=user, **kwargs)

    monkeypatch.setattr(reminder_mail, "digest_message", broken_for_iwakuni)
    with pytest.raises(CommandError):
        run(date=DAY.isoformat())
    assert [m.to for m in mail.outbox] == [["hagi-staff@example.jp"]]


def test_dry_run_sends_and_records_nothing(due_items):
    out = run(date=DAY.isoformat(), dry_run=True)
    assert "iwakuni-staff: 送信予定 2件" in out
    assert "1人に 2件を送る予定です" in out
    assert mail.outbox == [] and not SentReminder.objects.exists()
    run(date=DAY.isoformat())
    assert "0人に 0件を送る予定です" in run(date=DAY.isoformat(), dry_run=True)


def test_a_date_that_is_not_one_is_refused_in_japanese(due_items):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run(date="2022-13-01")
    assert not SentReminder.objects.exists()


def test_without_site_url_nothing_is_claimed(due_items, settings):
    settings.SITE_URL = ""
    with pytest.raises(CommandError, match="SITE_URL"):
        run(date=DAY.isoformat())
    assert not SentReminder.objects.exists()


def test_follow_ups_are_recorded_per_case_and_month(iwakuni_staff):
    receive(iwakuni_staff)
    case = CaseReviewFactory(status="in_community", discharge_month=date(2022, 6, 1))
    run(date=DAY.isoformat())
    keys = set(SentReminder.objects.values_list("kind", "object_key"))
    assert keys == {("followup", f"followup:{case.pk}:3"), ("followup", f"followup:{case.pk}:6")}


def test_today_by_default(due_items, iwakuni_staff):
    from django.utils import timezone

    run()
    assert set(SentReminder.objects.values_list("day", flat=True)) <= {timezone.localdate()}
