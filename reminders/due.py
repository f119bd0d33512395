"""What is "due" for a user — the one definition the daily digest, the navigation bar's count and the
「期限が近いもの」 page share: an open action item or a case follow-up whose date is within the user's
number of days (ReminderSettings.lead_days, 7 unless changed) or already past.

Whose items: a health centre's staff, those of their region(s); an official, the action items of the
meetings they created and those they follow (an item's 担当機関 is a body, not a user), and the case
follow-ups of the meetings they created. The digest adds the meetings of the next 7 days and, for
officials, the proposals waiting for a meeting. Viewers have nothing due.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q

from accounts import roles
from meetings.followups import FollowUpDue, follow_ups_due
from meetings.models import ActionItem, AgendaItem, CaseReview, Meeting, MeetingStatus
from reminders.models import DEFAULT_LEAD_DAYS, ReminderSettings

MEETING_DAYS = 7  # the digest's 「今後7日間の会議」


@dataclass
class Due:
    today: date
    lead_days: int
    actions: list[ActionItem] = field(default_factory=list)  # each with `.overdue`
    follow_ups: list[FollowUpDue] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    proposals: list[AgendaItem] = field(default_factory=list)

    @property
    def count(self) -> int:
        """The due and overdue items (action items and follow-ups): the navigation bar's number."""
        return len(self.actions) + len(self.follow_ups)

    @property
    def overdue_count(self) -> int:
        return sum(a.overdue for a in self.actions) + sum(f.overdue for f in self.follow_ups)

    @property
    def is_empty(self) -> bool:
        return not (self.actions or self.follow_ups or self.meetings or self.proposals)


def lead_days_of(user) -> int:
    stored = ReminderSettings.objects.filter(user=user).values_list("lead_days", flat=True).first()
    return DEFAULT_LEAD_DAYS if stored is None else stored


def _staff_regions(user):
    return roles.editable_region_ids(user) if roles.is_health_centre_staff(user) else None


def action_scope(user):
    """The open action items that are this user's to be reminded of (not yet limited by date)."""
    items = ActionItem.objects.alive().open()
    if roles.is_prefecture(user):
        return items.filter(Q(meeting__created_by=user) | Q(follows__user=user)).distinct()
    regions = _staff_regions(user)
    if regions:
        return items.for_regions(regions)
    return items.none()


def case_scope(user):
    cases = CaseReview.objects.alive().restrict(user, "view_case")
    if roles.is_prefecture(user):
        return cases.filter(meeting__created_by=user)
    return cases if _staff_regions(user) else cases.none()


def meeting_scope(user, *, with_deleted: bool = False):
    """The meetings that are this user's (the calendar feed asks `with_deleted`: a deleted meeting is
    sent as cancelled so that subscribed calendars drop it)."""
    meetings = Meeting.objects.all() if with_deleted else Meeting.objects.alive()
    if roles.is_prefecture(user):
        return meetings.filter(created_by=user)
    regions = _staff_regions(user)
    return meetings.filter(region__in=regions) if regions else meetings.none()


def due_actions(user, *, today: date, lead_days: int) -> list[ActionItem]:
    rows = list(
        action_scope(user)
        .filter(due_date__isnull=False, due_date__lte=today + timedelta(days=lead_days))
        .select_related("meeting", "meeting__region")
        .order_by("due_date", "pk")
    )
    for item in rows:
        item.overdue = item.due_date < today
    return rows


def due_for(user, *, today: date, lead_days: int | None = None, digest: bool = False) -> Due:
    """Everything due for `user` on `today`; `digest` adds the coming meetings and waiting proposals."""
    if lead_days is None:
        lead_days = lead_days_of(user)
    due = Due(today=today, lead_days=lead_days)
    if not (roles.is_prefecture(user) or _staff_regions(user)):
        return due
    due.actions = due_actions(user, today=today, lead_days=lead_days)
    due.follow_ups = follow_ups_due(case_scope(user), today=today, horizon_days=lead_days)
    if digest:
        due.meetings = list(
            meeting_scope(user)
            .filter(
                status=MeetingStatus.PLANNED, date__gte=today, date__lt=today + timedelta(days=MEETING_DAYS)
            )
            .select_related("region")
            .order_by("date", "start_time", "pk")
        )
        if roles.is_prefecture(user):
            due.proposals = list(
                AgendaItem.objects.waiting()
                .select_related("region", "indicator")
                .order_by("region__display_order", "pk")
            )
    return due
