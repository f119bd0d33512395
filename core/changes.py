"""Displaying `core.history` records: one row per change with its fields' old and new values.

Shared by every app's history page (template `includes/change_history.html`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils import timezone

from core import fiscal, history
from core.models import ChangeRecord


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    record: ChangeRecord
    fields: list[FieldChange]


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_TIME = re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?")


def _temporal_text(text: str) -> str | None:
    """Snapshots keep dates and times in ISO form (machine-readable); people read them the Japanese way:
    2026-11-18 → 令和8年11月18日, 14:00:00 → 14:00, a datetime → 令和8年11月18日 14:00 (Asia/Tokyo)."""
    try:
        if _ISO_DATE.fullmatch(text):
            return fiscal.wareki_date(date.fromisoformat(text))
        if _ISO_TIME.fullmatch(text):
            return time.fromisoformat(text).strftime("%H:%M")
        if _ISO_DATETIME.fullmatch(text):
            moment = datetime.fromisoformat(text)
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return f"{fiscal.wareki_date(moment.date())} {moment:%H:%M}"
    except (ValueError, OverflowError):
        return None
    return None


def display_value(value) -> str:
    """A stored snapshot value as text: None → 「（なし）」, dicts as 「key: value、…」, lists joined,
    ISO dates and times in the Japanese form."""
    if value is None or value == "" or value == {} or value == []:
        return "（なし）"
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, dict):
        return "、".join(f"{key}: {display_value(val)}" for key, val in value.items())
    if isinstance(value, list):
        return "、".join(display_value(item) for item in value)
    if isinstance(value, str):
        return _temporal_text(value) or value
    return str(value)


def history_for(instance, *, hide: Callable[[str], bool] | None = None) -> list[HistoryEntry]:
    """Every change of `instance`, newest first, fields in model order, for the shared template (one query).

    `hide(key)` true leaves that change key out (e.g. bookkeeping keys, or details the reader may not see);
    keys that are not model fields (`participants.peer`, `action.12.status`) follow the fields, by name.
    A change that reads the same before and after (None → "") is not shown.
    """
    records = ChangeRecord.objects.for_object(instance).newest_first()
    order = {f.name: i for i, f in enumerate(type(instance)._meta.get_fields())}

    def position(name):
        return (order.get(name, len(order)), name)

    def fields(record) -> list[FieldChange]:
        rows = []
        for name, change in sorted((record.changes or {}).items(), key=lambda item: position(item[0])):
            if hide is not None and hide(name):
                continue
            row = FieldChange(
                label=str(change.get("label", name)),
                old=display_value(change.get("old")),
                new=display_value(change.get("new")),
            )
            if row.old != row.new:  # e.g. None → "" on creation: both read 「（なし）」
                rows.append(row)
        return rows

    return [HistoryEntry(record=record, fields=fields(record)) for record in records]


@dataclass(frozen=True)
class ConflictRow:
    """One field someone else changed after the editor loaded the record: its stored and proposed values."""

    label: str
    theirs: str
    yours: str


def _comparable(value):
    """Browsers send textarea line breaks as CRLF; stored text may have LF. They read the same."""
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def changed_since(instance, loaded_version: int) -> set[str]:
    """Change keys recorded on `instance` after the editor loaded `loaded_version` (0: loaded before it existed).

    Every version step of a versioned record writes exactly one history record (a change, a delete, a
    restore) and a save that changes nothing writes none and keeps the version, so the steps since
    `loaded_version` are its newest `version - loaded_version` records. The `version` key itself is left out.
    """
    steps = max(instance.version - loaded_version, 0)
    records = ChangeRecord.objects.for_object(instance).newest_first()[:steps] if steps else []
    return {key for record in records for key in (record.changes or {}) if key != "version"}


def conflict_rows(*, changed, current: dict, proposed: dict, labels: dict[str, str]) -> list[ConflictRow]:
    """Rows for the shared conflict table (`includes/conflict_table.html`).

    `changed`: the keys others changed since the editor loaded the record; `current`: the stored values;
    `proposed`: what the editor's input would store (same keys); `labels`: key → label, whose order is the
    display order. Keys whose stored value already equals the editor's input are left out.
    """
    order = {key: i for i, key in enumerate(labels)}
    rows = []
    for key in sorted(changed, key=lambda key: (order.get(key, len(order)), key)):
        theirs, yours = current.get(key), proposed.get(key)
        if _comparable(theirs) != _comparable(yours):
            rows.append(
                ConflictRow(
                    label=str(labels.get(key, key)), theirs=display_value(theirs), yours=display_value(yours)
                )
            )
    return rows


def record_conflict_rows(*, stored, loaded_version: int, draft) -> list[ConflictRow]:
    """`conflict_rows` for one record edited alone: `stored` is the record now, `draft` an unsaved copy
    carrying the editor's input; values are `core.history` snapshots, labels the model's field names."""
    return conflict_rows(
        changed=changed_since(stored, loaded_version),
        current=history.snapshot(stored),
        proposed=history.snapshot(draft),
        labels=history.field_labels(type(stored)),
    )
