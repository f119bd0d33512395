"""The settings module: env-driven, safe by default."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from yamaguchi_portal.settings import database_from_url

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECURE_HTTPS", "STATIC_MANIFEST", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_with_only_the_three_production_variables():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="a-very-long-production-secret-key-with-enough-entropy-1234567890",
        ALLOWED_HOSTS="portal.example.jp",
        DEBUG="0",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    env = {"DEBUG": "0", "SECRET_KEY": ""}
    result = manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_sqlite_is_the_default_and_postgres_urls_are_understood():
    assert database_from_url("sqlite:////tmp/x.sqlite3")["NAME"] == "/tmp/x.sqlite3"
    pg = database_from_url("postgres://portal:p%40ss@db.example:5433/portal_prod")
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert (pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"], pg["NAME"]) == (
        "portal",
        "p@ss",
        "db.example",
        "5433",
        "portal_prod",
    )
    assert pg["CONN_MAX_AGE"] > 0
    assert pg["CONN_HEALTH_CHECKS"] is True


def test_an_unknown_database_scheme_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        database_from_url("mysql://x@y/z")


def test_japanese_and_tokyo(settings):
    assert settings.LANGUAGE_CODE == "ja"
    assert settings.TIME_ZONE == "Asia/Tokyo"
    assert settings.USE_TZ is True
