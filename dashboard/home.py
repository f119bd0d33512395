"""The home page's read model: what a health centre's staff work on, and the same per region for officials.

Staff see, for their region(s): the indicators not met and whether each is on an agenda, the next
planned meetings with their agenda items, open and overdue action items, and the case follow-ups
(3 / 6 / 12 months after discharge) that fall due in the next 30 days or are overdue. Officials see
the same counted per region, in one table. Everything is read in a fixed number of queries, whatever
the number of regions, meetings or cases (tests/dashboard/test_home.py pins the counts).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery

from core.fiscal import fiscal_year_of
from meetings.agenda import IndicatorOnAgenda, not_met_by_region
from meetings.followups import FollowUpDue, follow_ups_due
from meetings.models import (
    ActionItem,
    AgendaItem,
    CaseReview,
    Meeting,
    MeetingStatus,
)
from regions.models import Region

ACTION_LIMIT = 20  # the staff's open action items shown (overdue and nearest due first)
MEETING_LIMIT = 5  # the staff's next planned meetings shown
FOLLOW_UP_LIMIT = 30  # the staff's follow-ups shown (overdue first)


def _visible_cases(user):
    return CaseReview.objects.alive().restrict(user, "view_case")


# --- the staff's home ----------------------------------------------------------------------------


def _since_fiscal_year(today: date) -> int:
    """Meetings of the current and the previous 年度 count as having discussed an indicator."""
    return fiscal_year_of(today) - 1


def _planned(queryset, today: date):
    return queryset.alive().filter(status=MeetingStatus.PLANNED, date__gte=today)


def open_actions(region_ids, *, today: date) -> dict:
    """The open items of the region(s), overdue first, and their counts (two queries)."""
    items = ActionItem.objects.alive().open().for_regions(region_ids)
    counts = items.aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
    rows = list(items.select_related("meeting", "meeting__region").order_by("due_date", "pk")[:ACTION_LIMIT])
    return {"items": [(item, item.is_overdue(today)) for item in rows], **counts}


def next_meetings(region_ids, *, today: date) -> list[Meeting]:
    """The next planned meetings of the region(s) (today or later), with their agenda items (two queries)."""
    items = AgendaItem.objects.order_by("position", "pk")
    return list(
        _planned(Meeting.objects.filter(region__in=region_ids), today)
        .select_related("region")
        .prefetch_related(Prefetch("agenda_items", queryset=items))
        .order_by("date", "start_time", "pk")[:MEETING_LIMIT]
    )


@dataclass
class StaffHome:
    regions: list[Region]
    not_met: list[IndicatorOnAgenda]
    meetings: list[Meeting]
    actions: dict
    follow_ups: list[FollowUpDue]  # the first FOLLOW_UP_LIMIT
    follow_ups_due: int  # every one listed, not overdue
    follow_ups_overdue: int

    @property
    def not_on_agenda(self) -> int:
        return sum(1 for row in self.not_met if not row.on_agenda)

    @property
    def has_hidden(self) -> bool:
        """A value shown is a small count (shown to the region's staff with its mark, and the legend)."""
        return any(row.standing.hidden for row in self.not_met)


def staff_home(user, regions, *, today: date) -> StaffHome:
    """The work page of a health centre's staff for `regions` (their centre's)."""
    regions = list(regions)
    region_ids = [r.pk for r in regions]
    by_region = not_met_by_region(regions, today=today, since_fiscal_year=_since_fiscal_year(today))
    follow_ups = follow_ups_due(_visible_cases(user).filter(region__in=region_ids), today=today)
    overdue = sum(1 for f in follow_ups if f.overdue)
    return StaffHome(
        regions=regions,
        not_met=[row for region in regions for row in by_region[region.pk]],
        meetings=next_meetings(region_ids, today=today),
        actions=open_actions(region_ids, today=today),
        follow_ups=follow_ups[:FOLLOW_UP_LIMIT],
        follow_ups_due=len(follow_ups) - overdue,
        follow_ups_overdue=overdue,
    )


# --- the officials' table ------------------------------------------------------------------------


@dataclass
class RegionRow:
    """One line of the officials' table; `region` None is the prefecture-wide line (meetings and actions only)."""

    region: Region | None
    next_meeting_id: int | None = None
    next_meeting_date: date | None = None
    not_met: list[IndicatorOnAgenda] = field(default_factory=list)
    waiting: int = 0
    open_actions: int = 0
    overdue_actions: int = 0
    follow_ups_due: int = 0
    follow_ups_overdue: int = 0

    @property
    def not_on_agenda(self) -> int:
        return sum(1 for row in self.not_met if not row.on_agenda)


def region_rows(user, *, today: date) -> list[RegionRow]:
    """Per region of the portal's prefecture, then 県全域: not-met indicators (and how many no agenda
    has taken up), the next planned meeting, waiting proposals, open / overdue actions, follow-ups
    due / overdue. Ten queries whatever the number of regions, meetings and cases."""
    planned = _planned(Meeting.objects.filter(region=OuterRef("pk")), today).order_by(
        "date", "start_time", "pk"
    )
    regions = list(
        Region.objects.filter(prefecture__code=settings.PORTAL_PREFECTURE_CODE)
        .annotate(
            next_meeting_id=Subquery(planned.values("pk")[:1]),
            next_meeting_date=Subquery(planned.values("date")[:1]),
        )
        .order_by("display_order", "code")
    )
    not_met = not_met_by_region(regions, today=today, since_fiscal_year=_since_fiscal_year(today))
    waiting = dict(
        AgendaItem.objects.waiting()
        .order_by()
        .values("region")
        .annotate(n=Count("pk"))
        .values_list("region", "n")
    )
    actions = {
        row["meeting__region"]: row
        for row in ActionItem.objects.alive()
        .open()
        .order_by()
        .values("meeting__region")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
    }
    follow_ups: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for due in follow_ups_due(_visible_cases(user), today=today):
        follow_ups[due.region_id][due.overdue] += 1
    rows = []
    for region in regions:
        counts = actions.get(region.pk, {})
        rows.append(
            RegionRow(
                region=region,
                next_meeting_id=region.next_meeting_id,
                next_meeting_date=region.next_meeting_date,
                not_met=not_met[region.pk],
                waiting=waiting.get(region.pk, 0),
                open_actions=counts.get("open", 0),
                overdue_actions=counts.get("overdue", 0),
                follow_ups_due=follow_ups[region.pk][False],
                follow_ups_overdue=follow_ups[region.pk][True],
            )
        )
    prefecture_wide = (
        _planned(
            Meeting.objects.filter(region__isnull=True, prefecture__code=settings.PORTAL_PREFECTURE_CODE),
            today,
        )
        .order_by("date", "start_time", "pk")
        .first()
    )
    counts = actions.get(None, {})
    rows.append(
        RegionRow(
            region=None,
            next_meeting_id=prefecture_wide.pk if prefecture_wide else None,
            next_meeting_date=prefecture_wide.date if prefecture_wide else None,
            open_actions=counts.get("open", 0),
            overdue_actions=counts.get("overdue", 0),
        )
    )
    return rows
