"""The settings module: env-driven, safe by default."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from yamaguchi_portal.settings import database_from_url, env_bool, env_int, env_secret

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
    # django-environ knows MySQL, but the portal is tested only on SQLite and PostgreSQL.
    with pytest.raises(ImproperlyConfigured):
        database_from_url("mysql://x@y/z")
    with pytest.raises(ImproperlyConfigured):
        database_from_url("nosuchdb://x@y/z")


def test_a_sqlite_url_without_a_path_means_the_portals_own_file_not_memory():
    assert database_from_url("sqlite:///")["NAME"].endswith("portal.sqlite3")
    assert database_from_url("sqlite:///relative/x.sqlite3")["NAME"] == "relative/x.sqlite3"


def test_postgres_defaults_are_filled_in(monkeypatch):
    monkeypatch.setenv("CONN_MAX_AGE", "0")
    monkeypatch.setenv("DB_CONNECT_TIMEOUT", "7")
    pg = database_from_url("postgres://u@h")
    assert (pg["NAME"], pg["PORT"], pg["CONN_MAX_AGE"]) == ("portal", "", 0)
    assert pg["OPTIONS"] == {"connect_timeout": 7}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("TRUE", True),
        (" yes ", True),
        ("On", True),
        ("0", False),
        ("false", False),
        ("No", False),
    ],
)
def test_booleans_accept_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("PORTAL_TEST_FLAG", raw)
    assert env_bool("PORTAL_TEST_FLAG", not expected) is expected


def test_an_unset_or_empty_boolean_is_its_default(monkeypatch):
    monkeypatch.delenv("PORTAL_TEST_FLAG", raising=False)
    assert env_bool("PORTAL_TEST_FLAG", True) is True
    monkeypatch.setenv("PORTAL_TEST_FLAG", "")
    assert env_bool("PORTAL_TEST_FLAG", False) is False


@pytest.mark.parametrize("raw", ["ture", "flase", "2", "enabled", "y"])
def test_a_mistyped_boolean_fails_loudly_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("PORTAL_TEST_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="PORTAL_TEST_FLAG"):
        env_bool("PORTAL_TEST_FLAG", True)


def test_a_mistyped_secure_https_stops_the_portal_instead_of_turning_https_off():
    result = manage("check", SECRET_KEY="x" * 60, ALLOWED_HOSTS="portal.example.jp", SECURE_HTTPS="ture")
    assert result.returncode != 0
    assert "SECURE_HTTPS" in result.stderr


def test_a_mistyped_integer_fails_naming_the_variable(monkeypatch):
    monkeypatch.setenv("PORTAL_TEST_NUMBER", "10m")
    with pytest.raises(ImproperlyConfigured, match="PORTAL_TEST_NUMBER"):
        env_int("PORTAL_TEST_NUMBER", 5)
    monkeypatch.setenv("PORTAL_TEST_NUMBER", "")
    assert env_int("PORTAL_TEST_NUMBER", 5) == 5


def test_a_secret_comes_from_its_variable_or_from_the_file_its_FILE_variable_names(monkeypatch, tmp_path):
    monkeypatch.delenv("PORTAL_TEST_SECRET_FILE", raising=False)
    monkeypatch.setenv("PORTAL_TEST_SECRET", "$from-env")  # a leading "$" is kept, not read as a reference
    assert env_secret("PORTAL_TEST_SECRET") == "$from-env"

    secret = tmp_path / "secret"
    secret.write_text("from-file\n", encoding="utf-8")
    monkeypatch.delenv("PORTAL_TEST_SECRET")
    monkeypatch.setenv("PORTAL_TEST_SECRET_FILE", str(secret))
    assert env_secret("PORTAL_TEST_SECRET") == "from-file"

    monkeypatch.delenv("PORTAL_TEST_SECRET_FILE")
    assert env_secret("PORTAL_TEST_SECRET", "fallback") == "fallback"


def test_a_secret_set_both_ways_is_refused(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-file", encoding="utf-8")
    monkeypatch.setenv("PORTAL_TEST_SECRET", "from-env")
    monkeypatch.setenv("PORTAL_TEST_SECRET_FILE", str(secret))
    with pytest.raises(ImproperlyConfigured, match="PORTAL_TEST_SECRET_FILE"):
        env_secret("PORTAL_TEST_SECRET")


def test_an_unreadable_secret_file_is_refused(monkeypatch, tmp_path):
    monkeypatch.delenv("PORTAL_TEST_SECRET", raising=False)
    monkeypatch.setenv("PORTAL_TEST_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="PORTAL_TEST_SECRET_FILE"):
        env_secret("PORTAL_TEST_SECRET")


def test_the_secret_key_and_database_url_can_come_from_files(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("k3y-" + "x9Qz!vT7#pL2@mN8" * 4 + "\n", encoding="utf-8")
    url_file = tmp_path / "database_url"
    url_file.write_text(f"sqlite:///{tmp_path / 'from-file.sqlite3'}\n", encoding="utf-8")
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(len(s.SECRET_KEY), s.DATABASES['default']['NAME'])",
        DEBUG="0",
        SECRET_KEY="",
        SECRET_KEY_FILE=str(key_file),
        DATABASE_URL="",
        DATABASE_URL_FILE=str(url_file),
        ALLOWED_HOSTS="portal.example.jp",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["68", str(tmp_path / "from-file.sqlite3")]


def test_japanese_and_tokyo(settings):
    assert settings.LANGUAGE_CODE == "ja"
    assert settings.TIME_ZONE == "Asia/Tokyo"
    assert settings.USE_TZ is True
