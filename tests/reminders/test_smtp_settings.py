"""The mail settings from the environment: SMTP with STARTTLS on port 587 by default, SMTPS on request
(never both), secrets from files, SITE_URL checked; the local install's file prints mail instead."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "from django.conf import settings as s; "
    "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, s.EMAIL_TIMEOUT, "
    "repr(s.EMAIL_HOST_PASSWORD), repr(s.SITE_URL), sep='|')"
)


def settings_in(**env) -> subprocess.CompletedProcess:
    """The settings a fresh process reads from exactly `env` (and a SECRET_KEY), no env file."""
    base = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PORTAL_ENV_FILE": "", "SECRET_KEY": "x" * 50}
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SHOW],
        cwd=ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def shown(**env) -> list[str]:
    result = settings_in(**env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1].split("|")


def test_smtp_with_starttls_on_587_by_default():
    assert shown() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "localhost",
        "587",
        "True",
        "False",
        "30",
        "''",
        "''",  # no SITE_URL on a server until it is set
    ]


def test_smtps_switches_starttls_off_and_both_are_refused():
    assert shown(EMAIL_USE_SSL="1", EMAIL_PORT="465")[2:5] == ["465", "False", "True"]
    result = settings_in(EMAIL_USE_SSL="1", EMAIL_USE_TLS="1")
    assert result.returncode != 0
    assert "EMAIL_USE_TLS と EMAIL_USE_SSL の両方が有効です" in result.stderr


def test_a_mistyped_switch_stops_the_start():
    result = settings_in(EMAIL_USE_TLS="ture")
    assert result.returncode != 0 and "EMAIL_USE_TLS='ture' は真偽値として読めません" in result.stderr


def test_the_password_from_a_file_and_empty_variables_mean_the_defaults(tmp_path):
    secret = tmp_path / "smtp-password"
    secret.write_text("$ecret-パス\n", encoding="utf-8")
    values = shown(
        EMAIL_HOST_PASSWORD_FILE=str(secret),
        EMAIL_BACKEND="",
        EMAIL_HOST="",
        EMAIL_PORT="",
        EMAIL_USE_TLS="",
        SITE_URL="https://portal.example.jp/",
    )
    assert values[0] == "django.core.mail.backends.smtp.EmailBackend" and values[1:4] == [
        "localhost",
        "587",
        "True",
    ]
    assert values[6] == "'$ecret-パス'"
    assert values[7] == "'https://portal.example.jp'"  # no trailing slash: paths start with one


def test_site_url_must_be_an_address():
    result = settings_in(SITE_URL="portal.example.jp")
    assert (
        result.returncode != 0 and "SITE_URL='portal.example.jp' は https:// または http://" in result.stderr
    )


def test_a_developer_gets_a_local_site_url():
    assert shown(DEBUG="1")[7] == "'http://127.0.0.1:8000'"


def test_the_local_install_file_prints_mail_on_the_console(tmp_path):
    local_env = tmp_path / "local.env"
    subprocess.run(["sh", "scripts/local-env.sh", str(local_env)], cwd=ROOT, check=True, capture_output=True)
    assert (
        shown(PORTAL_ENV_FILE=str(local_env), SECRET_KEY="")[0]
        == "django.core.mail.backends.console.EmailBackend"
    )


def test_an_older_local_file_gets_console_mail_appended_once(tmp_path):
    """A var/local.env written before mail existed: `make run` (which runs the script every time) adds it."""
    local_env = tmp_path / "local.env"
    local_env.write_text("DEBUG=1\nSECURE_HTTPS=0\nSECRET_KEY=" + "k" * 60 + "\n", encoding="utf-8")
    local_env.chmod(0o600)
    for _ in range(2):
        subprocess.run(
            ["sh", "scripts/local-env.sh", str(local_env)], cwd=ROOT, check=True, capture_output=True
        )
    text = local_env.read_text(encoding="utf-8")
    assert text.count("EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend") == 1
    assert text.startswith("DEBUG=1\nSECURE_HTTPS=0\nSECRET_KEY=" + "k" * 60 + "\n")  # kept as it was
    assert (local_env.stat().st_mode & 0o777) == 0o600
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert ".PHONY: $(LOCAL_ENV)" in makefile  # so `make run` runs the script on an existing file too
