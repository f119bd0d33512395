"""Writes of the official-data import: a checked file becomes a pending batch, confirming applies every
row in one transaction (or none), and an applied import can be undone while its rows are untouched.

A file with any row in a 提出済 or 承認済 data set is refused as a whole, at the upload (the preview)
and again when it is confirmed; an undo that would change a locked set is refused too.

The validation rules run with the rows' checks (`importing.check_rows`): a hard finding in any row
refuses the file; soft findings are listed in the preview and the confirmation needs one note for
the file, after which each becomes a FlaggedValue linked to the batch.

A batch built from a national wide table (`importing.is_wide(batch.file_format)`, the national app)
may also write 全国 and other prefectures (reference values, under their own Prefecture); apps above
that keep something with such a batch (the national app's source gaps) register `on_apply` / `on_undo`
callbacks here, called inside the confirming / undoing transaction — indicators never imports them.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts import roles
from core import history, versions
from core.models import ChangeRecord
from indicators import datasets, validation
from indicators.importing import (
    CheckedRow,
    RawRow,
    RowError,
    check_rows,
    is_wide,
    raw_rows_from_json,
    soft_messages,
)
from indicators.models import FlaggedValue, ImportBatch, ImportChange, Observation
from indicators.services import flags
from indicators.versions import INDICATOR_DATA


class ImportRejected(Exception):
    """The rows are not all valid (any more): nothing was saved."""

    def __init__(self, errors: list[RowError]):
        super().__init__("取り込めない行があります。")
        self.errors = errors


class ConfirmationNeeded(Exception):
    """Soft rules question some rows: the import is applied only with a note for the file, confirming
    the findings the preview listed (`messages`, `digest`). Nothing was saved."""

    def __init__(self, messages: list[str], *, note_missing: bool):
        super().__init__("確認が必要な値があります。")
        self.messages = messages
        self.digest = validation.findings_digest(messages)
        self.note_missing = note_missing


class UndoRefused(Exception):
    """The import cannot be undone; `problems` says why, per row (Japanese)."""

    def __init__(self, problems: list[str]):
        super().__init__("取り消せません。")
        self.problems = problems


_APPLY_HOOKS: list = []
_UNDO_HOOKS: list = []


def register_hooks(*, on_apply=None, on_undo=None) -> None:
    """An app above indicators keeps rows with a batch: `on_apply(by=, batch=)` runs when it is
    applied and `on_undo(by=, batch=)` when it is undone, in the same transaction (AppConfig.ready)."""
    if on_apply is not None and on_apply not in _APPLY_HOOKS:
        _APPLY_HOOKS.append(on_apply)
    if on_undo is not None and on_undo not in _UNDO_HOOKS:
        _UNDO_HOOKS.append(on_undo)


def _require_official(user) -> None:
    if not roles.is_prefecture(user):
        raise PermissionDenied("データの取り込みは県職員のみ行えます。")


@transaction.atomic
def import_batch_create(
    *, by, prefecture, file_name: str, file_format: str, rows: list[RawRow]
) -> ImportBatch:
    """Keep a checked file as a pending batch for the preview; raises ImportRejected when any row is invalid."""
    _require_official(by)
    checked, errors = check_rows(rows, prefecture=prefecture, reference=is_wide(file_format))
    errors += datasets.locked_row_errors(checked, prefecture=prefecture)
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.line))
    return ImportBatch.objects.create(
        prefecture=prefecture,
        file_name=file_name[:255],
        file_format=file_format,
        rows=[row.as_json() for row in rows],
        row_count=len(rows),
        created_count=sum(1 for c in checked if c.existing is None),
        updated_count=sum(1 for c in checked if c.existing is not None),
        uploaded_by=by,
    )


def _stored(value) -> str:
    """The value as the database gives it back (three decimals), so that comparisons are exact."""
    return str(Decimal(value).quantize(Decimal("0.001")))


def _applied(observation: Observation) -> dict:
    return {
        "value": _stored(observation.value),
        "provenance": observation.provenance,
        "note": observation.note,
        "edited_at": observation.edited_at.isoformat() if observation.edited_at else None,
    }


def _previous(observation: Observation) -> dict:
    return {
        "value": str(observation.value),
        "provenance": observation.provenance,
        "note": observation.note,
        "edited_by_id": observation.edited_by_id,
        "edited_at": observation.edited_at.isoformat() if observation.edited_at else None,
    }


# Related rows the checked rows already hold as instances (found by check_rows / AreaIndex, or the
# signed-in user): validating them again would cost a query each, per row.
_CHECKED_RELATIONS = ["indicator", "prefecture", "region", "municipality", "created_by", "edited_by"]


def _label(row: CheckedRow) -> str:
    return f"{row.indicator.name_ja}・{row.area.name}・{row.period_label}"


@transaction.atomic
@versions.once()
def import_batch_apply(*, by, batch: ImportBatch, note: str = "", confirmed_digest: str = "") -> ImportBatch:
    """Save every row of a pending batch, checked again against the data as it is now; all or nothing.

    Rows the soft rules question need `note` and the digest of the findings the preview showed
    (ConfirmationNeeded otherwise, also when the findings changed since); each becomes a FlaggedValue
    of the batch with the note.
    """
    _require_official(by)
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportBatch.Status.PENDING:
        raise ImportRejected([RowError(0, "", "この取り込みは既に実行済みか、破棄されています。")])
    checked, errors = check_rows(
        raw_rows_from_json(batch.rows), prefecture=batch.prefecture, reference=is_wide(batch.file_format)
    )
    if errors:
        raise ImportRejected(errors)
    locked = datasets.locked_row_errors(checked, prefecture=batch.prefecture, for_update=True)
    if locked:
        raise ImportRejected(locked)
    note = note.strip()
    messages = soft_messages(checked)
    if messages and not (note and confirmed_digest == validation.findings_digest(messages)):
        raise ConfirmationNeeded(messages, note_missing=not note)
    # The user as a plain instance: request.user is a lazy proxy, and every row below reads it a few
    # times (as created_by / edited_by and in its history), which cost a second on 10,000 rows.
    by = get_user_model().objects.get(pk=by.pk)
    now = timezone.now()
    locked = {
        o.pk: o
        for o in Observation.objects.select_for_update().filter(
            pk__in=[c.existing.pk for c in checked if c.existing]
        )
    }
    # check_rows has just checked every row against the data as it is now (indicator, area, period,
    # value range, duplicates, existing rows); each row's own fields are validated again, while the
    # related rows, uniqueness and area level are left to that check and to the database's
    # constraints instead of several queries per row; new rows and all history are written in bulk.
    labels = history.field_labels(Observation)
    created, updated = [], []
    for row in checked:
        values = {
            # a reference area (全国, another prefecture) is recorded under its own Prefecture
            "prefecture": row.area.prefecture or batch.prefecture,
            "region": row.area.region,
            "municipality": row.area.municipality,
            "period_kind": row.period.kind,
            "fiscal_year": row.period.fiscal_year,
            "as_of": row.period.as_of,
            "period_end": row.period.period_end,
            "value": row.value,
            "provenance": row.provenance,
            "note": row.note,
        }
        if row.existing is None:
            observation = Observation(
                indicator=row.indicator, area_key=row.area.key, period_key=row.period.key, **values
            )
            observation.created_by = by
            observation.edited_by, observation.edited_at = by, now
            observation.full_clean(
                exclude=_CHECKED_RELATIONS, validate_unique=False, validate_constraints=False
            )
            created.append((row, observation))
            continue
        observation = locked[row.existing.pk]
        previous = _previous(observation)
        before = history.snapshot(observation)
        for name, value in values.items():
            setattr(observation, name, value)
        observation.edited_by, observation.edited_at = by, now
        observation.full_clean(exclude=_CHECKED_RELATIONS, validate_unique=False, validate_constraints=False)
        if history.diff(before, history.snapshot(observation)):
            observation.version += 1  # an edit form loaded before the import is now stale
        updated.append((row, observation, previous, before))
    Observation.objects.bulk_create([observation for _, observation in created], batch_size=1000)
    versions.changed(INDICATOR_DATA)  # bulk_create sends no signals
    for _, observation, _, _ in updated:  # one save each: bulk updates of observations are refused
        observation.save()
    records = [
        history.change_record(
            by=by,
            instance=observation,
            action=ChangeRecord.Action.CREATE,
            changes=history.diff({}, history.snapshot(observation), labels=labels),
        )
        for _, observation in created
    ]
    records += [
        history.change_record(
            by=by,
            instance=observation,
            action=ChangeRecord.Action.UPDATE,
            changes=history.diff(before, history.snapshot(observation), labels=labels),
        )
        for _, observation, _, before in updated
    ]
    ChangeRecord.objects.bulk_create(
        [r for r in records if r.changes or r.action == ChangeRecord.Action.CREATE]
    )
    changes = [
        ImportChange(
            batch=batch,
            line=row.line,
            action=ImportChange.Action.CREATED,
            observation=observation,
            observation_pk=observation.pk,
            indicator=row.indicator,
            label=_label(row)[:300],
            applied=_applied(observation),
        )
        for row, observation in created
    ]
    changes += [
        ImportChange(
            batch=batch,
            line=row.line,
            action=ImportChange.Action.UPDATED,
            observation=observation,
            observation_pk=observation.pk,
            indicator=row.indicator,
            label=_label(row)[:300],
            previous=previous,
            applied=_applied(observation),
        )
        for row, observation, previous, _ in updated
    ]
    changes.sort(key=lambda change: change.line)
    ImportChange.objects.bulk_create(changes)
    flags.close_for_import(
        by=by,
        batch=batch,
        observations=[observation for _, observation, _, _ in updated],
        findings_by_pk={observation.pk: row.findings for row, observation, _, _ in updated},
    )
    raised = [
        flag
        for row, observation in [*created, *((r, o) for r, o, _, _ in updated)]
        for flag in flags.flags_for(
            by=by, observation=observation, findings=row.findings, note=note, batch=batch
        )
    ]
    if raised:
        FlaggedValue.objects.bulk_create(raised)
    batch.status = ImportBatch.Status.APPLIED
    batch.applied_by, batch.applied_at = by, now
    batch.created_count = sum(1 for c in changes if c.action == ImportChange.Action.CREATED)
    batch.updated_count = len(changes) - batch.created_count
    batch.save(update_fields=["status", "applied_by", "applied_at", "created_count", "updated_count"])
    for hook in _APPLY_HOOKS:
        hook(by=by, batch=batch)
    return batch


@transaction.atomic
def import_batch_discard(*, by, batch: ImportBatch) -> ImportBatch:
    """Drop a pending batch without saving anything (the record of the upload stays)."""
    _require_official(by)
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status == ImportBatch.Status.PENDING:
        batch.status = ImportBatch.Status.DISCARDED
        batch.save(update_fields=["status"])
    return batch


def _unchanged_since(change: ImportChange, observation: Observation | None) -> str | None:
    """Why this row cannot be undone (it changed after the import), or None."""
    if observation is None:
        return f"{change.line}行目（{change.label}）: 取り込み後に削除されています。"
    if _applied(observation) != change.applied:
        return f"{change.line}行目（{change.label}）: 取り込み後に変更されています（現在の値 {observation.value.normalize():f}）。"
    return None


@transaction.atomic
@versions.once()
def import_batch_undo(*, by, batch: ImportBatch) -> ImportBatch:
    """Restore the values the import replaced and delete the values it created.

    Refused (UndoRefused, nothing changed) when any of its rows was changed or removed since.
    """
    _require_official(by)
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportBatch.Status.APPLIED:
        raise UndoRefused(["取り込み済みの状態ではないため、取り消せません。"])
    changes = list(batch.changes.order_by("line"))
    observations = {
        o.pk: o
        for o in Observation.objects.select_for_update().filter(pk__in=[c.observation_pk for c in changes])
    }
    problems = [p for c in changes if (p := _unchanged_since(c, observations.get(c.observation_pk)))]
    if problems:
        raise UndoRefused(problems)
    locked = datasets.locked_sets(
        {datasets.key_of_observation(o) for o in observations.values()}, for_update=True
    )
    if locked:
        raise UndoRefused(sorted(datasets.locked_message(row) for row in locked.values()))
    for change in changes:
        observation = observations[change.observation_pk]
        if change.action == ImportChange.Action.CREATED:
            history.record_change(
                by=by,
                instance=observation,
                action=ChangeRecord.Action.DELETE,
                changes=history.diff(
                    history.snapshot(observation), {}, labels=history.field_labels(Observation)
                ),
                object_repr=f"{observation}（取り込みの取り消し）",
            )
            observation.delete()
            continue
        before = history.snapshot(observation)
        previous = change.previous
        observation.value = Decimal(previous["value"])
        observation.provenance = previous["provenance"]
        observation.note = previous["note"]
        observation.edited_by_id = previous["edited_by_id"]
        observation.edited_at = parse_datetime(previous["edited_at"]) if previous["edited_at"] else None
        if history.diff(before, history.snapshot(observation)):
            observation.version += 1
        observation.save()
        history.record_update(by=by, instance=observation, before=before)
    flags.close_for_undo(by=by, batch=batch)  # the created values' flags went with them
    for hook in _UNDO_HOOKS:
        hook(by=by, batch=batch)
    batch.status = ImportBatch.Status.UNDONE
    batch.undone_by, batch.undone_at = by, timezone.now()
    batch.save(update_fields=["status", "undone_by", "undone_at"])
    return batch
