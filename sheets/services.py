"""Writes to the status sheet: the header and parts 2–6 as an official edits them, and copying an
edition into the next fiscal year. What an edition shows is read in `sheets.reading`; publishing it as
a numbered PDF is `sheets.publication`.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from core import fiscal, history
from core.changes import ConflictRow, changed_since, conflict_rows
from core.forms import StaleVersionError
from core.records import check_version, insert_or_conflict
from sheets.models import (
    Challenge,
    ChallengeRole,
    Edition,
    HistoryEntry,
    InitiativeHeading,
    OutcomeRow,
    ScheduleEntry,
    Strength,
)

# Parts of an edition an official edits as a whole (the loader respects these, see load_sheet).
PART_HEADER = "header"
PART_INITIATIVES = "part2"
PART_HISTORY = "part3"
PART_OUTCOMES = "part4"
PART_STRENGTHS = "part5"
PART_SCHEDULE = "part6"

PART_MODELS = {
    PART_INITIATIVES: (InitiativeHeading,),
    PART_HISTORY: (HistoryEntry,),
    PART_OUTCOMES: (OutcomeRow,),
    PART_STRENGTHS: (Strength, Challenge),
    PART_SCHEDULE: (ScheduleEntry,),
}

# --- edit tracking -------------------------------------------------------------------------------


def _mark_part_edited(*, by, edition: Edition, part: str) -> None:
    if not getattr(by, "pk", None):
        return
    if part not in edition.edited_parts:
        edition.edited_parts = [*edition.edited_parts, part]
    edition.edited_by = by
    edition.edited_at = timezone.now()
    edition.save(update_fields=["edited_parts", "edited_by", "edited_at"])


@transaction.atomic
def edition_header_update(
    *,
    by,
    edition: Edition,
    title: str,
    subtitle: str,
    overview: str,
    show_national: bool | None = None,
    version: int | None = None,
) -> bool:
    """Change the sheet's title, subtitle and overview paragraphs, and whether part 1 shows 全国's values
    beside the prefecture's (None: left as it is); True when something changed.

    `version`: the edition's version the form was loaded with (StaleVersionError when saved since).
    """
    locked = Edition.objects.select_for_update().get(pk=edition.pk)
    check_version(locked, version)
    before = history.snapshot(locked)
    locked.title, locked.subtitle, locked.overview = title, subtitle, overview
    if show_national is not None:
        locked.show_national = show_national
    locked.full_clean()
    if not history.diff(before, history.snapshot(locked)):
        return False
    locked.version += 1
    locked.save(update_fields=["title", "subtitle", "overview", "show_national", "version"])
    history.record_update(by=by, instance=locked, before=before)
    _mark_part_edited(by=by, edition=locked, part=PART_HEADER)
    edition.version = locked.version
    return True


class PartConflict(StaleVersionError):
    """Rows of a part that someone else saved after the editor loaded them: [(form, stored row)]."""

    def __init__(self, stale: list):
        super().__init__(stale[0][1])
        self.stale = stale


def part_conflict_rows(conflict: PartConflict) -> list[ConflictRow]:
    """The conflict table of a part: per stale row, what the other changed beside the editor's input."""
    rows = []
    for form, stored in conflict.stale:
        deleting = form.cleaned_data.get("DELETE")
        labels = {key: f"{stored}：{label}" for key, label in history.field_labels(type(stored)).items()}
        rows += conflict_rows(
            changed=changed_since(stored, form.cleaned_data.get("version") or 0),
            current=history.snapshot(stored),
            proposed={} if deleting else history.snapshot(form.instance),
            labels=labels,
        )
    return rows


def _unique_twin(obj):
    """The stored row a new row collides with on a unique constraint (only a challenge's role has one)."""
    if isinstance(obj, ChallengeRole):
        return ChallengeRole.objects.filter(challenge_id=obj.challenge_id, actor=obj.actor).first()
    return None


@transaction.atomic
def edition_part_save(*, by, edition: Edition, part: str, formset) -> int:
    """Save a validated formset of one part's ordered records (create, change, delete) with history.

    Every changed or deleted row must still be at the version its form was loaded with (PartConflict
    lists those that are not, and nothing is saved). Returns the number of records created, changed
    or deleted; the part counts as edited in the portal (so `load_sheet` leaves it alone) only when
    something changed.
    """
    model = formset.model
    touched = [
        form
        for form in formset.forms
        if form.instance.pk and (form in formset.deleted_forms or form.has_changed())
    ]
    stored = model.objects.select_for_update().in_bulk([form.instance.pk for form in touched])
    stale = []
    for form in touched:
        current = stored.get(form.instance.pk)
        if current is None:  # deleted meanwhile: nothing of it to keep, the editor's row is refused
            raise PartConflict([(form, form.instance)])
        if current.version != (form.cleaned_data.get("version") or 0):
            stale.append((form, current))
    if stale:
        raise PartConflict(stale)

    changed = 0
    now = timezone.now()
    for form in formset.deleted_forms:
        obj = form.instance
        if obj.pk:
            history.record_change(by=by, instance=obj, action="delete", changes=history.snapshot(obj))
            obj.delete()
            changed += 1
    for form in formset.forms:
        if form in formset.deleted_forms or not form.has_changed():
            continue
        obj = form.save(commit=False)
        is_new = obj.pk is None
        if hasattr(obj, "edition_id") and not obj.edition_id:
            obj.edition = edition
        obj.edited_by, obj.edited_at = by, now
        if is_new:
            insert_or_conflict(obj, stored=lambda obj=obj: _unique_twin(obj))
            history.record_create(by=by, instance=obj)
        else:
            before = history.snapshot(stored[obj.pk])
            if not history.diff(before, history.snapshot(obj)):
                continue  # only the version field differed from its initial: nothing to save
            obj.version = stored[obj.pk].version + 1
            obj.save()
            history.record_update(by=by, instance=obj, before=before)
        if hasattr(form, "save_m2m"):
            form.save_m2m()
        changed += 1
    if changed:
        _mark_part_edited(by=by, edition=edition, part=part)
    return changed


# --- copying into the next fiscal year ----------------------------------------------------------


class EditionCopyError(ValueError):
    """Raised with a Japanese message when an edition cannot be copied."""


def _clone(obj, **overrides):
    data = {
        f.name: getattr(obj, f.name)
        for f in obj._meta.concrete_fields
        if not f.primary_key and f.name not in {"edited_by", "edited_at", "version"}
    }
    data.update(overrides)
    return type(obj)(**data)


@transaction.atomic
def edition_copy_to_year(*, by, source: Edition, fiscal_year: int) -> Edition:
    """Start a fiscal year's edition from `source`: every record of parts 2–6 copied, status draft.

    Part 1 and the figures of part 4 are observations and targets, shared by every edition, so they
    are not copied; the new edition shows the newest values up to the end of its own fiscal year.
    """
    if Edition.objects.filter(prefecture=source.prefecture, fiscal_year=fiscal_year).exists():
        raise EditionCopyError(f"{fiscal.fiscal_year_label(fiscal_year)}のシートは既にあります。")
    edition = _clone(source, fiscal_year=fiscal_year, status=Edition.Status.DRAFT, copied_from=source)
    edition.edited_parts = []
    edition.full_clean()
    try:
        with transaction.atomic():  # another official copying into the same year at the same moment
            edition.save(force_insert=True)
    except IntegrityError:
        raise EditionCopyError(f"{fiscal.fiscal_year_label(fiscal_year)}のシートは既にあります。") from None
    history.record_create(by=by, instance=edition)
    for model in (InitiativeHeading, HistoryEntry, OutcomeRow, Strength, ScheduleEntry):
        model.objects.bulk_create(
            [_clone(obj, edition=edition) for obj in model.objects.filter(edition=source).order_by("pk")]
        )
    for challenge in Challenge.objects.filter(edition=source).prefetch_related("roles").order_by("pk"):
        roles = list(challenge.roles.all())
        copy = _clone(challenge, edition=edition)
        copy.save()
        ChallengeRole.objects.bulk_create([_clone(role, challenge=copy) for role in roles])
    return edition


# --- part 1: the prefecture's facts, as indicator values behind the validation rules --------------


class FactsQuestioned(Exception):
    """The validation rules refused some facts (`hard`: form index → messages) or question them
    (`soft`: messages to confirm with a note, `digest` their fingerprint). Nothing was saved."""

    def __init__(self, *, hard: dict[int, list[str]], soft: list[str], digest: str):
        super().__init__("値の確認が必要です。")
        self.hard, self.soft, self.digest = hard, soft, digest


@transaction.atomic
def part1_facts_save(
    *,
    by,
    prefecture,
    rows: list[tuple[int, object, dict]],
    confirmation_note: str = "",
    confirmed_digest: str = "",
) -> int:
    """Save the changed facts of part 1 (`rows`: form index, indicator, cleaned data) together or not
    at all, judged by the same rules as every other entry (`indicators.validation`), the facts
    together as one file's rows are: a hard finding refuses them all; soft findings need one note,
    confirming exactly the findings shown; each becomes a flag of its value on 「確認が必要な値」.
    A fact of a 提出済 / 承認済 data set raises DataSetLocked before any rule is run."""
    from indicators import validation
    from indicators.datasets import ensure_editable
    from indicators.models import area_key_for
    from indicators.services import flags, observation_record
    from indicators.values import period_from_text

    candidates = []
    for index, indicator, data in rows:
        period = period_from_text(data["period"])
        ensure_editable(prefecture=prefecture, fiscal_year=period.fiscal_year)
        area_key = area_key_for(prefecture=prefecture)
        candidates.append(
            (index, indicator, data, validation.Candidate(indicator, area_key, period, data["value"]))
        )
    book = validation.RuleBook.load([c for *_, c in candidates])
    findings = {index: book.evaluate(candidate) for index, _, _, candidate in candidates}
    hard = {i: [f.message for f in found if f.is_hard] for i, found in findings.items()}
    hard = {i: messages for i, messages in hard.items() if messages}
    soft = [f.message for found in findings.values() for f in found if not f.is_hard]
    digest = validation.findings_digest(soft)
    note = (confirmation_note or "").strip()
    if hard or (soft and not (note and confirmed_digest == digest)):
        raise FactsQuestioned(hard=hard, soft=soft, digest=digest)
    for index, indicator, data, _candidate in candidates:
        observation = observation_record(
            by=by,
            indicator=indicator,
            prefecture=prefecture,
            period_text=data["period"],
            value=data["value"],
            provenance=data["provenance"],
        )
        flags.flags_record(by=by, observation=observation, findings=findings[index], note=note)
    return len(candidates)
