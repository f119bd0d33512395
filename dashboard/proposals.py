"""「次の会議の議題にする」 on the dashboard: which cells of the status table and of the region matrix the
signed-in user may propose for the agenda of the region's next 圏域連絡調整会議, and which are proposed.

How it lives with the dashboard's cache: the sections are cached for everyone until the data they show
change, and these buttons depend on the user's regions and on the agendas now. So the status table and
the matrix are cached under one more key part, `signature` — the marks they carry (which cells have a
button, which say 「提案済み」 and where) — computed on every request in one query (the pending proposals
of the regions the user edits; none for a user who edits no region): a proposal changes the signature,
so the tables are drawn again at once, and users with the same marks (every official; a region's staff)
share one copy. A cached fragment cannot hold a form, whose CSRF token is the reader's own: the cells
hold buttons (`<button form=…>`) and the forms they submit (token, indicator, region, `next`) are drawn
outside the cached fragments, one per cell that may be proposed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property

from django.utils import timezone

from accounts import roles
from core.fiscal import fiscal_year_of
from dashboard.overview.build import Overview
from indicators.standing import NOT_MET
from indicators.values import default_basis_plan
from meetings.models import AgendaItem, Meeting
from regions.models import Region

HIDDEN_REASON = "議題の提案は、今年度の表示で評価の基準が自動（その年度の計画）のときにできます。"


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
    def form_id(self) -> str:
        return f"propose-{self.indicator_id}-{self.region.pk}"

    @property
    def key(self) -> tuple:
        """What the cell shows: the button, or 「提案済み」 with the meeting (and its date) it went to."""
        meeting = self.meeting
        pending = None if self.pending is None else (meeting.pk, meeting.date) if meeting else "waiting"
        return (self.indicator_id, self.region.pk, pending)

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

    @cached_property
    def status_table(self) -> list[tuple]:
        """(status row, mark) for the selected region's status table (marks only when a region is shown)."""
        region = self.overview.region
        return [
            (row, self.mark(row.indicator.pk, region, row.basis.status) if row.basis else None)
            for row in self.overview.status_rows
        ]

    @cached_property
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

    def _marks(self) -> list[Mark]:
        marks = [mark for _, mark in self.status_table if mark]
        marks += [mark for _, cells in self.matrix for _, mark in cells if mark]
        return marks

    @cached_property
    def open_marks(self) -> list[Mark]:
        """One per (indicator, region) that may be proposed: the forms the cells' buttons submit."""
        found = {}
        for mark in self._marks():
            if mark.pending is None:
                found.setdefault(mark.form_id, mark)
        return list(found.values())

    @cached_property
    def signature(self) -> str:
        """The part of the tables' cache key that is the user's: every mark they carry, and the notes."""
        parts = (self.status_column, self.available, self.judged_now, sorted(m.key for m in self._marks()))
        return hashlib.sha256(repr(parts).encode()).hexdigest()
