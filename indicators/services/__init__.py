"""Writes: keyword-only `<entity>_<action>` functions under `transaction.atomic`, recording history.

What readers share (periods, formatting, gap and status) is in `indicators.values`; the sum checks
of totals against their parts in `indicators.checks`.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts import roles
from core import history
from core.records import check_version, clean_new_or_conflict, insert_or_conflict
from indicators import validation
from indicators.datasets import ensure_editable, ensure_observation_editable
from indicators.models import FlaggedValue, Indicator, Observation, Target, area_key_for
from indicators.services import flags
from indicators.values import period_from_text, stored_value

# --- writes -------------------------------------------------------------------------------------


def _mark_edited(instance, by) -> None:
    if getattr(by, "pk", None):
        instance.edited_by = by
        instance.edited_at = timezone.now()


@transaction.atomic
def observation_record(
    *,
    by,
    indicator: Indicator,
    prefecture,
    period_text: str,
    value: Decimal,
    provenance: str = "",
    note: str = "",
    region=None,
    municipality=None,
    version: int | None = None,
) -> Observation:
    """Create or update the value of `indicator` for one area and period (a person's save is tracked).

    `version`: what the edit form was loaded with (StaleVersionError when the value was saved since);
    None for callers that record a value whatever is stored (the create form, imports of part 1).
    Officials write every area, a health centre's staff their own regions' region-level values
    (PermissionDenied otherwise); a new or changed value of a 提出済 / 承認済 data set raises
    `indicators.datasets.DataSetLocked` (an unchanged one is left alone).
    """
    roles.check_figures(by, region=region, municipality=municipality)
    period = period_from_text(period_text)
    area_key = area_key_for(prefecture=prefecture, region=region, municipality=municipality)
    stored = Observation.objects.filter(indicator=indicator, area_key=area_key, period_key=period.key)
    obs = stored.select_for_update().first()
    values = {
        "prefecture": prefecture,
        "region": region,
        "municipality": municipality,
        "period_kind": period.kind,
        "fiscal_year": period.fiscal_year,
        "as_of": period.as_of,
        "period_end": period.period_end,
        "value": stored_value(value),
        "provenance": provenance,
        "note": note,
    }
    lock = {"prefecture": prefecture, "fiscal_year": period.fiscal_year, "region": region}
    if obs is None:
        ensure_editable(**lock, municipality=municipality)
        obs = Observation(indicator=indicator, area_key=area_key, period_key=period.key, **values)
        obs.created_by = by if getattr(by, "pk", None) else None
        _mark_edited(obs, by)
        clean_new_or_conflict(obs, stored=stored.first)
        insert_or_conflict(obs, stored=stored.first)
        history.record_create(by=by, instance=obs)
        return obs
    check_version(obs, version)
    before = history.snapshot(obs)
    for name, new in values.items():
        setattr(obs, name, new)
    if history.diff(before, history.snapshot(obs)):
        ensure_editable(**lock, municipality=municipality)
        _mark_edited(obs, by)
        obs.full_clean()
        obs.version += 1
        obs.save()
        history.record_update(by=by, instance=obs, before=before)
    return obs


def _confirmed(findings, messages, *, note: str, digest: str) -> None:
    """Hard findings refuse the value; soft ones need the note and the digest of what was shown."""
    hard = [f for f in findings if f.is_hard]
    if hard:
        raise validation.ValueRefused(hard)
    soft = [f for f in findings if not f.is_hard]
    if soft and not (note.strip() and digest == validation.findings_digest(messages)):
        raise validation.ConfirmationRequired(soft, messages=messages)


@transaction.atomic
def observation_record_checked(
    *,
    by,
    indicator: Indicator,
    prefecture,
    period_text: str,
    value: Decimal,
    confirmation_note: str = "",
    confirmed_digest: str = "",
    region=None,
    municipality=None,
    **fields,
) -> Observation:
    """`observation_record` behind the validation rules (`indicators.validation`), as the entry form saves.

    A hard finding raises ValueRefused and nothing is saved; soft findings raise ConfirmationRequired
    unless confirmed — `confirmed_digest` the digest of the findings the person was shown, with a
    `confirmation_note`. A saved value's earlier flags are closed and each soft finding becomes a
    FlaggedValue with the note, in the same transaction. `fields`: provenance, note, version.
    """
    period = period_from_text(period_text)
    # Who may write, and whether the data set is open, before the rules: nobody is asked to confirm
    # a value with a note only to be told afterwards that it cannot be saved at all.
    roles.check_figures(by, region=region, municipality=municipality)
    ensure_editable(
        prefecture=prefecture, fiscal_year=period.fiscal_year, region=region, municipality=municipality
    )
    area_key = area_key_for(prefecture=prefecture, region=region, municipality=municipality)
    candidate = validation.Candidate(indicator, area_key, period, stored_value(value))
    findings = validation.evaluate(candidate)
    _confirmed(
        findings,
        [f.message for f in findings if not f.is_hard],
        note=confirmation_note,
        digest=confirmed_digest,
    )
    observation = observation_record(
        by=by,
        indicator=indicator,
        prefecture=prefecture,
        period_text=period_text,
        value=value,
        region=region,
        municipality=municipality,
        **fields,
    )
    flags.flags_record(by=by, observation=observation, findings=findings, note=confirmation_note.strip())
    return observation


@transaction.atomic
def target_update(
    *,
    by,
    target: Target,
    value: Decimal,
    comparator: str,
    note: str | None = None,
    source: str | None = None,
    version: int | None = None,
) -> Target:
    """Change a target's value (and its note and source, when given); `version` as in `observation_record`."""
    target = Target.objects.select_for_update().select_related("indicator", "plan").get(pk=target.pk)
    check_version(target, version)
    before = history.snapshot(target)
    target.value = stored_value(value)
    target.comparator = comparator
    if note is not None:
        target.note = note
    if source is not None:
        target.source = source
    if history.diff(before, history.snapshot(target)):
        _mark_edited(target, by)
        target.full_clean()
        target.version += 1
        target.save()
        history.record_update(by=by, instance=target, before=before)
    return target


# --- indicators, plans and targets --------------------------------------------------------------

INDICATOR_FIELDS = (
    "code",
    "name_ja",
    "unit",
    "value_type",
    "decimal_places",
    "direction",
    "definition",
    "usual_source",
    "part_of",
    "denominator",
    "survey_month",
    "survey_day",
    "chart_group",
    "display_order",
    "is_active",
    "counts_people",
    "cycle_months",
    "release_lag_months",
)
PLAN_FIELDS = ("name", "issuer", "first_fiscal_year", "last_fiscal_year", "is_draft", "source")


def _save_tracked(instance, *, by, fields, data, stored=None) -> bool:
    """Set `fields` from `data`, validate, save and record history; returns whether anything changed.

    A new record is inserted with `insert_or_conflict` (`stored` finds the row a racing save created);
    a record with a `version` gets the next one when something changed.
    """
    creating = instance.pk is None
    before = None if creating else history.snapshot(instance)
    for name in fields:
        if name in data:
            setattr(instance, name, data[name])
    instance.full_clean()
    if creating:
        insert_or_conflict(instance, stored=stored or (lambda: None))
        history.record_create(by=by, instance=instance)
        return True
    if not history.diff(before, history.snapshot(instance)):
        return False
    if hasattr(instance, "version"):
        instance.version += 1
    instance.save()
    history.record_update(by=by, instance=instance, before=before)
    return True


@transaction.atomic
def indicator_create(*, by, **data) -> Indicator:
    """A new indicator definition (e.g. 再入院率): it is data, the dashboard shows it once it has targets."""
    indicator = Indicator()
    stored = Indicator.objects.filter(code=data.get("code")).first
    _save_tracked(indicator, by=by, fields=INDICATOR_FIELDS, data=data, stored=stored)
    return indicator


@transaction.atomic
def indicator_update(*, by, indicator: Indicator, version: int | None = None, **data) -> Indicator:
    """Change a definition; StaleVersionError when it was saved since the form loaded `version`."""
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    check_version(indicator, version)
    _save_tracked(indicator, by=by, fields=INDICATOR_FIELDS, data=data)
    return indicator


@transaction.atomic
def plan_create(*, by, **data):
    from indicators.models import Plan

    plan = Plan()
    _save_tracked(
        plan, by=by, fields=PLAN_FIELDS, data=data, stored=Plan.objects.filter(name=data.get("name")).first
    )
    return plan


@transaction.atomic
def plan_update(*, by, plan, **data):
    _save_tracked(plan, by=by, fields=PLAN_FIELDS, data=data)
    return plan


@transaction.atomic
def target_record(
    *,
    by,
    indicator: Indicator,
    plan,
    prefecture,
    fiscal_year: int,
    value: Decimal,
    comparator: str,
    note: str = "",
    source: str = "",
    region=None,
    municipality=None,
    version: int | None = None,
) -> tuple[Target, bool]:
    """Create the plan's target for one indicator, area and 年度, or update it; returns (target, created).

    `version` as in `observation_record`; a first save racing another raises StaleVersionError.
    """
    area_key = area_key_for(prefecture=prefecture, region=region, municipality=municipality)
    stored = Target.objects.filter(indicator=indicator, plan=plan, area_key=area_key, fiscal_year=fiscal_year)
    target = stored.select_for_update().first()
    if target is not None:
        updated = target_update(
            by=by,
            target=target,
            value=value,
            comparator=comparator,
            note=note,
            source=source,
            version=version,
        )
        return updated, False
    target = Target(
        indicator=indicator,
        plan=plan,
        prefecture=prefecture,
        region=region,
        municipality=municipality,
        area_key=area_key,
        fiscal_year=fiscal_year,
        value=stored_value(value),
        comparator=comparator,
        note=note,
        source=source,
    )
    _mark_edited(target, by)
    clean_new_or_conflict(target, stored=stored.first)
    insert_or_conflict(target, stored=stored.first)
    history.record_create(by=by, instance=target)
    return target, True


@transaction.atomic
def observation_delete(*, by, observation: Observation) -> None:
    """Remove a value (e.g. a municipality's 協議の場 status set to 未把握), keeping the history; refused
    as `observation_record` refuses a change (the user's areas, the data set's lock)."""
    from core.models import ChangeRecord

    roles.check_figures(by, region=observation.region_id, municipality=observation.municipality_id)
    ensure_observation_editable(observation)
    history.record_change(
        by=by,
        instance=observation,
        action=ChangeRecord.Action.DELETE,
        changes=history.diff(history.snapshot(observation), {}, labels=history.field_labels(Observation)),
    )
    observation.delete()


@transaction.atomic
def venue_statuses_save(
    *,
    by,
    prefecture,
    indicator: Indicator,
    period_text: str,
    statuses: dict,
    provenance: str = "",
    confirmation_note: str = "",
    confirmed_digest: str = "",
) -> dict[str, int]:
    """Per-municipality 協議の場 有 (True) / 無 (False) / 未把握 (None) for one period.

    Returns how many were created, updated, removed. 未把握 removes a value recorded for that period.
    The values it records pass the validation rules first, as the entry form's do (one ValueRefused or
    ConfirmationRequired for the page, each message naming its municipality).
    """
    period = period_from_text(period_text)
    existing = {
        o.municipality_id: o
        for o in Observation.objects.filter(
            indicator=indicator, prefecture=prefecture, municipality__isnull=False, period_key=period.key
        )
    }
    counts = {"created": 0, "updated": 0, "removed": 0}
    planned, removed = [], []
    for municipality, status in statuses.items():
        current = existing.get(municipality.pk)
        if status is None:
            if current is not None:
                removed.append(current)
            continue
        value = Decimal(1 if status else 0)
        if current is not None and current.value == value and current.provenance == provenance:
            continue
        planned.append((municipality, value, current))
    candidates = [
        validation.Candidate(
            indicator, area_key_for(prefecture=prefecture, municipality=m), period, stored_value(value)
        )
        for m, value, _ in planned
    ]
    book = validation.RuleBook.load(candidates)
    findings = [book.evaluate(candidate) for candidate in candidates]
    named = [
        validation.Finding(f.severity, f.label, f"{m.name}: {f.message}", f.rule)
        for (m, _, _), found in zip(planned, findings, strict=True)
        for f in found
    ]
    _confirmed(
        named, [f.message for f in named if not f.is_hard], note=confirmation_note, digest=confirmed_digest
    )
    for current in removed:
        observation_delete(by=by, observation=current)
        counts["removed"] += 1
    open_flags: dict[int, list] = {}
    for flag in FlaggedValue.objects.unresolved().filter(
        observation__in=[current.pk for _, _, current in planned if current is not None]
    ):
        open_flags.setdefault(flag.observation_id, []).append(flag)
    for (municipality, value, current), found in zip(planned, findings, strict=True):
        observation = observation_record(
            by=by,
            indicator=indicator,
            prefecture=prefecture,
            municipality=municipality,
            period_text=period_text,
            value=value,
            provenance=provenance,
            note=current.note if current else "",
        )
        flags.flags_record(
            by=by,
            observation=observation,
            findings=found,
            note=confirmation_note.strip(),
            open_flags=open_flags.get(observation.pk, []),
        )
        counts["updated" if current else "created"] += 1
    return counts
