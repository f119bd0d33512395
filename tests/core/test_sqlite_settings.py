"""SQLite is configured for a web server with more than one worker (see bench/CHANGES.md)."""

from yamaguchi_portal.settings import database_from_url


def test_it_uses_write_ahead_logging_and_takes_the_write_lock_up_front():
    options = database_from_url("sqlite:////tmp/portal.sqlite3")["OPTIONS"]
    assert "PRAGMA journal_mode=WAL" in options["init_command"]
    assert "PRAGMA synchronous=NORMAL" in options["init_command"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5


def test_postgres_urls_get_no_sqlite_options():
    assert "init_command" not in database_from_url("postgres://u@h/db").get("OPTIONS", {})
