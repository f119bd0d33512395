"""「次の会議の議題にする」 on the dashboard: which cells of the status table and of the region matrix the
signed-in user may propose for the agenda of the region's next 圏域連絡調整会議, and which are proposed.

Why this is not cached with the rest of the page: a button is a form carrying the user's own CSRF token,
and whether it shows depends on the user's regions and on the agendas now, none of which the dashboard's
cached sections are keyed on (they are the same for every user until the indicator or activity data
change). Keying those sections on the user as well would keep a copy of the whole page per user, and a
token in cached HTML would fail for the next reader. So the two tables are drawn on every request from
the cached overview (a loop over rows already computed) and the buttons beside them come from here: one
query (the pending proposals of the regions the user edits), none for a user who edits no region.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from accounts import roles
from core.fiscal import fiscal_year_of
from dashboard.overview.build import Overview
from indicators.standing import NOT_MET
from indicators.values import default_basis_plan
from meetings.models import AgendaItem, Meeting
from regions.models import Region

HIDDEN_REASON = "議題の提案は、今年度の表示で評価の基準が自動（県の計画）のときにできます。"


@dataclass(frozen=True)
class Mark:
    """A cell's proposal state: the button, or 「提案済み」 with where the proposal is."""

    indicator_id: int
    region: Region
    pending: AgendaItem | None = None

    @property
    def meeting(self) -> Meeting | None:
        return self.pending.meeting if self.pending is not None else None

    @property
    def pending_label(self) -> str:
        meeting = self.meeting
        if meeting is None:
            return "提案済み（会議の計画待ち）"
        return f"提案済み（{meeting.date.month}月{meeting.date.day}日の会議）"


class ProposalMarks:
    """The status rows and matrix rows with their marks (None: nothing to show in that cell)."""

    def __init__(self, *, user, overview: Overview, today=None):
        today = today or timezone.localdate()
        self.overview = overview
        editable = roles.editable_region_ids(user)
        self.regions = [r for r in overview.regions if editable is None or r.pk in editable]
        # The status the cells show is the one the proposal is judged against (services.agenda_propose):
        # this 年度's values against the plan the dashboard takes as its basis by default.
        self.judged_now = (
            overview.fiscal_year == fiscal_year_of(today)
            and overview.basis_plan is not None
            and overview.basis_plan == default_basis_plan(overview.plans, overview.fiscal_year)
        )
        self.pending: dict[tuple[int, int], AgendaItem] = {}
        if self.regions:  # asked whatever the 年度 shown, so the page's query count does not depend on it
            items = (
                AgendaItem.objects.pending()
                .filter(region__in=[r.pk for r in self.regions], indicator__isnull=False)
                .select_related("meeting")
                .order_by("pk")
            )
            for item in items:
                self.pending.setdefault((item.indicator_id, item.region_id), item)
        self.editable_ids = {r.pk for r in self.regions}

    @property
    def available(self) -> bool:
        """Whether the user may propose anything on this page (else the buttons are absent)."""
        return bool(self.regions)

    @property
    def status_column(self) -> bool:
        """The status table's 「議題」 column: a region the user edits is shown, in the view proposals use."""
        region = self.overview.region
        return region is not None and region.pk in self.editable_ids and self.judged_now

    @property
    def hidden_reason(self) -> str:
        return HIDDEN_REASON if self.available and not self.judged_now else ""

    def mark(self, indicator_id: int, region: Region | None, status: str) -> Mark | None:
        if (
            region is None
            or region.pk not in self.editable_ids
            or not self.judged_now
            or status not in NOT_MET
        ):
            return None
        return Mark(indicator_id, region, self.pending.get((indicator_id, region.pk)))

    def status_table(self) -> list[tuple]:
        """(status row, mark) for the selected region's status table (marks only when a region is shown)."""
        region = self.overview.region
        return [
            (row, self.mark(row.indicator.pk, region, row.basis.status) if row.basis else None)
            for row in self.overview.status_rows
        ]

    def matrix(self) -> list[tuple]:
        """(matrix row, [(cell, mark), …]) for the region × indicator matrix."""
        indicators = self.overview.matrix_indicators
        return [
            (
                row,
                [
                    (cell, self.mark(i.pk, row.region, cell.status))
                    for i, cell in zip(indicators, row.cells, strict=True)
                ],
            )
            for row in self.overview.matrix
        ]
