"""Point 1: the production settings pass Django's deployment checks and send the security headers."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k3y-" + "x9Qz!vT7#pL2@mN8" * 4


def run_manage(*args, **env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_", "DEBUG"))}
    env.update({"DEBUG": "0", "SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "example.org"})
    env.pop("DATABASE_URL", None)
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_it_passes_check_deploy_with_production_environment():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_fails_check_deploy_when_https_is_switched_off():
    """The check is honest: turning HTTPS off in production is reported."""
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", SECURE_HTTPS="0")
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in result.stderr or "security.W008" in result.stderr


def test_it_refuses_to_start_without_secret_key():
    result = run_manage("check", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_hsts_is_configurable():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECURE_HSTS_SECONDS)",
        SECURE_HSTS_SECONDS="600",
    )
    assert result.stdout.strip().splitlines()[-1] == "600", result.stderr


@pytest.mark.django_db
def test_it_sends_security_headers(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_secure_in_production(settings, client):
    from django.conf import settings as live

    # The defaults (SECURE_HTTPS unset) are the production ones; tests run with SECURE_HTTPS=0.
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_HTTPONLY, s.SECURE_HSTS_SECONDS)",
    )
    assert result.stdout.strip().splitlines()[-1].split() == ["True", "True", "True", "True", "31536000"], (
        result.stderr
    )
    assert live.SESSION_COOKIE_HTTPONLY
