"""Writes of the data sets (issue #17): submit, withdraw, send back, approve, reopen, and the due date.

A data set is one area × 年度 (`indicators.datasets.DataSetKey`); its row is created by its first
transition (a set with no row is 入力中). Every transition locks the row, checks the user's right in
`accounts.roles`, checks that the step applies to the state the set is in now, saves the row with the
next version, and writes a `DataSetTransition`, the history (`core.history`) and an audit event
(`core.audit`) — in one transaction, so all of them are written or none.

While a set is 提出済 or 承認済 its figures are locked (`indicators.datasets.ensure_editable`, called
by every figure write); withdrawing, sending back and reopening unlock them.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import roles
from core import history, validators
from core.audit import AuditEvent, audit_event
from core.records import check_version, insert_or_conflict
from indicators.datasets import DataSetKey, find
from indicators.models import DataSet, DataSetTransition, SubmissionDeadline

State = DataSet.State

# The steps, as the transition rows, the history and the audit log name them.
SUBMIT, WITHDRAW, RETURN, APPROVE, REOPEN = "submit", "withdraw", "return", "approve", "reopen"
ACTION_LABELS = {
    SUBMIT: "提出",
    WITHDRAW: "提出の取り下げ",
    RETURN: "差し戻し",
    APPROVE: "承認",
    REOPEN: "承認の取り消し（再開）",
}
REASON_REQUIRED = "理由を入力してください。"


class DataSetStateError(ValidationError):
    """The step does not apply to the set as it is now (someone else moved it on, or it never was)."""

    def __init__(self, data_set: DataSet | None, action: str):
        state = data_set.get_state_display() if data_set is not None else State.OPEN.label
        self.data_set = data_set
        super().__init__(
            f"このデータセットは現在「{state}」のため、{ACTION_LABELS[action]}はできません。"
            "画面を読み込み直して、現在の状況を確認してください。",
            code="data_set_state",
        )


def _reason(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(REASON_REQUIRED, code="reason_required")
    return text


def _row_to_submit(key: DataSetKey) -> tuple[DataSet, bool]:
    """The set's row, locked; created (入力中) when the set has none yet. Returns (row, created).

    Two first submissions at the same moment: the loser's INSERT conflicts and raises StaleVersionError.
    """
    row = find(key, for_update=True)
    if row is not None:
        return row, False
    row = DataSet(**key.lookup())
    row.full_clean(validate_unique=False, validate_constraints=False)  # the INSERT checks those
    insert_or_conflict(row, stored=lambda: find(key))
    return row, True


def _stored_row(key: DataSetKey, action: str, expected: set[str]) -> DataSet:
    row = find(key, for_update=True)
    if row is None or row.state not in expected:
        raise DataSetStateError(row, action)
    return row


def _step(
    *, by, row: DataSet, created: bool, action: str, to: str, note: str = "", request=None, **fields
) -> DataSet:
    """Move `row` (locked) to state `to` and set `fields`: the row, its transition (with `note`: the
    reason or the submitter's memo), its history and the audit event."""
    before = history.snapshot(row)
    from_state = row.state
    row.state = to
    for name, value in fields.items():
        setattr(row, name, value)
    if not created:
        row.version += 1
    row.save()
    DataSetTransition.objects.create(
        data_set=row,
        from_state=from_state,
        to_state=to,
        by=by if getattr(by, "pk", None) else None,
        reason=note,
    )
    if created:
        history.record_create(by=by, instance=row)
    else:
        history.record_update(by=by, instance=row, before=before)
    audit_event(
        kind=AuditEvent.Kind.DATA_SET,
        request=request,
        user=by,
        target=row,
        detail={
            "操作": ACTION_LABELS[action],
            "変更前": State(from_state).label,
            "変更後": State(to).label,
            **({"理由・メモ": note} if note else {}),
        },
    )
    return row


@transaction.atomic
def data_set_submit(
    *, by, key: DataSetKey, version: int | None = None, note: str = "", request=None
) -> DataSet:
    """入力中 or 差し戻し → 提出済: a region's staff submit their region's set, an official a
    prefecture-level or municipality-level one. The figures are locked until it is sent back,
    withdrawn or approved and reopened. `version`: what the page showed (0: no row yet)."""
    roles.check_data_set_submit(by, key.region_id)
    row, created = _row_to_submit(key)
    if not created:
        check_version(row, version)
    if row.state not in {State.OPEN, State.RETURNED}:
        raise DataSetStateError(row, SUBMIT)
    now = timezone.now()
    return _step(
        by=by,
        row=row,
        created=created,
        action=SUBMIT,
        to=State.SUBMITTED,
        note=(note or "").strip(),
        request=request,
        submitted_by=by,
        submitted_at=now,
        first_submitted_at=row.first_submitted_at or now,
        approved_by=None,
        approved_at=None,
    )


@transaction.atomic
def data_set_withdraw(*, by, key: DataSetKey, version: int | None = None, request=None) -> DataSet:
    """提出済 → 入力中, by the person who submitted it (to correct a figure before anyone reviews it)."""
    row = find(key, for_update=True)
    roles.check_data_set_withdraw(
        by, submitted_by_id=row.submitted_by_id if row else None, region=key.region_id
    )
    row = _stored_row(key, WITHDRAW, {State.SUBMITTED})
    check_version(row, version)
    return _step(
        by=by,
        row=row,
        created=False,
        action=WITHDRAW,
        to=State.OPEN,
        request=request,
        submitted_by=None,
        submitted_at=None,
    )


@transaction.atomic
def data_set_return(*, by, key: DataSetKey, reason: str, version: int | None = None, request=None) -> DataSet:
    """提出済 → 差し戻し, by an official, with the reason the submitter reads on the set's page."""
    roles.check_data_set_review(by)
    reason = _reason(reason)
    row = _stored_row(key, RETURN, {State.SUBMITTED})
    check_version(row, version)
    return _step(
        by=by,
        row=row,
        created=False,
        action=RETURN,
        to=State.RETURNED,
        note=reason,
        request=request,
        reason=reason,
    )


@transaction.atomic
def data_set_approve(*, by, key: DataSetKey, version: int | None = None, request=None) -> DataSet:
    """提出済 → 承認済, by an official who did not submit it (four eyes for every set)."""
    roles.check_data_set_review(by)
    row = _stored_row(key, APPROVE, {State.SUBMITTED})
    roles.check_data_set_approve(by, submitted_by_id=row.submitted_by_id)
    check_version(row, version)
    return _step(
        by=by,
        row=row,
        created=False,
        action=APPROVE,
        to=State.APPROVED,
        request=request,
        approved_by=by,
        approved_at=timezone.now(),
    )


@transaction.atomic
def data_set_reopen(*, by, key: DataSetKey, reason: str, version: int | None = None, request=None) -> DataSet:
    """承認済 → 入力中, by an official, with the reason (recorded): the figures can change again and
    the set is submitted and approved once more."""
    roles.check_data_set_review(by)
    reason = _reason(reason)
    row = _stored_row(key, REOPEN, {State.APPROVED})
    check_version(row, version)
    return _step(
        by=by,
        row=row,
        created=False,
        action=REOPEN,
        to=State.OPEN,
        note=reason,
        request=request,
        reason=reason,
        approved_by=None,
        approved_at=None,
        submitted_by=None,
        submitted_at=None,
    )


@transaction.atomic
def deadline_set(*, by, prefecture, fiscal_year: int, due_date: date) -> SubmissionDeadline:
    """The date by which the 年度's data sets are due (officials); submissions are on time or late
    against it, judged by each set's first submission."""
    roles.check_data_set_review(by)
    validators.FiscalYearRangeValidator("対象年度")(fiscal_year)
    validators.due_date("提出期限")(due_date)
    stored = SubmissionDeadline.objects.filter(prefecture=prefecture, fiscal_year=fiscal_year)
    deadline = stored.select_for_update().first()
    if deadline is None:
        deadline = SubmissionDeadline(
            prefecture=prefecture, fiscal_year=fiscal_year, due_date=due_date, set_by=by
        )
        deadline.full_clean(validate_unique=False, validate_constraints=False)
        insert_or_conflict(deadline, stored=stored.first)
        history.record_create(by=by, instance=deadline)
        return deadline
    if deadline.due_date != due_date:
        before = history.snapshot(deadline)
        deadline.due_date = due_date
        deadline.set_by = by
        deadline.full_clean(validate_unique=False, validate_constraints=False)
        deadline.save()
        history.record_update(by=by, instance=deadline, before=before)
    return deadline
