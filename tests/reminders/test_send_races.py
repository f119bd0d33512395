"""Two runs of send_reminders at the same moment (PostgreSQL): every item is mailed once.

The first test meets both runs after they computed what is due and before either claims anything
(tests/races.py), so both try to insert the same claims; the second starts two real
`manage.py send_reminders` processes against the same database and a local SMTP server.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.db import connection

from reminders import services
from reminders.models import SentReminder
from tests.meetings.factories import ActionItemFactory, MeetingFactory
from tests.races import at_once, postgresql_only
from tests.reminders.digest_helpers import DAY, receive
from tests.reminders.test_smtp_roundtrip import Collect, free_port

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def test_two_runs_at_once_mail_each_item_once(monkeypatch, iwakuni_staff, official):
    receive(iwakuni_staff)
    receive(official)
    items = [ActionItemFactory(due_date=date(2022, 11, 30)) for _ in range(3)]
    MeetingFactory(created_by=official, status="planned", date=date(2022, 12, 1))

    def run():
        return services.reminders_send(day=DAY)

    # Both runs meet once each has read what is due (and that nothing is claimed yet), then both claim.
    results = at_once(monkeypatch, (services, "due_for"), services.due_for, run, run)

    assert not any(isinstance(r, Exception) for r in results), results
    assert sorted(len(m.to) for m in mail.outbox) == [1, 1]
    assert sorted(m.to[0] for m in mail.outbox) == ["iwakuni-staff@example.jp", "official@example.jp"]
    # staff: the three items and the meeting (in their region); the official: the meeting they created
    assert SentReminder.objects.count() == len(items) + 2
    assert set(SentReminder.objects.values_list("status", flat=True)) == {"sent"}
    mailed = sum(r.items for summary in results for r in summary.mailed)
    assert mailed == len(items) + 2  # each item in exactly one of the two runs' mail


@pytest.fixture
def smtp_server():
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def _process_env(port: int) -> dict:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {
        "PATH": os.environ.get("PATH", ""),
        "LANG": "C.UTF-8",
        "PORTAL_ENV_FILE": "",
        "SECRET_KEY": "insecure-key-for-tests-only",
        "DATABASE_URL": url,
        "SITE_URL": "https://portal.example.jp",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_USE_TLS": "0",
        "LOG_LEVEL": "WARNING",
    }


def test_two_processes_at_once_mail_each_user_once(smtp_server, reference_data):
    from tests.factories import Role, make_user

    controller, handler = smtp_server
    users = [make_user(f"staff{n:02d}", Role.HEALTH_CENTRE, health_centre="iwakuni") for n in range(12)]
    for user in users:
        receive(user)
    for _ in range(4):
        ActionItemFactory(due_date=date(2022, 11, 30))
    command = [sys.executable, "manage.py", "send_reminders", "--date", DAY.isoformat()]
    env = _process_env(controller.port)
    processes = [
        subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    recipients = sorted(rcpt for envelope in handler.envelopes for rcpt in envelope.rcpt_tos)
    assert recipients == sorted(f"{u.username}@example.jp" for u in users)
    assert SentReminder.objects.filter(status="sent").count() == 4 * len(users)
