"""The read model of the status sheet: what one edition shows (`sheet_context`, rendered by the sheet
page and by the PDF alike) and a published edition's stored file as it was published.

Reads only: the writes are in `sheets.services`, publication in `sheets.publication`. `sheets.pdf`
imports this module and nothing that writes, so rendering never depends on the services.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from core import fiscal
from dashboard.activity import PeerShare, peer_share
from indicators.checks import SumCheck, sum_checks, target_sum_mismatches
from indicators.datasets import data_sets_by_key, key_of_observation
from indicators.models import DataSet, Indicator, Observation, Target, area_key_for
from indicators.values import format_value, parts_by_total, share_percent, shortfall, target_text
from national.comparison import NationalStanding, national_standings
from sheets.models import (
    ACTOR_ORDER,
    Challenge,
    Edition,
    HistoryEntry,
    InitiativeHeading,
    OutcomeRow,
    PublishedEdition,
    ScheduleEntry,
    Strength,
)

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


@dataclass
class Fact:
    """One part-1 figure: the observation, its display and (where it has a denominator) its share."""

    indicator: Indicator
    observation: Observation | None = None
    denominator: Observation | None = None
    mismatch: bool = False
    unapproved: bool = False  # the value's or its denominator's data set is not 承認済

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
    def period_end(self):
        return self.observation.period_end if self.observation else None

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
    actual_unapproved: bool = False
    # lines of {"label", "cells": [{"text", "observation" (None for a target), "unapproved"}]}
    breakdown: list[dict] = field(default_factory=list)
    breakdown_headers: list[str] = field(default_factory=list)

    @property
    def has_unapproved(self) -> bool:
        return self.actual_unapproved or any(
            cell["unapproved"] for line in self.breakdown for cell in line["cells"]
        )


PART1 = "１ 基礎情報"
PART4 = "４ 成果・効果"


@dataclass(frozen=True)
class SheetFigure:
    """An observation the sheet shows, with the part it appears in."""

    observation: Observation
    part: str

    @property
    def label(self) -> str:
        return self.observation.indicator.name_ja

    @property
    def period_label(self) -> str:
        return self.observation.period_label

    @property
    def value_text(self) -> str:
        indicator = self.observation.indicator
        return f"{format_value(self.observation.value, indicator)}{indicator.unit}"


@dataclass
class UnapprovedGroup:
    """The sheet's figures of one data set that is not 承認済 (入力中 when it has no row yet)."""

    data_set_label: str
    state: str  # DataSet.State
    figures: list[SheetFigure] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        return DataSet.State(self.state).label


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
    # 当事者が参加した会議 of the 年度 in the prefecture's regions (dashboard.activity: the same figure)
    peer_share: PeerShare = field(default_factory=PeerShare)
    # When the counts from records (peer_share) were computed: approval never locks those records.
    counted_at: datetime | None = None
    # Every observation the sheet shows (part 1 and part 4), and those whose data set is not 承認済.
    figures: list[SheetFigure] = field(default_factory=list)
    unapproved_groups: list[UnapprovedGroup] = field(default_factory=list)
    # Part 1's indicators beside 全国 (when the edition asks for it: Edition.show_national), each for the
    # latest period both have by the edition's reference date (national.comparison).
    national: list[NationalStanding] = field(default_factory=list)
    # Indicator ids of the national rows whose own (the prefecture's) value is not 承認済: marked, and
    # listed with the sheet's other unapproved figures (publication asks about them too).
    national_unapproved: set[int] = field(default_factory=set)

    # The day part 1's figures are judged 「古いデータ」 on (indicators.freshness): today, or the last
    # day of a past edition's 年度 (what was already due when that year's sheet was current).
    judged_on: date | None = None

    @property
    def unapproved_count(self) -> int:
        return sum(len(group.figures) for group in self.unapproved_groups)

    @property
    def part1_unapproved(self) -> bool:
        return any(fact.unapproved for fact in self.facts.values()) or bool(self.national_unapproved)

    @property
    def part4_unapproved(self) -> bool:
        return any(view.has_unapproved for view in self.outcomes)

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


def sheet_context(edition: Edition, *, today: date | None = None) -> SheetContext:
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
                        "cells": [_cell(o, observed=True) for o in cells],
                    }
                )
            if ref_target:
                cells = [ref_target] + [
                    targets_by_key.get((c.pk, ref_target.fiscal_year, ref_target.plan_id)) for c in children
                ]
                view.breakdown.append(
                    {
                        "label": f"{fiscal.fiscal_year_label(ref_target.fiscal_year, short=True)}末（目標値）",
                        "cells": [_cell(t, observed=False) for t in cells],
                    }
                )
        outcomes.append(view)
    national, national_observations = _national(edition, facts)
    figures = _figures(facts, outcomes)
    seen = {figure.observation.pk for figure in figures}
    figures += [SheetFigure(observation=o, part=PART1) for o in national_observations if o.pk not in seen]
    unapproved_groups = _mark_unapproved(figures, facts, outcomes, prefecture=edition.prefecture)
    unapproved_pks = {figure.observation.pk for group in unapproved_groups for figure in group.figures}
    national_unapproved = {o.indicator_id for o in national_observations if o.pk in unapproved_pks}

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
        national=national,
        national_unapproved=national_unapproved,
        checks=checks,
        target_warnings=target_sum_mismatches(targets, indicators.values()),
        initiatives=initiatives,
        history_entries=list(HistoryEntry.objects.filter(edition=edition)),
        outcomes=outcomes,
        strengths=list(Strength.objects.filter(edition=edition)),
        challenges=challenges,
        schedule=list(ScheduleEntry.objects.filter(edition=edition)),
        peer_share=peer_share(fiscal_year=edition.fiscal_year, prefecture=edition.prefecture),
        counted_at=timezone.now(),
        figures=figures,
        unapproved_groups=unapproved_groups,
        judged_on=min(today or timezone.localdate(), edition.reference_date),
    )


def _cell(value, *, observed: bool) -> dict:
    """A breakdown cell: an observation (may be unapproved) or a target (plans are not data sets)."""
    if value is None:
        return {"text": "", "observation": None, "unapproved": False}
    return {
        "text": format_value(value.value, value.indicator) + value.indicator.unit,
        "observation": value if observed else None,
        "unapproved": False,
    }


def _figures(facts: dict[str, Fact], outcomes: list[OutcomeView]) -> list[SheetFigure]:
    """Every observation the sheet shows, once, in the order it shows them."""
    figures: dict[int, SheetFigure] = {}
    for fact in facts.values():
        for obs in (fact.observation, fact.denominator):
            if obs is not None:
                figures.setdefault(obs.pk, SheetFigure(observation=obs, part=PART1))
    for view in outcomes:
        shown = [view.row.actual] + [cell["observation"] for line in view.breakdown for cell in line["cells"]]
        for obs in shown:
            if obs is not None:
                figures.setdefault(obs.pk, SheetFigure(observation=obs, part=PART4))
    return list(figures.values())


def _national(edition: Edition, facts: dict[str, Fact]) -> tuple[list[NationalStanding], list[Observation]]:
    """Part 1's national rows (Edition.show_national) and the prefecture's own observations they show
    (one more query), which are figures of the sheet like the facts: approval marks them too."""
    if not edition.show_national:
        return [], []
    found = national_standings(
        [f.indicator for f in facts.values()], edition.prefecture, up_to=edition.reference_date
    )
    national = [found[f.indicator.pk] for f in facts.values() if f.indicator.pk in found]
    if not national:
        return national, []
    wanted = {(n.indicator.pk, n.period.key) for n in national if n.portal_value is not None}
    area_key = area_key_for(prefecture=edition.prefecture)
    observations = [
        o
        for o in Observation.objects.filter(
            area_key=area_key,
            indicator_id__in={i for i, _ in wanted},
            period_key__in={k for _, k in wanted},
        ).select_related("indicator", "prefecture", "region", "municipality")
        if (o.indicator_id, o.period_key) in wanted
    ]
    return national, observations


def _mark_unapproved(
    figures: list[SheetFigure], facts: dict[str, Fact], outcomes: list[OutcomeView], *, prefecture
) -> list[UnapprovedGroup]:
    """Mark the facts and outcome cells whose data set is not 承認済 and group those figures by data
    set (newest 年度 first). One query: the data sets of the figures' 年度."""
    if not figures:
        return []
    sets = data_sets_by_key(prefecture=prefecture, fiscal_years={f.observation.fiscal_year for f in figures})
    groups: dict = {}
    for figure in figures:
        key = key_of_observation(figure.observation)
        row = sets.get(key)
        if row is not None and row.state == DataSet.State.APPROVED:
            continue
        if key not in groups:
            if row is None:  # no row yet: 入力中 (an unsaved row, for its label)
                row = DataSet(
                    prefecture=prefecture,
                    scope=key.scope,
                    region=figure.observation.region if key.region_id else None,
                    fiscal_year=key.fiscal_year,
                )
            groups[key] = UnapprovedGroup(data_set_label=str(row), state=row.state)
        groups[key].figures.append(figure)
    unapproved = {figure.observation.pk for group in groups.values() for figure in group.figures}
    for fact in facts.values():
        fact.unapproved = any(
            obs is not None and obs.pk in unapproved for obs in (fact.observation, fact.denominator)
        )
    for view in outcomes:
        view.actual_unapproved = view.row.actual is not None and view.row.actual.pk in unapproved
        for line in view.breakdown:
            for cell in line["cells"]:
                cell["unapproved"] = cell["observation"] is not None and cell["observation"].pk in unapproved
    ordered = sorted(
        groups.items(), key=lambda item: (-item[0].fiscal_year, item[0].scope, item[1].data_set_label)
    )
    return [group for _key, group in ordered]


# --- published editions: the stored file ---------------------------------------------------------


class PublishedFileError(Exception):
    """A published edition's stored file is missing or no longer matches its checksum."""


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


# --- the edition's one state -----------------------------------------------------------------------


@dataclass(frozen=True)
class PublicationState:
    """What an edition is, in one badge: 「案（未公開）」 or 「公開済み（第2版）」 — taken from its
    published editions alone, so the page never shows 「公開済み」 beside a contradicting 「案」."""

    label: str
    published: bool
    latest_number: int | None = None


def publication_state(publications) -> PublicationState:
    """`publications`: the edition's PublishedEdition rows (any order; a prefetched list is read as is)."""
    numbers = [publication.number for publication in publications]
    if not numbers:
        return PublicationState("案（未公開）", published=False)
    latest = max(numbers)
    return PublicationState(f"公開済み（第{latest}版）", published=True, latest_number=latest)
