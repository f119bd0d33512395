"""Writes to the status sheet (saving parts, copying an edition into the next fiscal year) and the
read model of one edition (`sheet_context`) that the HTML page and the later PDF both render.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from core import fiscal, history
from core.changes import ConflictRow, changed_since, conflict_rows
from core.forms import StaleVersionError
from core.records import check_version, insert_or_conflict
from indicators.checks import SumCheck, sum_checks, target_sum_mismatches
from indicators.models import Indicator, Observation, Target
from indicators.values import format_value, parts_by_total, share_percent, shortfall, target_text
from sheets.models import (
    ACTOR_ORDER,
    Challenge,
    ChallengeRole,
    Edition,
    HistoryEntry,
    InitiativeHeading,
    OutcomeRow,
    PublishedEdition,
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

# The indicators part 1 shows (by code). Their names, units and values are data.
BASIC_CODES = (
    "population",
    "municipality_count",
    "region_count",
    "psychiatric_hospitals",
    "psychiatric_beds",
    "health_centres",
    "core_consultation_centres",
    "general_consultation_offices",
    "specific_consultation_offices",
    "consultation_venue",
    "consultation_venue_count",
    "consultation_venue_regions",
    "consultation_venue_municipalities",
    "support_council_frequency",
    "mental_health_subcommittee",
    "inpatients_total",
    "inpatients_under_3m",
    "inpatients_3m_to_1y",
    "inpatients_1y_plus",
    "inpatients_1y_plus_65_over",
    "inpatients_1y_plus_under_65",
    "discharge_rate_3m",
    "discharge_rate_6m",
    "discharge_rate_12m",
)


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
    *, by, edition: Edition, title: str, subtitle: str, overview: str, version: int | None = None
) -> bool:
    """Change the sheet's title, subtitle and overview paragraphs; True when something changed.

    `version`: the edition's version the form was loaded with (StaleVersionError when saved since).
    """
    locked = Edition.objects.select_for_update().get(pk=edition.pk)
    check_version(locked, version)
    before = history.snapshot(locked)
    locked.title, locked.subtitle, locked.overview = title, subtitle, overview
    locked.full_clean()
    if not history.diff(before, history.snapshot(locked)):
        return False
    locked.version += 1
    locked.save(update_fields=["title", "subtitle", "overview", "version"])
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


# --- the read model of one edition ------------------------------------------------------------


@dataclass
class Fact:
    """One part-1 figure: the observation, its display and (where it has a denominator) its share."""

    indicator: Indicator
    observation: Observation | None = None
    denominator: Observation | None = None
    mismatch: bool = False

    @property
    def value(self) -> Decimal | None:
        return self.observation.value if self.observation else None

    @property
    def text(self) -> str:
        return format_value(self.value, self.indicator) if self.observation else "未登録"

    @property
    def unit(self) -> str:
        return self.indicator.unit

    @property
    def period_label(self) -> str:
        return self.observation.period_label if self.observation else ""

    @property
    def share(self) -> Decimal | None:
        """The share of the denominator (構成割合) computed from the counts: 728 / 5111 → 14.2."""
        if self.denominator is None:
            return None
        return share_percent(self.value, self.denominator.value)

    @property
    def denominator_text(self) -> str:
        return format_value(self.denominator.value, self.denominator.indicator) if self.denominator else ""

    @property
    def is_present(self) -> bool:
        """有・無 read from a count: 有 when at least one."""
        return bool(self.value and self.value > 0)


@dataclass
class OutcomeView:
    row: OutcomeRow
    target_text: str = ""
    actual_text: str = ""
    shortfall: Decimal | None = None  # indicators.values.shortfall: positive = short of the target
    breakdown: list[dict] = field(default_factory=list)
    breakdown_headers: list[str] = field(default_factory=list)


@dataclass
class SheetContext:
    edition: Edition
    facts: dict[str, Fact]
    checks: list[SumCheck]
    target_warnings: list[str]
    initiatives: dict[str, list[InitiativeHeading]]
    history_entries: list[HistoryEntry]
    outcomes: list[OutcomeView]
    strengths: list[Strength]
    challenges: list[Challenge]
    schedule: list[ScheduleEntry]

    @property
    def mismatches(self) -> list[SumCheck]:
        return [c for c in self.checks if not c.ok]

    @property
    def warnings(self) -> list[str]:
        return [c.message for c in self.mismatches] + self.target_warnings

    @property
    def outcome_previous_year(self) -> int:
        """Part 4 reports up to the previous fiscal year (R4 sheet: ＜令和3年度までの成果・効果＞)."""
        return self.edition.fiscal_year - 1

    @property
    def outcome_previous_year_short(self) -> str:
        """R3 (the sheet's 実績値（R3年）)."""
        return fiscal.wareki_year(self.outcome_previous_year, short=True)

    @property
    def breakdowns(self) -> list[OutcomeView]:
        return [view for view in self.outcomes if view.breakdown]


def sheet_context(edition: Edition) -> SheetContext:
    """Everything the sheet shows, in a fixed number of queries whatever the number of records."""
    indicators = {i.pk: i for i in Indicator.objects.all()}
    by_code = {i.code: i for i in indicators.values()}
    observations = list(
        Observation.objects.for_prefecture_area(edition.prefecture)
        .up_to(edition.reference_date)
        .latest_first()
    )
    for obs in observations:
        obs.indicator = indicators[obs.indicator_id]
    targets = list(Target.objects.for_prefecture_area(edition.prefecture).select_related("plan"))
    for target in targets:
        target.indicator = indicators[target.indicator_id]

    latest: dict[int, Observation] = {}
    for obs in observations:  # newest first per indicator
        latest.setdefault(obs.indicator_id, obs)
    obs_by_key = {(o.indicator_id, o.period_key): o for o in observations}
    checks = sum_checks(observations, indicators.values())
    mismatched = {(c.total.indicator_id, c.total.period_key) for c in checks if not c.ok}

    facts = {}
    for code in BASIC_CODES:
        indicator = by_code.get(code)
        if indicator is None:
            continue
        obs = latest.get(indicator.pk)
        fact = Fact(indicator=indicator, observation=obs)
        if obs and indicator.denominator_id:
            fact.denominator = obs_by_key.get((indicator.denominator_id, obs.period_key)) or latest.get(
                indicator.denominator_id
            )
        if obs and (indicator.pk, obs.period_key) in mismatched:
            fact.mismatch = True
        facts[code] = fact

    outcomes = []
    rows = OutcomeRow.objects.filter(edition=edition).select_related(
        "target__plan", "actual", "reference_baseline", "reference_target__plan"
    )
    targets_by_key = {(t.indicator_id, t.fiscal_year, t.plan_id): t for t in targets}
    parts_of = parts_by_total(indicators.values())
    previous_achievement = ""
    for row in rows:
        row.effective_achievement = previous_achievement if row.achievement_same_as_above else row.achievement
        if row.effective_achievement:
            previous_achievement = row.effective_achievement
        for name in ("target", "actual", "reference_baseline", "reference_target"):
            related = getattr(row, name)
            if related is not None:
                related.indicator = indicators[related.indicator_id]
        view = OutcomeView(row=row, target_text=target_text(row.target))
        if row.actual:
            view.actual_text = (
                f"{format_value(row.actual.value, row.actual.indicator)}{row.actual.indicator.unit}"
            )
            if row.target is not None:
                view.shortfall = shortfall(row.actual.value, row.target.value, row.target.comparator)
        baseline, ref_target = row.reference_baseline, row.reference_target
        if baseline or ref_target:
            total_indicator = (baseline or ref_target).indicator
            children = parts_of.get(total_indicator.pk, [])
            view.breakdown_headers = [total_indicator.name_ja] + [c.name_ja for c in children]
            if baseline:
                cells = [baseline] + [obs_by_key.get((c.pk, baseline.period_key)) for c in children]
                view.breakdown.append(
                    {
                        "label": f"{baseline.period_label}時点",
                        "cells": [
                            format_value(o.value, o.indicator) + o.indicator.unit if o else "" for o in cells
                        ],
                    }
                )
            if ref_target:
                cells = [ref_target] + [
                    targets_by_key.get((c.pk, ref_target.fiscal_year, ref_target.plan_id)) for c in children
                ]
                view.breakdown.append(
                    {
                        "label": f"{fiscal.fiscal_year_label(ref_target.fiscal_year, short=True)}末（目標値）",
                        "cells": [
                            format_value(t.value, t.indicator) + t.indicator.unit if t else "" for t in cells
                        ],
                    }
                )
        outcomes.append(view)

    initiatives: dict[str, list[InitiativeHeading]] = {s.value: [] for s in InitiativeHeading.Section}
    for heading in InitiativeHeading.objects.filter(edition=edition).order_by("order", "pk"):
        initiatives[heading.section].append(heading)

    challenges = list(Challenge.objects.filter(edition=edition).prefetch_related("roles"))
    for challenge in challenges:
        roles = sorted(challenge.roles.all(), key=lambda r: ACTOR_ORDER.index(r.actor))
        previous = ""
        for role in roles:
            role.effective_text = previous if role.same_as_above else role.text
            previous = role.effective_text
        challenge.ordered_roles = roles

    return SheetContext(
        edition=edition,
        facts=facts,
        checks=checks,
        target_warnings=target_sum_mismatches(targets, indicators.values()),
        initiatives=initiatives,
        history_entries=list(HistoryEntry.objects.filter(edition=edition)),
        outcomes=outcomes,
        strengths=list(Strength.objects.filter(edition=edition)),
        challenges=challenges,
        schedule=list(ScheduleEntry.objects.filter(edition=edition)),
    )


# --- published editions (the PDF as sent to the national government) ---------------------------


class PublishedFileError(Exception):
    """A published edition's stored file is missing or no longer matches its checksum."""


@transaction.atomic
def edition_publish(*, by, edition: Edition, note: str = "") -> PublishedEdition:
    """Publish the fiscal year's sheet as its next numbered edition (第1版, 第2版 …).

    The PDF is rendered once, stored under MEDIA_ROOT with its SHA-256 and never regenerated. The
    edition row is locked while the number is chosen and the PDF made, so two officials publishing
    at once get consecutive numbers. A rendering failure (core.pdf.PdfRenderError) publishes nothing.
    """
    from sheets.pdf import sheet_final_pdf

    locked = Edition.objects.select_for_update().select_related("prefecture").get(pk=edition.pk)
    number = (locked.publications.aggregate(last=Max("number"))["last"] or 0) + 1
    published_at = timezone.now()
    pdf, content_hash = sheet_final_pdf(locked, number=number, published_at=published_at)
    publication = PublishedEdition(
        edition=locked,
        number=number,
        note=note.strip(),
        sha256=hashlib.sha256(pdf).hexdigest(),
        size=len(pdf),
        content_hash=content_hash,
        published_at=published_at,
        published_by=by if getattr(by, "pk", None) else None,
    )
    publication.pdf.save("sheet.pdf", ContentFile(pdf), save=False)  # the name comes from upload_to
    try:
        publication.full_clean()
        publication.save()
        history.record_create(by=by, instance=publication)
        if locked.status != Edition.Status.PUBLISHED:
            before = history.snapshot(locked)
            locked.status = Edition.Status.PUBLISHED
            locked.save(update_fields=["status"])
            history.record_update(by=by, instance=locked, before=before)
    except BaseException:
        publication.pdf.storage.delete(publication.pdf.name)
        raise
    edition.status = locked.status
    return publication


def published_edition_bytes(publication: PublishedEdition) -> bytes:
    """The stored PDF exactly as published; PublishedFileError if it is gone or was altered."""
    try:
        with publication.pdf.open("rb") as handle:
            data = handle.read()
    except (FileNotFoundError, ValueError, OSError) as exc:
        raise PublishedFileError(f"{publication}のファイルが見つかりません。") from exc
    if hashlib.sha256(data).hexdigest() != publication.sha256:
        raise PublishedFileError(f"{publication}のファイルが公開時と一致しません（破損または改変）。")
    return data
