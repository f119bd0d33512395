"""Backups of the database and the media files (published PDFs), kept in generations.

A backup is one folder under BACKUP_DIR named by its time (e.g. 20250401-093000) holding
`database.dump` (PostgreSQL, pg_dump custom format) or `database.sqlite3` (SQLite, made with
sqlite3's online backup API, consistent while the portal runs) and `media.tar.gz` (MEDIA_ROOT).
Only the newest BACKUP_KEEP folders (at least 3) are kept.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
MEDIA_ARCHIVE = "media.tar.gz"


class BackupError(RuntimeError):
    pass


def _pg_env(db: dict) -> dict:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def _pg_args(db: dict) -> list[str]:
    args = []
    if db.get("HOST"):
        args += ["-h", db["HOST"]]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", db["USER"]]
    return args


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} が失敗しました: {result.stderr.strip()}")


def backup_create(*, alias: str = "default", directory: Path | None = None, keep: int | None = None) -> Path:
    """Write a new backup folder and prune old generations; returns the folder."""
    root = Path(directory or settings.BACKUP_DIR)
    target = root / timezone.localtime().strftime("%Y%m%d-%H%M%S-%f")
    target.mkdir(parents=True)
    connection = connections[alias]
    db = connection.settings_dict
    try:
        if connection.vendor == "postgresql":
            _run(["pg_dump", "-Fc", *_pg_args(db), "-f", str(target / PG_DUMP), db["NAME"]], _pg_env(db))
        elif connection.vendor == "sqlite":
            if connection.in_atomic_block:
                # sqlite3's backup waits for the source's open transaction, which would never end here.
                raise BackupError("トランザクションの中ではバックアップできません。")
            connection.ensure_connection()
            with sqlite3.connect(target / SQLITE_COPY) as copy:
                connection.connection.backup(copy)
            copy.close()
        else:
            raise BackupError(f"{connection.vendor} のバックアップには対応していません。")
        media = Path(settings.MEDIA_ROOT)
        with tarfile.open(target / MEDIA_ARCHIVE, "w:gz") as archive:
            if media.exists():
                archive.add(media, arcname="media")
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    prune(root, keep=keep or settings.BACKUP_KEEP)
    return target


def generations(root: Path) -> list[Path]:
    """Backup folders, oldest first."""
    if not root.exists():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / MEDIA_ARCHIVE).exists())


def prune(root: Path, *, keep: int) -> list[Path]:
    keep = max(3, keep)
    old = generations(root)[:-keep]
    for folder in old:
        shutil.rmtree(folder)
    return old


def backup_restore(*, source: Path, alias: str = "default", into: str | None = None) -> None:
    """Restore a backup folder into the configured database (or `into`: a SQLite file / PostgreSQL
    database name), and its media files into MEDIA_ROOT. Overwrites what is there."""
    source = Path(source)
    if source.is_file():
        source = source.parent
    connection = connections[alias]
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        dump = source / PG_DUMP
        if not dump.exists():
            raise BackupError(f"{dump} がありません（PostgreSQL のバックアップではありません）。")
        name = into or db["NAME"]
        if not into:
            connection.close()
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                *_pg_args(db),
                "-d",
                name,
                str(dump),
            ],
            _pg_env(db),
        )
    elif connection.vendor == "sqlite":
        copy = source / SQLITE_COPY
        if not copy.exists():
            raise BackupError(f"{copy} がありません（SQLite のバックアップではありません）。")
        target = into or db["NAME"]
        if not into:
            connection.close()
        with sqlite3.connect(copy) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        src.close()
        dst.close()
    else:
        raise BackupError(f"{connection.vendor} の復元には対応していません。")
    archive = source / MEDIA_ARCHIVE
    if archive.exists():
        media = Path(settings.MEDIA_ROOT)
        if media.exists():
            shutil.rmtree(media)
        media.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(media.parent, filter="data")
