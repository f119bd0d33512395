"""iCalendar (RFC 5545) built with the `icalendar` library: a user's feed and one meeting's event.

What a feed holds is the user's own (reminders.due's scopes): their meetings from a year ago onward —
中止 and deleted ones (deleted within that year) as `STATUS:CANCELLED`, so that a subscribed calendar
drops them —, the due dates of their open action items, and the case follow-ups that fall due (by case
number only). Never a participant, a user name, nor anything of a case but its number.

Times are Asia/Tokyo with its VTIMEZONE; a meeting without a start time is an all-day event. UIDs are
stable across edits (`meeting-<pk>@<host>`, `action-<pk>@<host>`, `followup-<case>-<months>@<host>`),
SEQUENCE is the meeting's version (an action item is versioned with its meeting).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from accounts import roles
from core.fiscal import wareki_date
from meetings.followups import FollowUpDue, follow_ups_due
from meetings.models import ActionItem, Meeting, MeetingStatus
from regions.models import Region
from reminders.due import action_scope, case_scope, meeting_scope

TZID = "Asia/Tokyo"
TOKYO = ZoneInfo(TZID)
PRODID = "-//Yamaguchi Prefecture//地域移行ポータル//JA"
CALENDAR_NAME = "地域移行ポータル"
FEED_PAST_DAYS = 365  # meetings (and deletions) of the past year; the future without limit
FOLLOW_UP_FEED_DAYS = 90  # follow-ups falling due within 90 days (and the overdue ones)
REFRESH = timedelta(hours=1)  # how often a subscribed calendar is asked to fetch again
FALLBACK_HOST = "yamaguchi-portal.invalid"

# Turns a path ("/meetings/3/") into the absolute URL a calendar links to.
UrlFor = Callable[[str], str]


# --- where the portal lives ----------------------------------------------------------------------


def uid_host() -> str:
    """The host part of every UID: SITE_URL's host, else the first concrete ALLOWED_HOSTS entry. It
    never comes from the request (a UID must not change with the Host header a client sent)."""
    site = getattr(settings, "SITE_URL", "") or ""
    host = urlsplit(site).hostname if site else None
    if host:
        return host
    for entry in settings.ALLOWED_HOSTS:
        entry = entry.lstrip(".")
        if entry and "*" not in entry:
            return entry
    return FALLBACK_HOST


def url_builder(request=None) -> UrlFor:
    """Absolute URLs on SITE_URL when it is set, else on the request's own address."""
    site = (getattr(settings, "SITE_URL", "") or "").rstrip("/")
    if site:
        return lambda path: site + path
    if request is not None:
        return request.build_absolute_uri
    return lambda path: f"https://{uid_host()}{path}"


def _uid(kind: str, key: str) -> str:
    return f"{kind}-{key}@{uid_host()}"


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


# --- the calendar --------------------------------------------------------------------------------


def new_calendar(name: str | None = None) -> icalendar.Calendar:
    """An empty calendar with the VTIMEZONE of Asia/Tokyo; `name` makes it a feed (a subscribed
    calendar's name and refresh interval); without it, a file to import into an existing calendar."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", TZID)
        calendar.add("x-wr-caldesc", "会議の予定、対応事項の期限、追跡調査の時期（事例の詳細は含みません）")
        calendar.add("refresh-interval", icalendar.vDuration(REFRESH), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", icalendar.vDuration(REFRESH))
    timezone = icalendar.Timezone.from_tzid(TZID)
    timezone.pop("COMMENT", None)
    calendar.add_component(timezone)
    return calendar


def _all_day(event: icalendar.Event, day: date) -> None:
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))


def _description(*lines: str) -> str:
    return "\n".join(line for line in lines if line)


def meeting_status(meeting: Meeting) -> str:
    """CANCELLED for a 中止 or deleted meeting; a planned one is as CONFIRMED as a held one (予定 means
    scheduled: the portal has no "perhaps" meeting)."""
    if meeting.is_deleted or meeting.status == MeetingStatus.CANCELLED:
        return "CANCELLED"
    return "CONFIRMED"


def meeting_event(meeting: Meeting, *, url_for: UrlFor) -> icalendar.Event:
    """One meeting. Reads meeting.region and meeting.organiser_centre (select_related them)."""
    event = icalendar.Event()
    event.add("uid", _uid("meeting", str(meeting.pk)))
    status = meeting_status(meeting)
    prefix = "【削除】" if meeting.is_deleted else "【中止】" if status == "CANCELLED" else ""
    event.add("summary", f"{prefix}{meeting.title}")
    if meeting.start_time is not None:
        event.add("dtstart", datetime.combine(meeting.date, meeting.start_time, tzinfo=TOKYO))
        if meeting.end_time is not None:
            event.add("dtend", datetime.combine(meeting.date, meeting.end_time, tzinfo=TOKYO))
    else:
        _all_day(event, meeting.date)
    if meeting.place:
        event.add("location", meeting.place)
    event.add("status", status)
    event.add("transp", "TRANSPARENT" if status == "CANCELLED" else "OPAQUE")
    event.add("sequence", meeting.version)
    event.add("dtstamp", _utc(meeting.updated_at))
    event.add("created", _utc(meeting.created_at))
    event.add("last-modified", _utc(meeting.updated_at))
    event.add("categories", [meeting.get_kind_display()])
    link = "" if meeting.is_deleted else url_for(reverse("meetings:detail", args=[meeting.pk]))
    if link:
        event.add("url", link)
    note = (
        "この会議はポータルから削除されました。"
        if meeting.is_deleted
        else "この会議は中止になりました。"
        if meeting.status == MeetingStatus.CANCELLED
        else ""
    )
    event.add(
        "description",
        _description(
            note,
            f"種別：{meeting.get_kind_display()}",
            f"圏域：{meeting.region_label}",
            f"主催：{meeting.organiser_label}",
            f"状況：{meeting.get_status_display()}",
            link,
        ),
    )
    return event


def action_event(action: ActionItem, *, url_for: UrlFor) -> icalendar.Event:
    """An open action item's due date, all day. Reads action.meeting (select_related it)."""
    meeting = action.meeting
    event = icalendar.Event()
    event.add("uid", _uid("action", str(action.pk)))
    event.add("summary", f"期限：{action.description}（{action.responsible}）")
    _all_day(event, action.due_date)
    event.add("status", "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    event.add("sequence", meeting.version)
    event.add("dtstamp", _utc(meeting.updated_at))
    event.add("last-modified", _utc(meeting.updated_at))
    event.add("categories", ["対応事項"])
    link = url_for(reverse("meetings:action_detail", args=[action.pk]))
    event.add("url", link)
    event.add(
        "description",
        _description(
            f"担当機関：{action.responsible}",
            f"状況：{action.get_status_display()}",
            f"会議：{meeting.title}（{wareki_date(meeting.date)}）",
            link,
        ),
    )
    return event


def follow_up_event(due: FollowUpDue, *, url_for: UrlFor, stamp: datetime) -> icalendar.Event:
    """A case follow-up falling due, all day: the case by its number, nothing else of it."""
    event = icalendar.Event()
    event.add("uid", _uid("followup", f"{due.case_id}-{due.months}"))
    event.add("summary", f"追跡調査（{due.label}） {due.display_number}")
    _all_day(event, due.due)
    event.add("status", "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    event.add("sequence", 0)
    event.add("dtstamp", _utc(stamp))
    event.add("categories", ["追跡調査"])
    link = url_for(reverse("meetings:case_detail", args=[due.case_id]))
    event.add("url", link)
    event.add(
        "description",
        _description(f"事例 {due.display_number} の追跡調査（{due.label}）を記録します。", link),
    )
    return event


# --- a user's feed -------------------------------------------------------------------------------


@dataclass
class FeedContent:
    meetings: list[Meeting] = field(default_factory=list)
    actions: list[ActionItem] = field(default_factory=list)
    follow_ups: list[FollowUpDue] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.meetings) + len(self.actions) + len(self.follow_ups)


def feed_content(user, *, now: datetime) -> FeedContent:
    """The user's meetings, open action items' due dates and follow-ups (a fixed number of queries)."""
    today = now.astimezone(TOKYO).date()
    since = today - timedelta(days=FEED_PAST_DAYS)
    meetings = list(
        meeting_scope(user, with_deleted=True)
        .filter(date__gte=since)
        .filter(Q(deleted_at__isnull=True) | Q(deleted_at__gte=now - timedelta(days=FEED_PAST_DAYS)))
        .select_related("region", "organiser_centre")
        .order_by("date", "start_time", "pk")
    )
    actions = list(
        action_scope(user)
        .filter(due_date__isnull=False, due_date__gte=since)
        .select_related("meeting")
        .order_by("due_date", "pk")
    )
    follow_ups = follow_ups_due(case_scope(user), today=today, horizon_days=FOLLOW_UP_FEED_DAYS)
    return FeedContent(meetings=meetings, actions=actions, follow_ups=follow_ups)


def calendar_name(user) -> str:
    """「地域移行ポータル（岩国圏域）」 for a health centre's staff, （山口県） for an official."""
    if roles.is_prefecture(user):
        return f"{CALENDAR_NAME}（山口県）"
    region_ids = roles.editable_region_ids(user) if roles.is_health_centre_staff(user) else None
    if region_ids:
        regions = Region.objects.filter(pk__in=region_ids).order_by("display_order", "code")
        return f"{CALENDAR_NAME}（{'・'.join(r.full_name for r in regions)}）"
    return CALENDAR_NAME


def feed_calendar(user, *, content: FeedContent, url_for: UrlFor, now: datetime) -> icalendar.Calendar:
    calendar = new_calendar(calendar_name(user))
    for meeting in content.meetings:
        calendar.add_component(meeting_event(meeting, url_for=url_for))
    for action in content.actions:
        calendar.add_component(action_event(action, url_for=url_for))
    for due in content.follow_ups:
        calendar.add_component(follow_up_event(due, url_for=url_for, stamp=now))
    return calendar


def meeting_calendar(meeting: Meeting, *, url_for: UrlFor) -> icalendar.Calendar:
    """The single-event download of a meeting page."""
    calendar = new_calendar()
    calendar.add_component(meeting_event(meeting, url_for=url_for))
    return calendar
