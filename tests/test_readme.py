"""The README is part of the product: its local-install commands run verbatim after `make run`.

`make run` itself installs packages and then serves forever, so the test runs what it does in
between (`make prepare`: var/local.env, migrate, reference data, demo users) in a copy of the
project that shares this virtualenv, then every `.venv/bin/python manage.py …`, `make backup` and
`make restore …` line of the README's sh blocks, from a shell that has none of the test run's
variables (no SECRET_KEY, no DEBUG), as a newcomer's second terminal would.
"""

import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Yamaguchi-readme-Pw-2718"  # create_portal_user reads it from PORTAL_USER_PASSWORD
LOCAL_COMMANDS = (".venv/bin/python manage.py ", "make backup", "make restore ")


def readme_commands() -> list[str]:
    """The local-install lines of the README's ```sh blocks, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = []
    for block in re.findall(r"^```sh\n(.*?)^```", text, flags=re.M | re.S):
        lines += [line.strip() for line in block.splitlines() if line.strip().startswith(LOCAL_COMMANDS)]
    return lines


def fresh_shell(**extra) -> dict:
    """A login shell's environment: nothing the test run set (PORTAL_ENV_FILE=, SECRET_KEY, …)."""
    env = {name: os.environ[name] for name in ("PATH", "HOME") if name in os.environ}
    env.update(LANG="C.UTF-8", **extra)
    return env


def sh(command: str, cwd: Path, **extra) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=fresh_shell(**extra),
        capture_output=True,
        text=True,
        timeout=300,
    )


def succeeded(result: subprocess.CompletedProcess) -> bool:
    return result.returncode == 0


def query(clone: Path, expression: str):
    """Evaluate a Python expression in the clone's Django (`manage.py shell -c`), returned via JSON."""
    code = f"import json; from django.contrib.auth.models import User; print(json.dumps({expression}))"
    result = sh(f".venv/bin/python manage.py shell -c {shlex.quote(code)}", clone)
    assert succeeded(result), result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    """A fresh clone (no var/) sharing this virtualenv, after what `make run` does before serving."""
    target = tmp_path_factory.mktemp("clone") / "yamaguchi-portal"
    shutil.copytree(
        ROOT,
        target,
        symlinks=True,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            "var",
            "__pycache__",
            ".pytest_cache",
            ".ruff_cache",
            ".hypothesis",
            "test-results",
        ),
    )
    (target / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    run_line = next(line for line in (ROOT / "Makefile").read_text().splitlines() if line.startswith("run:"))
    assert run_line.split() == ["run:", "setup", "prepare"]  # installing, then exactly what is run here
    result = sh("make prepare", target)
    assert succeeded(result), result.stdout[-3000:] + result.stderr[-3000:]
    return target


def test_the_readme_shows_the_local_commands_this_test_runs():
    commands = readme_commands()
    assert any("create_portal_user tanaka --role health_centre --health-centre 岩国" in c for c in commands)
    assert "make backup" in [c.split("#")[0].strip() for c in commands]
    assert any(c.startswith("make restore FILE=var/backups/<日時>") for c in commands)


def test_make_run_writes_a_private_local_settings_file_git_ignores(clone):
    local_env = clone / "var" / "local.env"
    settings = dict(
        line.split("=", 1) for line in local_env.read_text(encoding="utf-8").splitlines() if "=" in line
    )
    assert settings["DEBUG"] == "1" and settings["SECURE_HTTPS"] == "0"
    assert len(settings["SECRET_KEY"]) >= 50
    assert stat.S_IMODE(local_env.stat().st_mode) == 0o600
    assert "var/" in (ROOT / ".gitignore").read_text().splitlines()
    # Written once: a second `make run` keeps the key (and so everyone's sessions).
    assert succeeded(sh("make var/local.env", clone))
    assert local_env.read_text(encoding="utf-8").count(settings["SECRET_KEY"]) == 1
    assert dict(line.split("=", 1) for line in local_env.read_text().splitlines() if "=" in line) == settings


def test_the_readmes_local_commands_work_verbatim_after_make_run(clone):
    users = [c for c in readme_commands() if "create_portal_user" in c]
    assert len(users) == 2
    for command in users:
        result = sh(command, clone, PORTAL_USER_PASSWORD=PASSWORD)
        assert succeeded(result), f"{command}\n{result.stdout}{result.stderr}"
    accounts = query(
        clone,
        f"{{u.username: [u.profile.role, getattr(u.profile.health_centre, 'code', None), "
        f"u.check_password({PASSWORD!r})] for u in User.objects.filter(username__in=['tanaka', 'kencho'])}}",
    )
    assert accounts == {"tanaka": ["health_centre", "iwakuni", True], "kencho": ["prefecture", None, True]}

    (backup,) = [c for c in readme_commands() if c.startswith("make backup")]
    result = sh(backup, clone)
    assert succeeded(result), result.stdout + result.stderr
    (folder,) = (clone / "var" / "backups").iterdir()
    assert (folder / "database.sqlite3").is_file() and (folder / "media.tar.gz").is_file()

    # Something changes after the backup; restoring brings the backed-up state back.
    assert query(clone, "User.objects.filter(username='tanaka').delete()[0]") > 0
    (restore,) = [c for c in readme_commands() if c.startswith("make restore")]
    result = sh(restore.replace("<日時>", folder.name), clone)  # the README's only placeholder
    assert succeeded(result), result.stdout + result.stderr
    assert query(clone, "User.objects.filter(username='tanaka').exists()") is True


def test_settings_read_the_local_file_and_the_environment_wins(tmp_path):
    local_env = tmp_path / "local.env"
    assert succeeded(sh(f"PYTHON={sys.executable} scripts/local-env.sh {local_env}", ROOT))
    show = (
        f"{sys.executable} manage.py shell -c "
        "'from django.conf import settings as s; print(s.DEBUG, s.SECURE_SSL_REDIRECT, len(s.SECRET_KEY))'"
    )
    result = sh(show, ROOT, PORTAL_ENV_FILE=str(local_env))
    assert result.stdout.splitlines()[-1].split() == ["True", "False", "67"], result.stderr
    result = sh(show, ROOT, PORTAL_ENV_FILE=str(local_env), DEBUG="0", SECURE_HTTPS="1", ALLOWED_HOSTS="x")
    assert result.stdout.splitlines()[-1].split() == ["False", "True", "67"], result.stderr


def test_without_the_local_file_production_stays_strict(tmp_path):
    """A server has no var/local.env: DEBUG off and SECRET_KEY required, as before."""
    result = sh(f"{sys.executable} manage.py check", ROOT, PORTAL_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY が設定されていません" in result.stderr


def test_the_readmes_send_reminders_prints_the_mail_on_the_console_after_make_run(clone):
    """`make run`'s var/local.env prints mail (the console backend): the README's two send_reminders
    lines, for a demo user who receives the digest and has an item due."""
    lines = [c for c in readme_commands() if "manage.py send_reminders" in c]
    assert [c.split("#")[0].split() for c in lines] == [
        [".venv/bin/python", "manage.py", "send_reminders", "--dry-run"],
        [".venv/bin/python", "manage.py", "send_reminders"],
    ]
    setup = (
        "from datetime import timedelta; from django.utils import timezone; "
        "from reminders.models import ReminderSettings; "
        "from tests.meetings.factories import ActionItemFactory; "
        "ReminderSettings.objects.update_or_create(user=User.objects.get(username='demo-iwakuni'), "
        "defaults=dict(digest_enabled=True, email='demo@example.jp', confirmed_email='demo@example.jp')); "
        "ActionItemFactory(description='READMEの対応事項', due_date=timezone.localdate() + timedelta(days=2)); "
        "print(json.dumps(True))"
    )
    result = sh(
        f".venv/bin/python manage.py shell -c {shlex.quote('import json; from django.contrib.auth.models import User; ' + setup)}",
        clone,
    )
    assert succeeded(result), result.stderr
    dry, real = (sh(line, clone) for line in lines)
    assert succeeded(dry), dry.stderr
    assert "1人に 1件を送る予定です" in dry.stdout
    assert succeeded(real), real.stderr
    assert "To: demo@example.jp" in real.stdout and "READMEの対応事項" in real.stdout
    assert "http://127.0.0.1:8000/meetings/actions/" in real.stdout
    assert "1人に送信（1件）、失敗 0人。" in real.stdout
    again = sh(lines[1], clone)
    assert succeeded(again) and "0人に送信（0件）" in again.stdout
