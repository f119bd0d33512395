"""Writes of the 「確認が必要な値」 list (issue #17, item 3): the flags a confirmed value gets, their
automatic closing when the value is saved again, and a person's check of a flag.

A value's unresolved flags always belong to its latest save: saving it again (by form, the 協議の場
page or an import) closes them — as no longer applying when the rules now pass, or as handed on to
the new confirmation when the same finding is confirmed again — and the new save's soft findings
become its flags.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import roles
from core import history
from indicators.models import FlaggedValue, Observation
from indicators.validation import Finding

NO_LONGER_APPLIES = "値が再び登録され、検証でこの指摘に当たらなくなったため、自動で確認済みにしました（登録された値 {value}）。"
CONFIRMED_AGAIN = "同じ指摘について、値が再び確認のうえ登録されたため、新しい確認に引き継ぎました。"
IMPORTED_NO_LONGER_APPLIES = (
    "取り込み（{file}）で値が再び登録され、検証でこの指摘に当たらなくなったため、自動で確認済みにしました。"
)
UNDONE = "取り込みの取り消しで値が取り込み前に戻ったため、自動で確認済みにしました。"


def _value_text(observation: Observation) -> str:
    return f"{observation.value.normalize():f}"


def close_for_resave(*, by, observation: Observation, findings: list[Finding], open_flags=None) -> None:
    """Close the value's unresolved flags before its new save's flags are added (see the module)."""
    now = timezone.now()
    messages = {f.message for f in findings}
    if open_flags is None:
        open_flags = FlaggedValue.objects.unresolved().filter(observation=observation)
    for flag in open_flags:
        flag.resolved_by = by if getattr(by, "pk", None) else None
        flag.resolved_at = now
        flag.resolution = (
            CONFIRMED_AGAIN
            if flag.message in messages
            else NO_LONGER_APPLIES.format(value=_value_text(observation))
        )
        flag.save(update_fields=["resolved_by", "resolved_at", "resolution"])


def flags_for(*, by, observation: Observation, findings: list[Finding], note: str, batch=None) -> list:
    """Unsaved FlaggedValue rows for the soft findings of a saved value (bulk-created by the caller)."""
    return [
        FlaggedValue(
            observation=observation,
            rule=finding.rule,
            rule_label=finding.label[:200],
            message=finding.message,
            note=note,
            flagged_by=by if getattr(by, "pk", None) else None,
            import_batch=batch,
        )
        for finding in findings
        if not finding.is_hard
    ]


def flags_record(
    *, by, observation: Observation, findings: list[Finding], note: str, open_flags=None
) -> list:
    """After a value is saved: its earlier flags closed, one flag per soft finding (with the note)."""
    close_for_resave(by=by, observation=observation, findings=findings, open_flags=open_flags)
    flags = flags_for(by=by, observation=observation, findings=findings, note=note)
    return FlaggedValue.objects.bulk_create(flags) if flags else []


def close_for_import(*, by, batch, observations: list[Observation], findings_by_pk: dict) -> None:
    """An applied import's values (`observations`, updated ones) close their earlier flags: two
    queries at most however many rows (read, then one UPDATE per resolution text)."""
    if not observations:
        return
    now = timezone.now()
    values = {o.pk: o for o in observations}
    again, gone = [], []
    for flag in (
        FlaggedValue.objects.unresolved()
        .filter(observation__in=list(values))
        .only("pk", "observation_id", "message")
    ):
        messages = {f.message for f in findings_by_pk.get(flag.observation_id, [])}
        (again if flag.message in messages else gone).append(flag.pk)
    resolver = by if getattr(by, "pk", None) else None
    if again:
        FlaggedValue.objects.filter(pk__in=again).update(
            resolved_by=resolver, resolved_at=now, resolution=CONFIRMED_AGAIN
        )
    if gone:
        FlaggedValue.objects.filter(pk__in=gone).update(
            resolved_by=resolver,
            resolved_at=now,
            resolution=IMPORTED_NO_LONGER_APPLIES.format(file=batch.file_name),
        )


def close_for_undo(*, by, batch) -> int:
    """Undoing an import puts its updated values back: the flags that import raised are closed."""
    return (
        FlaggedValue.objects.unresolved()
        .filter(import_batch=batch)
        .update(
            resolved_by=by if getattr(by, "pk", None) else None, resolved_at=timezone.now(), resolution=UNDONE
        )
    )


RESOLVE_DENIED = "この値を確認済みにできるのは、県の担当者と、その圏域の保健所の担当者です。"


@transaction.atomic
def flag_resolve(*, by, flag: FlaggedValue, resolution: str) -> FlaggedValue:
    """A person checked a flagged value: mark it resolved with what they found (recorded in history).

    Officials resolve any flag; health-centre staff those of their own region's values.
    """
    flag = FlaggedValue.objects.select_for_update().select_related("observation").get(pk=flag.pk)
    roles.check_region(by, flag.observation.region_id, prefecture_wide_message=RESOLVE_DENIED)
    if flag.resolved_at is not None:
        raise ValidationError("この値は既に確認済みです。")
    resolution = resolution.strip()
    if not resolution:
        raise ValidationError("確認結果を入力してください。")
    before = history.snapshot(flag)
    flag.resolved_by, flag.resolved_at, flag.resolution = by, timezone.now(), resolution
    flag.save(update_fields=["resolved_by", "resolved_at", "resolution"])
    history.record_update(by=by, instance=flag, before=before)
    return flag
