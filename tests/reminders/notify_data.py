"""Due work in two regions, for the notification, due-page and follow tests (dates relative to today:
the count and the page read `timezone.localdate()`).

Region 3501 (iwakuni_staff's): an overdue item, one due in 3 days, one due in 30 days (beyond the
default 7), a done one, one without a 期限, and a case whose 3-month follow-up is overdue.
Region 3508 (hagi_staff's, the "other region"): an overdue item, a case with an overdue follow-up, and
a meeting the official created with an item due tomorrow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from core.fiscal import add_months
from meetings.models import ActionItem, ActionStatus, CaseReview, Meeting, MeetingKind, MeetingStatus
from tests.factories import region
from tests.meetings.factories import ActionItemFactory, CaseReviewFactory, MeetingFactory


def today() -> date:
    return timezone.localdate()


def months_ago(n: int) -> date:
    """The first day of the month `n` months before this one (a discharge month)."""
    return add_months(today().replace(day=1), -n)


@dataclass
class DueData:
    own_meeting: Meeting
    own_overdue: ActionItem
    own_soon: ActionItem
    own_later: ActionItem
    own_done: ActionItem
    own_undated: ActionItem
    own_case: CaseReview
    other_meeting: Meeting
    other_overdue: ActionItem
    other_case: CaseReview
    official_meeting: Meeting
    official_soon: ActionItem
    coming_meeting: Meeting


def build(official) -> DueData:
    day = today()
    own, other = region("3501"), region("3508")
    own_meeting = MeetingFactory(region=own, date=day - timedelta(days=40), title="岩国の圏域連絡調整会議")
    other_meeting = MeetingFactory(region=other, date=day - timedelta(days=40), title="萩の圏域連絡調整会議")
    official_meeting = MeetingFactory(
        region=other, date=day - timedelta(days=20), title="県が登録した萩の会議", created_by=official
    )

    def item(meeting, description, due, **extra):
        return ActionItemFactory(meeting=meeting, description=description, due_date=due, **extra)

    def case(meeting, summary):
        return CaseReviewFactory(
            meeting=meeting,
            region=meeting.region,
            status="discharged",
            discharge_month=months_ago(4),  # the 3-month follow-up fell due last month: overdue
            summary=summary,
        )

    return DueData(
        own_meeting=own_meeting,
        own_overdue=item(own_meeting, "岩国の期限超過の対応", day - timedelta(days=3)),
        own_soon=item(own_meeting, "岩国の3日後期限の対応", day + timedelta(days=3)),
        own_later=item(own_meeting, "岩国の30日後期限の対応", day + timedelta(days=30)),
        own_done=item(
            own_meeting,
            "岩国の完了した対応",
            day - timedelta(days=3),
            status=ActionStatus.DONE,
            completed_on=day - timedelta(days=1),
        ),
        own_undated=item(own_meeting, "岩国の期限なしの対応", None),
        own_case=case(own_meeting, "岩国の事例の詳しい経過"),
        other_meeting=other_meeting,
        other_overdue=item(other_meeting, "萩の期限超過の対応", day - timedelta(days=5)),
        other_case=case(other_meeting, "萩の事例の詳しい経過"),
        official_meeting=official_meeting,
        official_soon=item(official_meeting, "県が登録した会議の明日期限の対応", day + timedelta(days=1)),
        coming_meeting=MeetingFactory(
            region=own,
            date=day + timedelta(days=2),
            status=MeetingStatus.PLANNED,
            kind=MeetingKind.REGIONAL_COORDINATION,
            title="岩国の次回の会議",
        ),
    )
