"""Data versions: a counter per group of tables, for caches keyed on the data they were built from.

`track(name, *models)` raises the counter `name` whenever an instance of one of the models is
saved or deleted (signals, so the Django admin, services, loaders and `QuerySet.delete()` are all
covered), in the same transaction as the write. Writes that send no signals (`bulk_create`,
`QuerySet.update()`) call `changed(name)` themselves; the bulk writers here do (indicator imports,
bench/generate.py). Inside `once()` the writes of a batch raise each version once, at the end.

A reader takes `current(...)` *before* it reads the data: a write that commits in between leaves
newer data under the older version — recomputed once more, never stale — whereas the other order
could keep older data under the newer version.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models import F
from django.db.models.signals import post_delete, post_save

from core.models import DataVersion

_tracked: dict[type, set[str]] = {}
_batch: ContextVar[set[tuple[str, str]] | None] = ContextVar("data_version_batch", default=None)


def bump(name: str, *, using: str = "default") -> None:
    """Raise version `name` now (one UPDATE; the row is created the first time)."""
    row = DataVersion.objects.using(using).filter(name=name)
    if not row.update(number=F("number") + 1):
        DataVersion.objects.using(using).get_or_create(name=name)
        row.update(number=F("number") + 1)


def current(*names: str, using: str = "default") -> tuple[int, ...]:
    """The versions of `names`, in that order, in one query (0 for a group never written)."""
    numbers = dict(DataVersion.objects.using(using).filter(name__in=names).values_list("name", "number"))
    return tuple(numbers.get(name, 0) for name in names)


@contextmanager
def once():
    """Raise the versions the writes inside touch once each, when the block ends without an error
    (a 10,000-row import is one UPDATE, not 10,000). Use inside the batch's transaction."""
    pending: set[tuple[str, str]] = set()
    token = _batch.set(pending)
    try:
        yield
    finally:
        _batch.reset(token)
    for name, using in sorted(pending):
        bump(name, using=using)


def changed(name: str, *, using: str = "default") -> None:
    """Tables of group `name` were written: raise its version now, or at the end of `once()`."""
    pending = _batch.get()
    if pending is not None:
        pending.add((name, using))
    else:
        bump(name, using=using)


def _on_write(sender, instance, using, raw=False, **kwargs):
    # In name order, so that two transactions never lock the counters in opposite orders.
    for name in sorted(_tracked.get(sender, ())):
        changed(name, using=using)


def track(name: str, *models) -> None:
    """Raise version `name` on every save and delete of `models` (idempotent; call from ready())."""
    for model in models:
        _tracked.setdefault(model, set()).add(name)
        post_save.connect(_on_write, sender=model, dispatch_uid=f"versions:{model._meta.label}")
        post_delete.connect(_on_write, sender=model, dispatch_uid=f"versions:{model._meta.label}")
