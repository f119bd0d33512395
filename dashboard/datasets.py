"""The data sets read for officials (issue #17): which figures of each area × 年度 are stored, which
sets are missing, submitted, approved or sent back, and whether they came in by the due date.

A data set holds the observations of one area × 年度 and, for a region, its peer-support figures
(`training`), which is why this reader lives here and not in `indicators` (which may not import
training). Its writes are `indicators.services.datasets`; who sees which set is
`accounts.roles.can_view_data_set`. Counts are taken from the stored rows, never typed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, CharField, Count, Value, When
from django.utils import timezone

from accounts import roles
from dashboard.activity import ActivityRow, region_activity
from indicators import datasets, values
from indicators.datasets import DataSetKey
from indicators.models import DataSet, DataSetScope, Observation, SubmissionDeadline
from regions.models import Region
from training.models import PeerSupportProgramme

State = DataSet.State

DEFAULT_YEARS = 3  # the completeness page shows the current 年度 and the two before it by default
MAX_YEARS = 10

BADGES = {
    State.OPEN: "text-bg-secondary",
    State.SUBMITTED: "text-bg-primary",
    State.APPROVED: "text-bg-success",
    State.RETURNED: "text-bg-warning",
}

ON_TIME, LATE, OVERDUE, PENDING = "on_time", "late", "overdue", "pending"
TIMELINESS_LABELS = {
    ON_TIME: "期限内に提出",
    LATE: "期限後に提出",
    OVERDUE: "未提出（期限超過）",
    PENDING: "",
}


def timeliness(first_submitted_at, deadline: SubmissionDeadline | None, today: date) -> str:
    """On time or late by the set's first submission against the 年度's due date (the day itself is on
    time); a set never submitted is overdue once the due date has passed."""
    if deadline is None:
        return PENDING
    if first_submitted_at is not None:
        return ON_TIME if timezone.localtime(first_submitted_at).date() <= deadline.due_date else LATE
    return OVERDUE if today > deadline.due_date else PENDING


@dataclass
class SetCell:
    """One area × 年度 on the completeness page."""

    key: DataSetKey
    code: str
    data_set: DataSet | None
    observations: int
    peer_support: bool
    deadline: SubmissionDeadline | None
    today: date

    @property
    def fiscal_year(self) -> int:
        return self.key.fiscal_year

    @property
    def state(self) -> str:
        return self.data_set.state if self.data_set else State.OPEN

    @property
    def state_label(self) -> str:
        return State(self.state).label

    @property
    def badge(self) -> str:
        return BADGES[self.state]

    @property
    def figures(self) -> int:
        """Figures stored: the values, and the peer-support programme counted as one."""
        return self.observations + (1 if self.peer_support else 0)

    @property
    def is_missing(self) -> bool:
        """Nothing stored and nothing submitted: the set is missing."""
        return self.state == State.OPEN and not self.figures

    @property
    def timeliness(self) -> str:
        return timeliness(self.data_set and self.data_set.first_submitted_at, self.deadline, self.today)

    @property
    def timeliness_label(self) -> str:
        return TIMELINESS_LABELS[self.timeliness]


@dataclass
class SetRow:
    label: str
    code: str
    region: Region | None
    cells: list[SetCell] = field(default_factory=list)


def _scope_of_row():
    """An observation's data set scope, computed in the query (to count per set in one GROUP BY)."""
    return Case(
        When(municipality__isnull=False, then=Value(DataSetScope.MUNICIPALITIES.value)),
        When(region__isnull=False, then=Value(DataSetScope.REGION.value)),
        default=Value(DataSetScope.PREFECTURE.value),
        output_field=CharField(),
    )


def completeness(*, prefecture, user, fiscal_years: list[int], today: date | None = None) -> list[SetRow]:
    """Rows of areas (officials: every region, then 県全体 and 市町村別; a health centre's staff their
    own regions), a cell per 年度 — five queries whatever the data."""
    today = today or timezone.localdate()
    years = sorted(set(fiscal_years))
    regions = [
        r
        for r in Region.objects.filter(prefecture=prefecture).order_by("display_order", "code")
        if roles.can_view_data_set(user, r)
    ]
    rows = [SetRow(r.full_name, r.code, r) for r in regions]
    if roles.can_view_data_set(user, None):
        rows.append(SetRow(f"{prefecture.name}（県全体）", datasets.PREFECTURE_CODE, None))
        rows.append(SetRow(f"{prefecture.name}（市町村別）", datasets.MUNICIPALITIES_CODE, None))
    sets = datasets.data_sets_by_key(prefecture=prefecture, fiscal_years=years)
    counts = {
        DataSetKey(prefecture.pk, item["scope"], item["region_id"], item["fiscal_year"]): item["n"]
        for item in Observation.objects.filter(prefecture=prefecture, fiscal_year__in=years)
        .order_by()
        .annotate(scope=_scope_of_row())
        .values("scope", "region_id", "fiscal_year")
        .annotate(n=Count("pk"))
    }
    peer = set(
        PeerSupportProgramme.objects.filter(region__prefecture=prefecture, fiscal_year__in=years).values_list(
            "region_id", "fiscal_year"
        )
    )
    deadlines = {
        d.fiscal_year: d
        for d in SubmissionDeadline.objects.filter(prefecture=prefecture, fiscal_year__in=years)
    }
    for row in rows:
        for year in years:
            if row.region is not None:
                key = DataSetKey(prefecture.pk, DataSetScope.REGION, row.region.pk, year)
            elif row.code == datasets.MUNICIPALITIES_CODE:
                key = DataSetKey(prefecture.pk, DataSetScope.MUNICIPALITIES, None, year)
            else:
                key = DataSetKey(prefecture.pk, DataSetScope.PREFECTURE, None, year)
            row.cells.append(
                SetCell(
                    key=key,
                    code=row.code,
                    data_set=sets.get(key),
                    observations=counts.get(key, 0),
                    peer_support=row.region is not None and (row.region.pk, year) in peer,
                    deadline=deadlines.get(year),
                    today=today,
                )
            )
    return rows


# --- one data set's page --------------------------------------------------------------------------


@dataclass
class FigureRow:
    observation: Observation
    text: str


@dataclass
class DataSetPage:
    key: DataSetKey
    code: str
    label: str
    region: Region | None
    data_set: DataSet | None
    figures: list[FigureRow]
    peer_support: PeerSupportProgramme | None
    transitions: list
    deadline: SubmissionDeadline | None
    activity: ActivityRow | None
    today: date

    @property
    def state(self) -> str:
        return self.data_set.state if self.data_set else State.OPEN

    @property
    def state_label(self) -> str:
        return State(self.state).label

    @property
    def badge(self) -> str:
        return BADGES[self.state]

    @property
    def version(self) -> int:
        return self.data_set.version if self.data_set else 0

    @property
    def is_locked(self) -> bool:
        return self.data_set is not None and self.data_set.is_locked

    @property
    def locked_message(self) -> str:
        return datasets.locked_message(self.data_set) if self.is_locked else ""

    @property
    def timeliness_label(self) -> str:
        first = self.data_set.first_submitted_at if self.data_set else None
        return TIMELINESS_LABELS[timeliness(first, self.deadline, self.today)]


def _observations_of(key: DataSetKey):
    rows = Observation.objects.filter(prefecture_id=key.prefecture_id, fiscal_year=key.fiscal_year)
    if key.scope == DataSetScope.REGION:
        rows = rows.filter(region_id=key.region_id)
    elif key.scope == DataSetScope.MUNICIPALITIES:
        rows = rows.filter(municipality__isnull=False)
    else:
        rows = rows.filter(region__isnull=True, municipality__isnull=True)
    return rows.select_related("indicator", "prefecture", "region", "municipality", "edited_by").order_by(
        "indicator__display_order", "indicator__code", "area_key", "period_end"
    )


def data_set_page(*, prefecture, key: DataSetKey, region: Region | None, today: date | None = None):
    """Everything the set's page shows: its figures, its state and steps, the due date, and (for a
    region) the counts computed from meetings and training, which approval never locks."""
    today = today or timezone.localdate()
    data_set = datasets.find(key)
    figures = [FigureRow(o, values.format_value(o.value, o.indicator)) for o in _observations_of(key)]
    peer = None
    activity = None
    if region is not None:
        peer = PeerSupportProgramme.objects.filter(region=region, fiscal_year=key.fiscal_year).first()
        activity = region_activity(
            prefecture=prefecture, regions=[region], fiscal_year=key.fiscal_year, region=region, today=today
        ).rows[0]
    if key.scope == DataSetScope.REGION:
        label = region.full_name
    elif key.scope == DataSetScope.MUNICIPALITIES:
        label = f"{prefecture.name}（市町村別）"
    else:
        label = f"{prefecture.name}（県全体）"
    return DataSetPage(
        key=key,
        code=datasets.area_code(scope=key.scope, region=region),
        label=label,
        region=region,
        data_set=data_set,
        figures=figures,
        peer_support=peer,
        transitions=list(data_set.transitions.select_related("by")) if data_set else [],
        deadline=SubmissionDeadline.objects.filter(
            prefecture=prefecture, fiscal_year=key.fiscal_year
        ).first(),
        activity=activity,
        today=today,
    )
