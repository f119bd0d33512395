"""Backup and restore: every record, the history and the media files come back; generations are kept."""

import io
import json
import shutil
import sqlite3
import uuid

import pytest
from django.core.management import call_command
from django.db import connection

from core.backup import MEDIA_ARCHIVE, generations, prune
from core.history import record_change
from core.models import AuditEvent, ChangeRecord
from tests.factories import region

IS_POSTGRES = connection.vendor == "postgresql"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    pdf = settings.MEDIA_ROOT / "sheets" / "令和4年度_共有シート.pdf"
    pdf.parent.mkdir(parents=True)
    pdf.write_bytes(b"%PDF-1.7 published sheet")
    return pdf


@pytest.fixture
def backups(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    return settings.BACKUP_DIR


@pytest.fixture
def history(official):
    target = region("3501")
    record_change(
        by=official,
        instance=target,
        action=ChangeRecord.Action.UPDATE,
        changes={"name": {"label": "名称", "old": "岩国", "new": "岩国圏域"}},
    )
    return target


def table_counts(cursor, tables):
    return {t: cursor.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


@pytest.mark.skipif(IS_POSTGRES, reason="the SQLite path (the PostgreSQL one is below)")
@pytest.mark.django_db(transaction=True)
def test_sqlite_backup_restores_every_record_history_and_media(media, backups, history, tmp_path, settings):
    call_command("backup_db", stdout=io.StringIO())
    (folder,) = generations(backups)
    assert (folder / "database.sqlite3").exists() and (folder / MEDIA_ARCHIVE).exists()

    fresh = tmp_path / "fresh.sqlite3"
    shutil.rmtree(settings.MEDIA_ROOT)
    call_command("restore_db", str(folder), "--yes", "--into", str(fresh), stdout=io.StringIO())

    tables = connection.introspection.table_names()
    with connection.cursor() as live:
        expected = {t: live.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
    restored = sqlite3.connect(fresh)
    assert table_counts(restored, tables) == expected
    assert expected["regions_region"] == 8 and expected["core_changerecord"] == 1
    row = restored.execute("SELECT username, object_repr, changes FROM core_changerecord").fetchone()
    assert row[0] == "official" and json.loads(row[2])["name"]["new"] == "岩国圏域"
    restored.close()
    assert media.read_bytes() == b"%PDF-1.7 published sheet"


def test_restore_needs_confirmation(backups, media, transactional_db):
    call_command("backup_db", stdout=io.StringIO())
    (folder,) = generations(backups)
    with pytest.raises(Exception, match="--yes"):
        call_command("restore_db", str(folder), stdout=io.StringIO())


def test_it_keeps_the_newest_generations(backups, media, transactional_db, settings):
    settings.BACKUP_KEEP = 3
    for _ in range(5):
        call_command("backup_db", stdout=io.StringIO())
    kept = generations(backups)
    assert len(kept) == 3
    assert kept == sorted(kept)


def test_at_least_three_generations_are_kept_whatever_the_setting(tmp_path):
    for i in range(5):
        (tmp_path / f"2025010{i}-000000").mkdir()
        (tmp_path / f"2025010{i}-000000" / MEDIA_ARCHIVE).write_bytes(b"")
    prune(tmp_path, keep=1)
    assert [p.name for p in generations(tmp_path)] == [
        "20250102-000000",
        "20250103-000000",
        "20250104-000000",
    ]


def test_the_default_keeps_seven():
    from django.conf import settings

    assert settings.BACKUP_KEEP == 7


@pytest.mark.skipif(not IS_POSTGRES or not shutil.which("pg_restore"), reason="needs PostgreSQL and pg_dump")
@pytest.mark.django_db(transaction=True)
def test_postgres_backup_restores_into_a_fresh_database(media, backups, reference_data):
    import psycopg2

    from tests.factories import Role, make_user

    official = make_user("backup-official", Role.PREFECTURE)
    record_change(by=official, instance=region("3501"), action=ChangeRecord.Action.UPDATE, changes={"x": 1})
    AuditEvent.objects.create(kind=AuditEvent.Kind.LOGIN_SUCCESS, username="backup-official")
    call_command("backup_db", stdout=io.StringIO())
    (folder,) = generations(backups)
    params = connection.get_connection_params()
    fresh = f"restore_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(**{**params, "dbname": "postgres"})
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{fresh}"')
    try:
        shutil.rmtree(media.parent.parent)
        call_command("restore_db", str(folder), "--yes", "--into", fresh, stdout=io.StringIO())
        tables = connection.introspection.table_names()
        with connection.cursor() as live:
            expected = {}
            for t in tables:
                live.execute(f'SELECT COUNT(*) FROM "{t}"')
                expected[t] = live.fetchone()[0]
        restored = psycopg2.connect(**{**params, "dbname": fresh})
        with restored.cursor() as cursor:
            got = {}
            for t in tables:
                cursor.execute(f'SELECT COUNT(*) FROM "{t}"')
                got[t] = cursor.fetchone()[0]
            cursor.execute("SELECT username FROM core_changerecord")
            assert cursor.fetchall() == [("backup-official",)]
        restored.close()
        assert got == expected
        assert media.read_bytes() == b"%PDF-1.7 published sheet"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
        admin.close()
