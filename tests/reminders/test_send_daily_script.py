"""scripts/reminders-daily.sh, the Compose `reminders` service: when it runs, and that a failed run is
logged and retried while the loop goes on (run with a stand-in `sleep` and a manage.py that fails)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "reminders-daily.sh"


def script(*args, env=None, timeout=60) -> subprocess.CompletedProcess:
    base = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", "PYTHON": sys.executable}
    return subprocess.run(
        [str(SCRIPT), *args], env=base | (env or {}), capture_output=True, text=True, timeout=timeout
    )


def test_the_next_run_is_at_reminders_at_in_japan():
    now = datetime.now(ZoneInfo("Asia/Tokyo"))
    at = (now + timedelta(hours=2)).strftime("%H:%M")
    result = script("--next", env={"REMINDERS_AT": at})
    assert result.returncode == 0, result.stderr
    seconds, day = result.stdout.split()
    assert 3600 < int(seconds) <= 2 * 3600 + 1
    assert day == (now + timedelta(hours=2)).date().isoformat()
    # by default 07:00, within the next day
    seconds, _ = script("--next").stdout.split()
    assert 0 < int(seconds) <= 24 * 3600 + 1


def test_a_time_that_is_not_one_is_refused():
    result = script("--next", env={"REMINDERS_AT": "7時"})
    assert result.returncode != 0
    assert "REMINDERS_AT='7時' は HH:MM" in result.stderr


def _stand_ins(tmp_path: Path, *, manage_status: int) -> dict:
    """A `sleep` that returns at once (and stops the loop at its 4th call) and a python whose
    `manage.py …` only records its arguments and exits with `manage_status`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.log"
    (bin_dir / "sleep").write_text(
        f'#!/bin/sh\necho "sleep $1" >> {log}\n'
        f"if [ $(grep -c '^sleep' {log}) -ge 4 ]; then kill -TERM $PPID; fi\n"
    )
    (bin_dir / "python").write_text(
        f'#!/bin/sh\nif [ "$1" = manage.py ]; then echo "$*" >> {log}; exit {manage_status}; fi\n'
        f'exec {sys.executable} "$@"\n'
    )
    for name in ("sleep", "python"):
        (bin_dir / name).chmod(0o755)
    return {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "PYTHON": str(bin_dir / "python"),
        "REMINDERS_RETRIES": "2",
        "REMINDERS_RETRY_MINUTES": "5",
        "log": log,
    }


def test_a_failed_run_is_logged_retried_and_the_loop_goes_on(tmp_path):
    env = _stand_ins(tmp_path, manage_status=1)
    log = env.pop("log")
    result = script(env=env)
    calls = log.read_text().splitlines()
    runs = [c for c in calls if c.startswith("manage.py")]
    assert len(runs) == 3  # the run and two retries, then the wait for the next day
    assert all(r.startswith("manage.py send_reminders --date ") for r in runs)
    assert len({r.split()[-1] for r in runs}) == 1  # the retries are for the same day
    sleeps = [c for c in calls if c.startswith("sleep")]
    assert sleeps[1:3] == ["sleep 300", "sleep 300"]
    assert "send_reminders が失敗しました" in result.stderr
    assert "再試行を終えます。翌日の送信を待ちます。" in result.stderr


def test_a_good_run_waits_for_the_next_day(tmp_path):
    env = _stand_ins(tmp_path, manage_status=0)
    log = env.pop("log")
    script(env=env)
    calls = log.read_text().splitlines()
    assert [c.split()[0] for c in calls] == [
        "sleep",
        "manage.py",
        "sleep",
        "manage.py",
        "sleep",
        "manage.py",
        "sleep",
    ]
    assert "sleep 300" not in calls


def test_compose_runs_it_as_the_reminders_service_from_the_web_image():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    web, reminders = compose["services"]["web"], compose["services"]["reminders"]
    assert reminders["build"] == web["build"] == "."
    assert reminders["command"] == ["scripts/reminders-daily.sh"]
    assert os.access(SCRIPT, os.X_OK)
    for name in ("DATABASE_URL", "SECRET_KEY", "SITE_URL", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_PASSWORD"):
        assert reminders["environment"][name] == web["environment"][name], name
    assert reminders["environment"]["REMINDERS_AT"] == "${REMINDERS_AT:-07:00}"
    assert reminders["depends_on"]["db"]["condition"] == "service_healthy"
