"""Bookkeeping shared by the portal's region-scoped records (meetings, training sessions, peer support).

- `TrackedRecord`: abstract model with `version` (optimistic locking, bumped by the services),
  `created_at` and `updated_at`. Abstract, so it adds no table; the fields are defined exactly as the
  apps' initial migrations have them, so no migration follows from using it.
- `RegionLabelMixin`: `region_label` — the region's full name, or 「県全域」 when `region` is empty.
- `RecordQuerySet`: `in_fiscal_year()` and `for_region()` (None = prefecture-wide rows only).
- `SoftDeleteQuerySet`: `alive()` / `deleted()` for soft-deleted models; a subclass names how its
  model stores deletion in `alive_lookup` (e.g. `{"deleted_at__isnull": True}` or `{"is_deleted": False}`).
- `save_version_step()`: a service's save of a few fields (a soft delete, a restore) as a new version,
  recorded in the history in the same transaction.
- `check_version()` / `insert_or_conflict()`: the optimistic-locking checks every edit service makes — a
  stale version, or a first save that lost a unique race to someone else's, raises `StaleVersionError`
  with the stored record (the view shows the conflict page, never a 500).
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from core import history
from core.forms import StaleVersionError

PREFECTURE_WIDE_LABEL = "県全域"


class TrackedRecord(models.Model):
    version = models.PositiveIntegerField("版", default=1, editable=False)
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        abstract = True


class RegionLabelMixin:
    """For models with a (possibly empty) `region` foreign key."""

    @property
    def region_label(self) -> str:
        return self.region.full_name if self.region_id else PREFECTURE_WIDE_LABEL


class RecordQuerySet(models.QuerySet):
    def in_fiscal_year(self, fiscal_year: int):
        return self.filter(fiscal_year=fiscal_year)

    def for_region(self, region):
        """`region` None = prefecture-wide (県全域) rows only."""
        return self.filter(region__isnull=True) if region is None else self.filter(region=region)


class SoftDeleteQuerySet(models.QuerySet):
    alive_lookup: dict = {"deleted_at__isnull": True}

    def alive(self):
        return self.filter(**self.alive_lookup)

    def deleted(self):
        return self.exclude(**self.alive_lookup)


def save_version_step(
    instance: TrackedRecord, *, by, action: str, fields: list[str], changes: dict | None = None
):
    """Bump `version`, save `fields` (with version and updated_at) and record `action`; call inside the
    service's transaction, on a row it has locked. Returns the ChangeRecord."""
    instance.version += 1
    instance.save(update_fields=[*fields, "version", "updated_at"])
    return history.record_change(by=by, instance=instance, action=action, changes=changes)


def check_version(stored, loaded_version: int | None) -> None:
    """Raise StaleVersionError(stored) unless the editor loaded the version that is stored now.

    `loaded_version` None means the caller is not an editor (a script, an import): no check. 0 means the
    editor loaded the page before the record existed, so any stored record is someone else's.
    Call on a row the service has locked (`select_for_update`).
    """
    if loaded_version is not None and stored.version != loaded_version:
        raise StaleVersionError(stored)


def insert_or_conflict(instance: models.Model, *, stored: Callable[[], models.Model | None]) -> None:
    """Insert `instance` in a savepoint; when a concurrent first save won a unique constraint, raise
    StaleVersionError with that record (`stored()` finds it) instead of the database's IntegrityError.

    Two editors saving the first version of the same record at once both see no row, and the loser's
    INSERT fails on the unique index after the winner commits; the savepoint keeps the service's
    transaction usable to read the winner's row, and the error rolls the rest of the service back.
    """
    try:
        with transaction.atomic():
            instance.save(force_insert=True)
    except IntegrityError:
        existing = stored()
        if existing is None:  # another constraint: a real error, not a race
            raise
        raise StaleVersionError(existing) from None


def clean_new_or_conflict(instance: models.Model, *, stored: Callable[[], models.Model | None]) -> None:
    """`full_clean()` a record about to be inserted for the first time. A unique constraint it breaks
    because a concurrent first save committed between our read and this check is the same race as
    `insert_or_conflict`'s: StaleVersionError with the winner's record, not a form error."""
    try:
        instance.full_clean()
    except ValidationError:
        existing = stored()
        if existing is None:
            raise
        raise StaleVersionError(existing) from None
