"""The region sheet: one 障害保健福祉圏域's page for its 圏域連絡調整会議, read from every app.

For one region and one 年度: the indicators not met there with what its meetings decided about each
and the open actions (the page the meeting works from), its municipalities and health centres, its
meetings (and the share with 当事者 taking part), case reviews and their outcomes, training and the
peer-supporter programme, open action items, and its indicators where data exists. Only that region's records are read (every query filters on the region);
case details appear only for users who may see them (accounts.roles.can_view_case_details),
everyone else sees counts. The sheet is a PDF: small counts (indicators.small_counts) are 「＊」 for
everyone, with the legend, and the charts leave them out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import F, Prefetch
from django.utils import timezone

from accounts.roles import can_view_case_details
from core import fiscal
from core.exports import download_stem
from dashboard.activity import PeerShare, case_counts, peer_share
from indicators import small_counts, values
from indicators.datasets import data_sets_by_key, key_for, key_of_observation
from indicators.models import DataSet, Indicator, Observation, Target, area_key_for
from indicators.standing import Standing
from indicators.suppression import Line, suppress
from indicators.values import format_value
from meetings.agenda import IndicatorOnAgenda, not_met_by_region
from meetings.models import (
    ActionItem,
    AgendaItem,
    CaseFollowUp,
    CaseReview,
    CaseStatus,
    Meeting,
    MeetingStatus,
)
from regions.models import Region
from sheets.charts import SheetCharts, sheet_charts
from training.models import PeerSupportProgramme, TrainingSession


@dataclass(frozen=True)
class IndicatorLine:
    name: str
    value_text: str
    period_label: str
    provenance: str
    target_text: str = ""
    value_cell: object = ""  # value_text, or a Hidden cell (a small count: 「＊」 in the PDF)
    unapproved: bool = False  # its data set (the region's, of the value's 年度) is not 承認済
    indicator: Indicator | None = None
    period_end: date | None = None  # its 「古いデータ」 mark is judged from it (indicators.freshness)


@dataclass
class Discussion:
    """An agenda item about the indicator on one of the region's held meetings (with its meeting)."""

    item: AgendaItem
    standing: Standing | None  # what the meeting saw (frozen when it was held)

    @property
    def meeting(self) -> Meeting:
        return self.item.meeting


@dataclass
class NotMetLine:
    """One indicator not met in the region: where it stands, what was decided, the open actions."""

    on_agenda: IndicatorOnAgenda
    discussions: list[Discussion] = field(default_factory=list)
    actions: list[tuple[ActionItem, bool]] = field(default_factory=list)  # (item, overdue)

    @property
    def standing(self) -> Standing:
        return self.on_agenda.standing


@dataclass
class RegionSheet:
    region: Region
    fiscal_year: int
    show_case_details: bool
    municipalities: list
    health_centres: list
    meetings: list = field(default_factory=list)
    cases: list = field(default_factory=list)
    case_status_counts: list[tuple[str, int]] = field(default_factory=list)
    open_actions: list = field(default_factory=list)
    training_sessions: list = field(default_factory=list)
    peer_support: PeerSupportProgramme | None = None
    indicators: list[IndicatorLine] = field(default_factory=list)
    charts: SheetCharts | None = None
    peer: PeerShare = field(default_factory=PeerShare)
    as_of: date | None = None  # the day the PDCA section's values and overdue flags are taken on
    not_met: list[NotMetLine] = field(default_factory=list)
    cases_cell: object = 0  # the number of cases reviewed, or a Hidden cell (indicators.small_counts)
    hidden_points: int = 0  # small counts left out of the charts
    # When the counts from records (meetings, cases, training, actions) were read: never locked.
    counted_at: datetime | None = None
    peer_support_unapproved: bool = False  # the region's data set of the 年度 is not 承認済

    @property
    def has_hidden(self) -> bool:
        """Some figure of the sheet is a small count shown as 「＊」 (the sheet carries the legend)."""
        cells = [self.cases_cell, *(cell for _, cell in self.case_status_counts)]
        cells += [line.value_cell for line in self.indicators]
        for line in self.not_met:
            cells += [
                line.standing.value_cell,
                *(d.standing.value_cell for d in line.discussions if d.standing),
            ]
        return self.hidden_points > 0 or any(isinstance(c, small_counts.Hidden) for c in cells)

    @property
    def indicators_unapproved(self) -> bool:
        return any(line.unapproved for line in self.indicators)

    @property
    def fiscal_year_label(self) -> str:
        return fiscal.fiscal_year_label(self.fiscal_year)

    @property
    def title(self) -> str:
        return f"{self.region.full_name} 圏域シート（{self.fiscal_year_label}）"

    @property
    def filename(self) -> str:
        return f"{download_stem('圏域シート', self.region.full_name, self.fiscal_year_label)}.pdf"

    @property
    def training_attendees(self) -> int:
        return sum(s.attendees_total for s in self.training_sessions)


def region_sheet_for(*, region: Region, fiscal_year: int, user, today: date | None = None) -> RegionSheet:
    last_day = fiscal.fiscal_year_range(fiscal_year)[1]
    sheet = RegionSheet(
        region=region,
        fiscal_year=fiscal_year,
        show_case_details=can_view_case_details(user, region),
        municipalities=list(region.municipalities.order_by("code")),
        health_centres=list(region.health_centres.order_by("display_order", "code")),
        # A past 年度's sheet is read as of its last day; the current one as of today.
        as_of=min(today or timezone.localdate(), last_day),
    )
    _add_not_met(sheet)
    _add_meetings(sheet, last_day=last_day)
    sheet.peer = peer_share(fiscal_year=fiscal_year, region=region)
    sheet.training_sessions = list(
        TrainingSession.objects.active()
        .for_region(region)
        .in_fiscal_year(fiscal_year)
        .with_attendee_total()
        .select_related("organiser_health_centre")
        .order_by("start_date", "pk")
    )
    sheet.counted_at = timezone.now()
    sheet.peer_support = PeerSupportProgramme.objects.filter(region=region, fiscal_year=fiscal_year).first()
    latest = _latest_observations(region, last_day)
    approved = _approved_keys(region, {obs.fiscal_year for obs in latest} | {fiscal_year})
    sheet.indicators = _indicator_lines(region, latest, approved, fiscal_year)
    if sheet.peer_support is not None:
        sheet.peer_support_unapproved = (
            key_for(prefecture=region.prefecture_id, fiscal_year=fiscal_year, region=region) not in approved
        )
    sheet.charts = sheet_charts(prefecture=region.prefecture, reference_date=last_day, region=region)
    sheet.hidden_points = sheet.charts.hidden_points
    return sheet


def _approved_keys(region: Region, fiscal_years: set[int]) -> set:
    """The keys of the 承認済 data sets of those 年度 (one query; indicators.datasets)."""
    sets = data_sets_by_key(prefecture=region.prefecture_id, fiscal_years=fiscal_years)
    return {key for key, row in sets.items() if row.state == DataSet.State.APPROVED}


def _add_not_met(sheet: RegionSheet) -> None:
    """The indicators not met in the region on `sheet.as_of` (meetings.agenda.not_met_by_region), each with
    the agenda items about it on the region's meetings held this 年度 or the previous one, and the open
    action items that belong to an agenda item about it. Agenda items and actions only: no case detail."""
    region, as_of = sheet.region, sheet.as_of
    since = sheet.fiscal_year - 1
    rows = not_met_by_region([region], today=as_of, since_fiscal_year=since)[region.pk]
    if not rows:
        return
    lines = {row.indicator.pk: NotMetLine(on_agenda=row) for row in rows}
    items = (
        AgendaItem.objects.on_meetings()
        .filter(
            region=region,
            indicator_id__in=lines,
            meeting__status=MeetingStatus.HELD,
            meeting__fiscal_year__gte=since,
            meeting__date__lte=as_of,
        )
        .select_related("meeting")
        .order_by("meeting__date", "meeting_id", "position", "pk")
    )
    judge = small_counts.Judge(region.prefecture)
    for item in items:
        line = lines[item.indicator_id]
        item.indicator = line.standing.indicator  # read once, above
        line.discussions.append(Discussion(item=item, standing=judge(item.frozen_standing())))
    actions = (
        ActionItem.objects.alive()
        .open()
        .filter(meeting__region=region, agenda_item__indicator_id__in=lines, meeting__date__lte=as_of)
        .select_related("agenda_item")
        .order_by(F("due_date").asc(nulls_last=True), "pk")
    )
    for action in actions:
        lines[action.agenda_item.indicator_id].actions.append((action, action.is_overdue(as_of)))
    sheet.not_met = list(lines.values())


def _add_meetings(sheet: RegionSheet, *, last_day: date) -> None:
    region, fiscal_year = sheet.region, sheet.fiscal_year
    sheet.meetings = list(
        Meeting.objects.alive()
        .for_region(region)
        .in_fiscal_year(fiscal_year)
        .exclude(status=MeetingStatus.CANCELLED)  # called off: not a meeting of the year's record
        .with_summary()
        .order_by("date", "pk")
    )
    cases = (
        CaseReview.objects.alive()
        .filter(region=region, fiscal_year=fiscal_year)
        .select_related("meeting")
        .prefetch_related(Prefetch("followups", queryset=CaseFollowUp.objects.order_by("months")))
        .order_by("sequence")
    )
    sheet.cases = list(cases)
    counts = Counter(case.status for case in sheet.cases)
    _add_case_counts(sheet, counts)
    sheet.open_actions = list(
        ActionItem.objects.alive()
        .open()
        .filter(meeting__region=region, meeting__date__lte=last_day)
        .select_related("meeting")
        .order_by("due_date", "pk")
    )


def _add_case_counts(sheet: RegionSheet, counts: Counter) -> None:
    """The cases reviewed and their breakdown by status, small counts hidden (the PDF is read as the
    public reads it): the total as the dashboard hides it among every region's
    (dashboard.activity.case_counts), then the statuses against that total."""
    region = sheet.region
    reviewed = case_counts(
        prefecture=region.prefecture,
        fiscal_year=sheet.fiscal_year,
        today=sheet.as_of,
        columns=("cases_reviewed",),
    )
    total_hidden = ("cases_reviewed", region.pk) in reviewed.hidden
    shown = [(value, label) for value, label in CaseStatus.choices if counts[value]]
    cells = {"total": len(sheet.cases), **{value: counts[value] for value, _ in shown}}
    hidden = suppress(
        cells,
        [Line("total", tuple(value for value, _ in shown))],
        threshold=small_counts.threshold(),
        fixed={"total"},
        hidden={"total"} if total_hidden else (),
    )

    def cell(key):
        n = cells[key]
        return small_counts.Hidden(n, n, region.pk) if key in hidden else n

    sheet.cases_cell = cell("total")
    sheet.case_status_counts = [(label, cell(value)) for value, label in shown]


def _latest_observations(region: Region, last_day: date) -> list[Observation]:
    """The newest value of each indicator recorded for this region (up to the year's end)."""
    area_key = area_key_for(prefecture=region.prefecture, region=region)
    latest: dict[int, Observation] = {}
    for obs in (
        Observation.objects.filter(area_key=area_key, period_end__lte=last_day)
        .select_related("indicator")
        .order_by("indicator__display_order", "indicator_id", "-period_end", "-pk")
    ):
        latest.setdefault(obs.indicator_id, obs)
    return list(latest.values())


def _indicator_lines(
    region: Region, latest: list[Observation], approved: set, fiscal_year: int
) -> list[IndicatorLine]:
    """Those values with the target of the plan in force that year (indicators.values.default_basis_plan)
    among the plans with a target for the region — or, for an indicator that plan has none for, its
    earliest target — each marked when its data set is not 承認済."""
    area_key = area_key_for(prefecture=region.prefecture, region=region)
    region_targets = list(
        Target.objects.filter(area_key=area_key).select_related("plan").order_by("fiscal_year", "pk")
    )
    in_force = values.default_basis_plan({t.plan for t in region_targets}, fiscal_year)
    targets: dict[int, Target] = {}
    for target in sorted(region_targets, key=lambda t: t.plan != in_force):  # stable: by year within
        targets.setdefault(target.indicator_id, target)
    pattern = (
        small_counts.pattern_for(region.prefecture)
        if any(obs.indicator.counts_people for obs in latest)
        else None
    )
    lines = []
    for obs in latest:
        target = targets.get(obs.indicator_id)
        target_text = ""
        if target is not None:
            target_text = (
                f"{values.target_text(target, obs.indicator)}"
                f"（{fiscal.fiscal_year_label(target.fiscal_year, short=True)}）"
            )
        value_text = f"{format_value(obs.value, obs.indicator)}{obs.indicator.unit}"
        lines.append(
            IndicatorLine(
                name=obs.indicator.name_ja,
                value_text=value_text,
                period_label=obs.period_label,
                provenance=obs.provenance,
                target_text=target_text,
                value_cell=(
                    pattern.cell(obs.indicator, area_key, obs.period_end, obs.value, value_text)
                    if pattern
                    else value_text
                ),
                unapproved=key_of_observation(obs) not in approved,
                indicator=obs.indicator,
                period_end=obs.period_end,
            )
        )
    return lines
