"""Reading the audit trail: AuditEvent (access, sign-ins, downloads, rights) and ChangeRecord (data
changes) as one time-ordered list, filtered the same way for the screen and the CSV export."""

from __future__ import annotations

import heapq
import json
from dataclasses import dataclass
from datetime import datetime

from django.db.models import CharField, Value

from core.models import AuditEvent, ChangeRecord

# ChangeRecords (who changed what) appear in the log as one more kind beside AuditEvent's own.
DATA_CHANGE = "data_change"
KIND_CHOICES = [*AuditEvent.Kind.choices, (DATA_CHANGE, "データの変更（作成・変更・削除・復元）")]

CSV_HEADER = ["日時", "利用者名", "IPアドレス", "種類", "対象の種類", "対象ID", "対象", "詳細"]


def combined_keys(events, changes):
    """(at, source, pk) of both tables as one union query, newest first — what the paginator slices."""
    events = events.annotate(source=Value("event", output_field=CharField())).values_list(
        "at", "source", "pk"
    )
    changes = changes.annotate(source=Value("change", output_field=CharField())).values_list(
        "at", "source", "pk"
    )
    return events.union(changes, all=True).order_by("-at", "-pk")


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    username: str
    ip: str
    kind: str
    kind_label: str
    target_type: str
    object_id: str
    object_repr: str
    detail: object
    is_data_change: bool


def _event_row(event: AuditEvent) -> AuditRow:
    return AuditRow(
        at=event.at,
        username=event.username,
        ip=event.ip or "",
        kind=event.kind,
        kind_label=event.get_kind_display(),
        target_type=str(event.content_type.model_class()._meta.verbose_name)
        if event.content_type_id and event.content_type.model_class()
        else "",
        object_id=event.object_id,
        object_repr=event.object_repr,
        detail=event.detail,
        is_data_change=False,
    )


def _change_row(record: ChangeRecord) -> AuditRow:
    model = record.content_type.model_class()
    return AuditRow(
        at=record.at,
        username=record.username,
        ip="",
        kind=DATA_CHANGE,
        kind_label=f"データの{record.get_action_display()}",
        target_type=str(model._meta.verbose_name) if model else record.content_type.model,
        object_id=record.object_id,
        object_repr=record.object_repr,
        detail=record.changes,
        is_data_change=True,
    )


def rows_for_keys(keys) -> list[AuditRow]:
    """The page's rows from its (at, source, pk) keys: two queries whatever the page size."""
    event_ids = [pk for _, source, pk in keys if source == "event"]
    change_ids = [pk for _, source, pk in keys if source == "change"]
    events = AuditEvent.objects.select_related("content_type").in_bulk(event_ids)
    changes = ChangeRecord.objects.select_related("content_type").in_bulk(change_ids)
    rows = []
    for _, source, pk in keys:
        rows.append(_event_row(events[pk]) if source == "event" else _change_row(changes[pk]))
    return rows


def iter_rows(events, changes):
    """Every row of the two (filtered) querysets, newest first, streamed (for the CSV export)."""
    events = (_event_row(e) for e in events.select_related("content_type").newest_first().iterator())
    changes = (_change_row(c) for c in changes.select_related("content_type").newest_first().iterator())
    return heapq.merge(events, changes, key=lambda row: row.at, reverse=True)


def csv_row(row: AuditRow) -> list:
    return [
        row.at,
        row.username,
        row.ip,
        row.kind_label,
        row.target_type,
        row.object_id,
        row.object_repr,
        json.dumps(row.detail, ensure_ascii=False, sort_keys=True) if row.detail else "",
    ]
