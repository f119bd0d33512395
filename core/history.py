"""Recording who changed what: snapshots of a record's fields and the difference between two.

Service functions call `snapshot()` before a change and `record_change()` after it, inside the
same transaction, so a change and its history are written together or not at all.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models

from core.models import ChangeRecord


def _display(instance, field) -> str | int | float | bool | None:
    value = getattr(instance, field.attname)
    if value is None:
        return None
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.ForeignKey):
        related = getattr(instance, field.name)
        return str(related) if related is not None else None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bool | int | float):
        return value
    return str(value)


def snapshot(instance, *, exclude: tuple[str, ...] = ()) -> dict:
    """Field name → displayable value for every concrete, editable field (and many-to-many lists)."""
    data = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key or field.name in exclude or not field.editable:
            continue
        data[field.name] = _display(instance, field)
    if instance.pk:
        for field in instance._meta.many_to_many:
            if field.name not in exclude:
                data[field.name] = sorted(str(o) for o in getattr(instance, field.name).all())
    return data


def diff(before: dict, after: dict, *, labels: dict[str, str] | None = None) -> dict:
    """{field: {"label", "old", "new"}} for every field whose value changed."""
    changes = {}
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old != new:
            changes[name] = {"label": (labels or {}).get(name, name), "old": old, "new": new}
    return changes


def field_labels(model) -> dict[str, str]:
    return {f.name: str(f.verbose_name) for f in model._meta.get_fields() if hasattr(f, "verbose_name")}


def change_record(
    *, by, instance, action: str, changes: dict | None = None, object_repr: str = ""
) -> ChangeRecord:
    """The history row `record_change` writes, unsaved (for services that save many at once)."""
    return ChangeRecord(
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=str(instance.pk),
        object_repr=(object_repr or str(instance))[:300],
        action=action,
        changes=changes or {},
        user=by if getattr(by, "pk", None) else None,
        username=getattr(by, "username", "") or "system",
    )


def record_change(
    *, by, instance, action: str, changes: dict | None = None, object_repr: str = ""
) -> ChangeRecord:
    record = change_record(by=by, instance=instance, action=action, changes=changes, object_repr=object_repr)
    record.save()
    return record


def record_create(*, by, instance) -> ChangeRecord:
    labels = field_labels(type(instance))
    return record_change(
        by=by,
        instance=instance,
        action=ChangeRecord.Action.CREATE,
        changes=diff({}, snapshot(instance), labels=labels),
    )


def record_update(*, by, instance, before: dict) -> ChangeRecord | None:
    """Record the difference from `before`; nothing is written when nothing changed."""
    changes = diff(before, snapshot(instance), labels=field_labels(type(instance)))
    if not changes:
        return None
    return record_change(by=by, instance=instance, action=ChangeRecord.Action.UPDATE, changes=changes)
