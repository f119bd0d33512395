"""Activity computed from the portal's own records, per region and 年度 (never typed in twice).

- 圏域連絡調整会議 held (status 開催済, not deleted) against the expected two a year;
- 地域移行事例検討会 held, and cases reviewed at the 年度's meetings;
- discharges: reviewed cases discharged (退院 / 地域生活継続 / 再入院) with a 退院年月 in the 年度, of which
  living in the community at the 6- or 12-month follow-up (`CaseReview.objects.successful()`), out of
  those whose sixth month after discharge has come;
- training sessions and attendees (`training.services.training_summary`);
- overdue action items: open items past their due date today, whatever the 年度 of their meeting;
- 当事者 participation: of the held meetings of the kinds where 当事者・ピアサポーター are expected
  (meetings.models.PEER_EXPECTED_KINDS: 圏域連絡調整会議, 協議の場), how many had 当事者 taking part
  (`PeerShare`, the same figure on the dashboard and in the sheets).

Each is one grouped query over the prefecture's regions (meetings without a region — prefecture-wide —
are not a region's activity and are left out).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from core import fiscal
from core.categories import OrganisationType
from dashboard.figures import FigureCalls
from dashboard.table import Table, plain_number
from indicators import small_counts, values
from indicators.suppression import Line, suppress
from meetings.models import (
    DISCHARGED_STATUSES,
    PEER_EXPECTED_KINDS,
    ActionItem,
    CaseReview,
    Meeting,
    MeetingKind,
    MeetingStatus,
    took_part,
)
from regions.models import Prefecture, Region
from training.services import training_summary

EXPECTED_REGIONAL_MEETINGS = 2
GUIDELINE_NAME = f"圏域連絡調整会議の目安（年{EXPECTED_REGIONAL_MEETINGS}回）"


@dataclass(frozen=True)
class PeerShare:
    """当事者が参加した会議 n／m回（x％）: of `held` meetings of an expected kind, `attended` had 当事者."""

    attended: int = 0
    held: int = 0

    @property
    def percent(self) -> Decimal | None:
        return values.share_percent(self.attended, self.held)

    @property
    def text(self) -> str:
        """「2／3回（66.7％）」, or "—" when no such meeting was held."""
        if not self.held:
            return "—"
        return f"{self.attended}／{self.held}回（{self.percent}％）"


def _peer_counts() -> dict:
    """The two counts of PeerShare, as aggregates over held, live meetings (any kinds: filtered here)."""
    expected = Q(kind__in=PEER_EXPECTED_KINDS)
    return {
        "peer_held": Count("pk", filter=expected),
        "peer_attended": Count("pk", filter=expected & took_part(OrganisationType.PEER)),
    }


def peer_share(
    *, fiscal_year: int, prefecture: Prefecture | None = None, region: Region | None = None
) -> PeerShare:
    """The 年度's PeerShare of one region, or of all the prefecture's regions (as the dashboard's total:
    prefecture-wide meetings, without a region, are not counted). One query."""
    scope = {"region": region} if region else {"region__prefecture": prefecture}
    counts = (
        Meeting.objects.alive()
        .in_fiscal_year(fiscal_year)
        .filter(status=MeetingStatus.HELD, **scope)
        .aggregate(**_peer_counts())
    )
    return PeerShare(attended=counts["peer_attended"], held=counts["peer_held"])


# The counts of reviewed cases per region (people: each case is one person), with their units: small
# ones are hidden from viewers and in the downloads (indicators.small_counts), with secondary
# suppression down each column against the prefecture's total, over every region of the prefecture
# whichever region is shown, so that the region sheet and the dashboard hide the same cells.
CASE_COUNTS = {"cases_reviewed": "件", "discharges": "人", "six_months_passed": "人", "in_community": "人"}


@dataclass
class CaseCounts:
    """The counts of CASE_COUNTS per region id for one 年度, and which (column, region id) are hidden."""

    counts: dict[str, dict[int, int]]
    hidden: frozenset

    def get(self, column: str, region_id: int) -> int:
        return self.counts.get(column, {}).get(region_id, 0)

    def cell(self, column: str, region_id: int, text=None):
        """The count (or `text`), or a Hidden cell."""
        n = self.get(column, region_id)
        text = n if text is None else text
        return small_counts.Hidden(n, text, region_id) if (column, region_id) in self.hidden else text


def case_counts(
    *, prefecture: Prefecture, fiscal_year: int, today: date, columns=tuple(CASE_COUNTS)
) -> CaseCounts:
    """Reviewed cases and their discharges per region of the prefecture, with the hidden cells: one
    query for the reviewed cases, two more when the discharge columns are asked for."""
    first_day, last_day = fiscal.fiscal_year_range(fiscal_year)
    in_prefecture = {"region__prefecture": prefecture}
    counts: dict[str, dict[int, int]] = {column: {} for column in columns}
    if "cases_reviewed" in columns:
        reviewed = CaseReview.objects.alive().filter(fiscal_year=fiscal_year, **in_prefecture)
        for item in reviewed.order_by().values("region_id").annotate(n=Count("pk")):
            counts["cases_reviewed"][item["region_id"]] = item["n"]
    if {"discharges", "six_months_passed", "in_community"} & set(columns):
        cutoff = fiscal.add_months(today, -6)
        discharged = CaseReview.objects.alive().filter(
            status__in=DISCHARGED_STATUSES, discharge_month__range=(first_day, last_day), **in_prefecture
        )
        for item in (
            discharged.order_by()
            .values("region_id")
            .annotate(n=Count("pk"), passed=Count("pk", filter=Q(discharge_month__lte=cutoff)))
        ):
            counts.setdefault("discharges", {})[item["region_id"]] = item["n"]
            counts.setdefault("six_months_passed", {})[item["region_id"]] = item["passed"]
        for item in discharged.successful().order_by().values("region_id").annotate(n=Count("pk")):
            counts.setdefault("in_community", {})[item["region_id"]] = item["n"]
    cells, lines, totals = {}, [], set()
    for column, by_region in counts.items():
        parts = []
        for region_id, n in by_region.items():
            cells[(column, region_id)] = n
            parts.append((column, region_id))
        cells[(column, None)] = sum(by_region.values())  # the prefecture's total: shown
        totals.add((column, None))
        lines.append(Line((column, None), tuple(parts)))
    hidden = suppress(cells, lines, threshold=small_counts.threshold(), fixed=totals)
    return CaseCounts(counts, hidden)


@dataclass
class ActivityRow:
    region: Region | None
    regional_meetings: int = 0
    case_meetings: int = 0
    cases_reviewed: int = 0
    discharges: int = 0
    six_months_passed: int = 0
    in_community: int = 0
    training_sessions: int = 0
    training_attendees: int = 0
    overdue_actions: int = 0
    peer_held: int = 0  # held meetings of a kind where 当事者 are expected
    peer_attended: int = 0  # of which 当事者・ピアサポーター took part
    meeting_status: str = values.NO_DATA
    case_cells: dict = field(default_factory=dict)  # CASE_COUNTS: 「3件」 or a Hidden cell

    @property
    def cells(self) -> dict:
        """The counts of reviewed cases as shown, with their units (small ones Hidden)."""
        return self.case_cells or {name: f"{getattr(self, name)}{unit}" for name, unit in CASE_COUNTS.items()}

    @property
    def peer(self) -> PeerShare:
        return PeerShare(attended=self.peer_attended, held=self.peer_held)

    @property
    def label(self) -> str:
        return self.region.full_name if self.region else "県全域"

    @property
    def status_label(self) -> str:
        return values.STATUS_LABELS[self.meeting_status]

    @property
    def status_symbol(self) -> str:
        return values.STATUS_SYMBOLS[self.meeting_status]


@dataclass
class Activity:
    fiscal_year: int
    rows: list[ActivityRow]
    total: ActivityRow
    in_progress: bool
    expected_meetings: int
    figure: dict
    table: Table
    today: date
    # When the counts were read from the records (meetings, cases, training, actions are never locked
    # by a data set's approval, so the page says when). Cached with the counts, keyed on the data
    # version: an entry served later was counted from the same records.
    computed_at: datetime | None = None

    @property
    def has_hidden(self) -> bool:
        return self.table.has_hidden

    @property
    def has_data(self) -> bool:
        return any(
            r.regional_meetings or r.case_meetings or r.training_sessions or r.cases_reviewed
            for r in self.rows
        )


COUNTED = (
    "regional_meetings",
    "case_meetings",
    "cases_reviewed",
    "discharges",
    "six_months_passed",
    "in_community",
    "training_sessions",
    "training_attendees",
    "overdue_actions",
    "peer_held",
    "peer_attended",
)


def region_activity(
    *,
    prefecture: Prefecture,
    regions: list[Region],
    fiscal_year: int,
    region: Region | None,
    today: date | None,
) -> Activity:
    """Per region (or only the selected one), plus a 県全域 row for prefecture-wide training."""
    computed_at = timezone.now()
    today = today or timezone.localdate()
    last_day = fiscal.fiscal_year_range(fiscal_year)[1]
    shown = [region] if region else regions
    rows: dict[int | None, ActivityRow] = {r.pk: ActivityRow(region=r) for r in shown}
    in_scope = {"region": region} if region else {"region__prefecture": prefecture}

    meetings = (
        Meeting.objects.alive()
        .in_fiscal_year(fiscal_year)
        .filter(
            status=MeetingStatus.HELD,
            kind__in=sorted(
                {MeetingKind.REGIONAL_COORDINATION, MeetingKind.CASE_REVIEW, *PEER_EXPECTED_KINDS}
            ),
        )
        .filter(**in_scope)
        .order_by()
        .values("region_id")
        .annotate(
            regional=Count("pk", filter=Q(kind=MeetingKind.REGIONAL_COORDINATION)),
            cases=Count("pk", filter=Q(kind=MeetingKind.CASE_REVIEW)),
            **_peer_counts(),
        )
    )
    for item in meetings:
        if (row := rows.get(item["region_id"])) is not None:
            row.regional_meetings, row.case_meetings = item["regional"], item["cases"]
            row.peer_held, row.peer_attended = item["peer_held"], item["peer_attended"]

    # Counted over every region of the prefecture, whichever is shown (the hidden cells are the same).
    cases = case_counts(prefecture=prefecture, fiscal_year=fiscal_year, today=today)
    for key, row in rows.items():
        for name, unit in CASE_COUNTS.items():
            setattr(row, name, cases.get(name, key))
            row.case_cells[name] = cases.cell(name, key, f"{cases.get(name, key)}{unit}")

    overdue_scope = {"meeting__region": region} if region else {"meeting__region__prefecture": prefecture}
    overdue = ActionItem.objects.alive().overdue(today).filter(**overdue_scope)
    for item in overdue.order_by().values("meeting__region_id").annotate(n=Count("pk")):
        if (row := rows.get(item["meeting__region_id"])) is not None:
            row.overdue_actions = item["n"]

    if region is None:
        rows[None] = ActivityRow(region=None)
    for summary in training_summary(fiscal_year=fiscal_year, region=region, regions=regions):
        key = summary.region.pk if summary.region else None
        if (row := rows.get(key)) is not None:
            row.training_sessions = summary.session_count
            row.training_attendees = summary.attendees_total

    year_over = today > last_day
    for key, row in rows.items():
        if key is not None:
            row.meeting_status = values.count_status(
                row.regional_meetings, EXPECTED_REGIONAL_MEETINGS, year_over=year_over
            )
    ordered = list(rows.values())
    total = ActivityRow(region=None)
    for row in ordered:
        for name in COUNTED:
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return Activity(
        fiscal_year=fiscal_year,
        rows=ordered,
        total=total,
        in_progress=not year_over,
        expected_meetings=EXPECTED_REGIONAL_MEETINGS,
        figure=_figure([r for r in ordered if r.region is not None]),
        table=_table(fiscal_year, ordered, total),
        today=today,
        computed_at=computed_at,
    )


def _table(fiscal_year: int, rows: list[ActivityRow], total: ActivityRow) -> Table:
    table = Table(
        "activity",
        f"圏域別の活動（{fiscal.fiscal_year_label(fiscal_year)}）",
        [
            "圏域",
            f"圏域連絡調整会議（回・年{EXPECTED_REGIONAL_MEETINGS}回が目安）",
            "開催の状況",
            "事例検討会（回）",
            "検討した事例（件）",
            "退院（人）",
            "うち退院後6か月経過（人）",
            "うち6か月以上地域生活（人）",
            "研修（回）",
            "研修参加者（人）",
            "期限を過ぎた対応事項（件・本日時点）",
            "当事者が参加した会議（回）",
            "当事者の参加が期待される会議（回・圏域連絡調整会議と協議の場）",
            "当事者が参加した会議の割合（％）",
        ],
    )
    for row in rows:
        cases = [_case_cell(row, name) if row.region else "" for name in CASE_COUNTS]
        table.rows.append(
            [
                row.label,
                row.regional_meetings if row.region else "",
                row.status_label if row.region else "",
                row.case_meetings if row.region else "",
                *cases,
                row.training_sessions,
                row.training_attendees,
                row.overdue_actions if row.region else "",
                *(_peer_cells(row) if row.region else ["", "", ""]),
            ]
        )
    if len(rows) > 1:
        table.rows.append(
            [
                "合計",
                total.regional_meetings,
                "",
                total.case_meetings,
                total.cases_reviewed,
                total.discharges,
                total.six_months_passed,
                total.in_community,
                total.training_sessions,
                total.training_attendees,
                total.overdue_actions,
                *_peer_cells(total),
            ]
        )
    return table


def _case_cell(row: ActivityRow, name: str):
    """A count of reviewed cases as a table cell: the number, or a Hidden cell."""
    shown = row.case_cells.get(name)
    n = getattr(row, name)
    return replace(shown, text=n) if isinstance(shown, small_counts.Hidden) else n


def _peer_cells(row: ActivityRow) -> list:
    percent = row.peer.percent
    return [row.peer_attended, row.peer_held, plain_number(percent) if percent is not None else ""]


def _figure(rows: list[ActivityRow]) -> dict:
    labels = [r.label for r in rows]
    highest = max(
        [
            EXPECTED_REGIONAL_MEETINGS,
            *(max(r.regional_meetings, r.case_meetings, r.training_sessions) for r in rows),
        ]
    )
    figure = FigureCalls()
    for name, attr, colour in (
        ("圏域連絡調整会議", "regional_meetings", "#1d4e89"),
        ("事例検討会", "case_meetings", "#8e44ad"),
        ("研修", "training_sessions", "#1e8449"),
    ):
        figure.add_trace(
            "Bar",
            x=labels,
            y=[getattr(r, attr) for r in rows],
            name=name,
            marker_color=colour,
            hovertemplate="%{x}: %{y}回<extra>" + name + "</extra>",
        )
    # The guideline is named in the legend, not by an annotation on the plot: written above the line it
    # lay over the first region's bars (岩国), and on a phone it ran off the plot.
    figure.add_hline(
        y=EXPECTED_REGIONAL_MEETINGS,
        line={"dash": "dash", "color": "#1d4e89", "width": 1},
    )
    figure.add_trace(
        "Scatter",
        x=[None],
        y=[None],
        mode="lines",
        name=GUIDELINE_NAME,
        line={"dash": "dash", "color": "#1d4e89", "width": 1},
        hoverinfo="skip",
    )
    figure.update_layout(
        barmode="group",
        autosize=True,
        margin={"l": 50, "r": 10, "t": 20, "b": 60},
        height=360,
        font={"family": "IPAexGothic, Noto Sans CJK JP, sans-serif", "size": 12},
        yaxis={
            "title": {"text": "回", "standoff": 12},
            "automargin": True,
            "rangemode": "tozero",
            "gridcolor": "#e5e5e5",
            "tickformat": "d",
            **({"dtick": 1} if highest <= 10 else {}),
        },
        xaxis={"automargin": True},
        legend={"orientation": "h", "y": -0.2},
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
    )
    data = figure.data()
    return data
