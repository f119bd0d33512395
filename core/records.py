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
"""

from __future__ import annotations

from django.db import models

from core import history

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
