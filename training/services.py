"""Writes for training sessions and the peer-supporter programme, and the reusable per-region summary.

Every write is a keyword-only function under `transaction.atomic` that checks the caller's rights
through `accounts.roles` and records the change with `core.history` in the same transaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, Sum

from accounts import roles
from accounts.roles import check_region
from core import history
from core.categories import OrganisationType
from core.changes import ConflictRow, changed_since, conflict_rows
from core.fiscal import fiscal_year_of
from core.models import ChangeRecord
from core.records import check_version, insert_or_conflict, save_version_step
from indicators.datasets import ensure_editable
from regions.models import Region, owning_prefecture_id
from training.models import PeerSupportProgramme, TrainingAttendance, TrainingSession, format_hours

SESSION_FIELDS = (
    "course",
    "title",
    "start_date",
    "end_date",
    "hours",
    "organiser_kind",
    "organiser_health_centre",
    "organiser_other",
    "region",
    "place",
    "respondents",
    "satisfied",
    "requests",
)
PEER_SUPPORT_FIELDS = (
    "hospitals_surveyed",
    "hospitals_wanting",
    "offices_surveyed",
    "offices_wanting",
    "needs_purpose",
    "trained",
    "registered",
    "active",
    "hospital_visits",
    "meeting_participations",
    "other_activities",
)
_TYPE_LABELS = dict(OrganisationType.choices)
_HISTORY_EXCLUDE = ("created_at", "updated_at")


def _check_region(user, region) -> None:
    check_region(user, region, prefecture_wide_message="県全域の研修は県職員のみ登録・変更できます。")


def _session_snapshot(session: TrainingSession, attendee_counts: dict[str, int] | None = None) -> dict:
    """History values of a session; `attendee_counts` stands in for its stored attendance (a draft's input)."""
    data = history.snapshot(session, exclude=_HISTORY_EXCLUDE)
    if attendee_counts is None:
        attendee_counts = {a.organisation_type: a.count for a in session.attendances.all()}
    data["attendees"] = {
        _TYPE_LABELS[value]: attendee_counts[value]
        for value in OrganisationType.values
        if attendee_counts.get(value)
    }
    return data


def _session_labels() -> dict[str, str]:
    return {**history.field_labels(TrainingSession), "attendees": "参加者数"}


def _set_attendance(session: TrainingSession, counts: dict[str, int]) -> None:
    for key, value in counts.items():
        if key not in _TYPE_LABELS:
            raise ValueError(f"unknown organisation type {key!r}")
        if value is None or value < 0:
            raise ValueError("参加者数に負の数は使えません。")
    session.attendances.all().delete()
    TrainingAttendance.objects.bulk_create(
        TrainingAttendance(session=session, organisation_type=key, count=value)
        for key, value in counts.items()
        if value
    )


def _apply(session: TrainingSession, data: dict) -> None:
    for name in SESSION_FIELDS:
        if name in data:
            setattr(session, name, data[name])
    if session.organiser_kind != "health_centre":
        session.organiser_health_centre = None
    if session.organiser_kind != "other":
        session.organiser_other = ""
    if session.hours is not None:
        # 2.5 from the form and 2.50 from the database are the same hours (no spurious history).
        session.hours = Decimal(session.hours).quantize(Decimal("0.01"))
    session.fiscal_year = fiscal_year_of(session.start_date)
    session.prefecture_id = owning_prefecture_id(session.region)


@transaction.atomic
def training_session_create(*, by, attendee_counts: dict[str, int] | None = None, **data) -> TrainingSession:
    """Create a session (fields as keyword arguments, e.g. course=…, region=None for 県全域)."""
    _check_region(by, data.get("region"))
    session = TrainingSession()
    _apply(session, data)
    session.full_clean()
    session.save()
    _set_attendance(session, attendee_counts or {})
    history.record_change(
        by=by,
        instance=session,
        action=ChangeRecord.Action.CREATE,
        changes=history.diff({}, _session_snapshot(session), labels=_session_labels()),
    )
    return session


@transaction.atomic
def training_session_update(
    *,
    by,
    session: TrainingSession,
    version: int | None,
    attendee_counts: dict[str, int] | None = None,
    **data,
) -> TrainingSession:
    """Change a session; raises StaleVersionError if it changed since `version` was read."""
    locked = TrainingSession.objects.select_for_update().get(pk=session.pk)
    _check_region(by, locked.region)
    if locked.is_deleted:
        raise PermissionDenied("削除済みの研修は変更できません。")
    check_version(locked, version)
    before = _session_snapshot(locked)
    _apply(locked, data)
    _check_region(by, locked.region)
    locked.full_clean()
    if attendee_counts is not None:
        _set_attendance(locked, attendee_counts)
    after = _session_snapshot(locked)
    changes = history.diff(before, after, labels=_session_labels())
    if changes:
        locked.version += 1
        locked.save()
        history.record_change(by=by, instance=locked, action=ChangeRecord.Action.UPDATE, changes=changes)
    return locked


def training_session_conflict_rows(
    *, session: TrainingSession, loaded_version: int, attendee_counts: dict[str, int] | None = None, **data
) -> list[ConflictRow]:
    """What others changed since the editor loaded `loaded_version`, beside the editor's (unsaved) input."""
    draft = TrainingSession.objects.get(pk=session.pk)
    _apply(draft, data)
    return conflict_rows(
        changed=changed_since(session, loaded_version),
        current=_session_snapshot(session),
        proposed=_session_snapshot(draft, attendee_counts or {}),
        labels=_session_labels(),
    )


def peer_support_conflict_rows(
    *, programme: PeerSupportProgramme, loaded_version: int, **data
) -> list[ConflictRow]:
    """The peer-support programme's counterpart of `training_session_conflict_rows`."""
    draft = PeerSupportProgramme.objects.get(pk=programme.pk)
    for name in PEER_SUPPORT_FIELDS:
        if name in data:
            setattr(draft, name, data[name])
    return conflict_rows(
        changed=changed_since(programme, loaded_version),
        current=history.snapshot(programme, exclude=_HISTORY_EXCLUDE),
        proposed=history.snapshot(draft, exclude=_HISTORY_EXCLUDE),
        labels=history.field_labels(PeerSupportProgramme),
    )


@transaction.atomic
def training_session_delete(*, by, session: TrainingSession) -> TrainingSession:
    """Soft delete (prefecture officials only); the record stays and can be restored."""
    if not roles.is_prefecture(by):
        raise PermissionDenied("研修の削除は県職員のみ行えます。")
    locked = TrainingSession.objects.select_for_update().get(pk=session.pk)
    if not locked.is_deleted:
        locked.is_deleted = True
        save_version_step(locked, by=by, action=ChangeRecord.Action.DELETE, fields=["is_deleted"])
    return locked


@transaction.atomic
def training_session_restore(*, by, session: TrainingSession) -> TrainingSession:
    """Undo a soft delete (prefecture officials only)."""
    if not roles.is_prefecture(by):
        raise PermissionDenied("研修の復元は県職員のみ行えます。")
    locked = TrainingSession.objects.select_for_update().get(pk=session.pk)
    if locked.is_deleted:
        locked.is_deleted = False
        save_version_step(locked, by=by, action=ChangeRecord.Action.RESTORE, fields=["is_deleted"])
    return locked


@transaction.atomic
def peer_support_save(
    *, by, region: Region, fiscal_year: int, version: int | None = None, **data
) -> tuple[PeerSupportProgramme, bool]:
    """Create or update the programme of `region` in `fiscal_year`; returns (programme, created).

    `version` is the version the editor loaded (0 when the page showed no programme yet): a programme
    saved by someone else since — or created by someone else at the same moment, which the unique
    constraint reveals — raises StaleVersionError. None (scripts) skips the check.
    The programme's figures belong to the region's data set of that 年度: creating or changing them
    while it is 提出済 or 承認済 raises `indicators.datasets.DataSetLocked`.
    """
    _check_region(by, region)
    programme = (
        PeerSupportProgramme.objects.select_for_update()
        .select_related("region")
        .filter(region=region, fiscal_year=fiscal_year)
        .first()
    )
    created = programme is None
    if created:
        programme = PeerSupportProgramme(region=region, fiscal_year=fiscal_year)
        before = None
    else:
        check_version(programme, version)
        before = history.snapshot(programme, exclude=_HISTORY_EXCLUDE)
    for name in PEER_SUPPORT_FIELDS:
        if name in data:
            setattr(programme, name, data[name])
    lock = {"prefecture": region.prefecture_id, "fiscal_year": fiscal_year, "region": region}
    if created:
        ensure_editable(**lock)
        programme.full_clean()  # a first save racing another passes this; the INSERT then conflicts
        insert_or_conflict(
            programme,
            stored=lambda: PeerSupportProgramme.objects.filter(
                region=region, fiscal_year=fiscal_year
            ).first(),
        )
        history.record_change(
            by=by,
            instance=programme,
            action=ChangeRecord.Action.CREATE,
            changes=history.diff(
                {},
                history.snapshot(programme, exclude=_HISTORY_EXCLUDE),
                labels=history.field_labels(PeerSupportProgramme),
            ),
        )
        return programme, True
    programme.full_clean()
    changes = history.diff(
        before,
        history.snapshot(programme, exclude=_HISTORY_EXCLUDE),
        labels=history.field_labels(PeerSupportProgramme),
    )
    if changes:
        ensure_editable(**lock)
        programme.version += 1
        programme.save()
        history.record_change(by=by, instance=programme, action=ChangeRecord.Action.UPDATE, changes=changes)
    return programme, False


# --- The reusable summary ------------------------------------------------------------------------


@dataclass
class RegionSummary:
    """Training and peer support of one region (or the prefecture-wide row) in one 年度.

    - `region`: a `Region`, or None for the 県全域 row (prefecture-wide sessions);
    - `fiscal_year`: the 年度 as its starting Western year (2022 = 令和4年度);
    - `session_count`: sessions held (soft-deleted ones excluded);
    - `total_hours`: their hours added up (Decimal);
    - `attendees_total`: attendees of those sessions, all categories;
    - `attendees_by_type`: {OrganisationType value: count} with every type present (0 when none);
    - `peer_trained`, `peer_registered`, `peer_active`: from the region's PeerSupportProgramme of that
      year, None when no programme has been recorded (always None on the 県全域 row);
    - `has_peer_support`: whether such a programme record exists.
    """

    region: Region | None
    fiscal_year: int
    session_count: int = 0
    total_hours: Decimal = Decimal(0)
    attendees_total: int = 0
    attendees_by_type: dict[str, int] = field(default_factory=dict)
    peer_trained: int | None = None
    peer_registered: int | None = None
    peer_active: int | None = None

    @property
    def label(self) -> str:
        return self.region.full_name if self.region else "県全域"

    @property
    def hours_label(self) -> str:
        return format_hours(self.total_hours)

    @property
    def has_peer_support(self) -> bool:
        return self.peer_registered is not None

    def attendees_in_order(self) -> list[tuple[str, str, int]]:
        """(type value, Japanese label, count) in OrganisationType order, for tables."""
        return [
            (value, label, self.attendees_by_type.get(value, 0)) for value, label in OrganisationType.choices
        ]


def training_summary(
    *, fiscal_year: int, region: Region | None = None, regions: list[Region] | None = None
) -> list[RegionSummary]:
    """Per-region training and peer-support figures of one 年度, in at most four queries (whatever the data).

    Without `region`: one `RegionSummary` per region (in the regions' display order, all regions even
    when nothing was recorded) followed by one for 県全域 (prefecture-wide sessions, region None);
    `regions` limits that to the given regions (the dashboard passes its prefecture's, so that a
    database holding every prefecture's records does not add up the whole country's training).
    With `region`: a one-element list for that region. Soft-deleted sessions never count.
    Callers (the summary page, the dashboard, the status sheet) add rows up with `summary_total()`.
    """
    restricted = region is None and regions is not None
    if region is not None:
        regions = [region]
    elif regions is not None:
        regions = list(regions)
    else:
        regions = list(Region.objects.order_by("display_order", "code"))
    sessions = TrainingSession.objects.active().in_fiscal_year(fiscal_year)
    attendances = TrainingAttendance.objects.filter(
        session__is_deleted=False, session__fiscal_year=fiscal_year
    )
    programmes = PeerSupportProgramme.objects.in_fiscal_year(fiscal_year)
    if region is not None:
        sessions = sessions.filter(region=region)
        attendances = attendances.filter(session__region=region)
        programmes = programmes.filter(region=region)
    elif restricted:
        region_ids = [r.pk for r in regions]
        sessions = sessions.filter(Q(region_id__in=region_ids) | Q(region__isnull=True))
        attendances = attendances.filter(
            Q(session__region_id__in=region_ids) | Q(session__region__isnull=True)
        )
        programmes = programmes.filter(region_id__in=region_ids)

    rows: dict[int | None, RegionSummary] = {
        r.pk: RegionSummary(
            region=r, fiscal_year=fiscal_year, attendees_by_type=dict.fromkeys(OrganisationType.values, 0)
        )
        for r in regions
    }
    if region is None:
        rows[None] = RegionSummary(
            region=None, fiscal_year=fiscal_year, attendees_by_type=dict.fromkeys(OrganisationType.values, 0)
        )

    for item in sessions.order_by().values("region_id").annotate(n=Count("pk"), hours=Sum("hours")):
        row = rows.get(item["region_id"])
        if row is not None:
            row.session_count = item["n"]
            row.total_hours = item["hours"] or Decimal(0)

    counts = (
        attendances.order_by().values("session__region_id", "organisation_type").annotate(total=Sum("count"))
    )
    by_region: dict[int | None, dict[str, int]] = defaultdict(dict)
    for item in counts:
        by_region[item["session__region_id"]][item["organisation_type"]] = item["total"]
    for key, per_type in by_region.items():
        row = rows.get(key)
        if row is not None:
            for value, total in per_type.items():
                row.attendees_by_type[value] = total
            row.attendees_total = sum(row.attendees_by_type.values())

    for item in programmes.values("region_id", "trained", "registered", "active"):
        row = rows.get(item["region_id"])
        if row is not None:
            row.peer_trained = item["trained"]
            row.peer_registered = item["registered"]
            row.peer_active = item["active"]
    return list(rows.values())


def summary_total(rows: list[RegionSummary]) -> RegionSummary:
    """The rows added up (region None, peer figures summed over regions that recorded them)."""
    fiscal_year = rows[0].fiscal_year if rows else 0
    total = RegionSummary(
        region=None, fiscal_year=fiscal_year, attendees_by_type=dict.fromkeys(OrganisationType.values, 0)
    )
    for row in rows:
        total.session_count += row.session_count
        total.total_hours += row.total_hours
        total.attendees_total += row.attendees_total
        for value, count in row.attendees_by_type.items():
            total.attendees_by_type[value] += count
        for name in ("peer_trained", "peer_registered", "peer_active"):
            value = getattr(row, name)
            if value is not None:
                setattr(total, name, (getattr(total, name) or 0) + value)
    return total
