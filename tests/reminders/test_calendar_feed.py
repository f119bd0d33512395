"""The calendar feed (#16 item 4): `/reminders/calendar/<token>.ics`, parsed back with `icalendar` and
checked field by field; what it leaves out (another region, case detail, names); revoked and unknown
tokens; the audit row of every fetch; and a meeting's single-event download."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.fiscal import add_months
from core.models import AuditEvent
from meetings.models import ActionStatus, MeetingKind, MeetingStatus
from reminders import feeds
from reminders.models import ActionFollow, CalendarFeed
from tests.factories import region
from tests.meetings.factories import (
    ActionItemFactory,
    CaseFollowUpFactory,
    CaseReviewFactory,
    MeetingFactory,
    meeting_form_data,
)

TOKYO = ZoneInfo("Asia/Tokyo")
SITE = "https://portal.example.jp"
HOST = "portal.example.jp"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def today():
    return timezone.localdate()


def fetch(token: str):
    """As a calendar app: no session, no cookie."""
    return Client().get(f"/reminders/calendar/{token}.ics")


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200, response.status_code
    return icalendar.Calendar.from_ical(response.content)


def events(calendar) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def token_for(user) -> str:
    return feeds.feed_issue(by=user).token


@pytest.fixture
def iwakuni(iwakuni_staff, hagi_staff, official, today):
    """岩国's meetings of every kind of status, an open and a done action item, a case with follow-ups
    falling due; 萩's meeting and action item; and things out of the feed's window."""
    iwakuni_staff.first_name, iwakuni_staff.last_name = "太郎", "岩国"
    iwakuni_staff.save()
    own = region("3501")
    soon = today + timedelta(days=14)
    planned = MeetingFactory(
        title="岩国圏域連絡調整会議 第3回",
        date=soon,
        start_time=time(14, 0),
        end_time=time(16, 30),
        place="岩国健康福祉センター 2階会議室",
        status=MeetingStatus.PLANNED,
        created_by=iwakuni_staff,
    )
    all_day = MeetingFactory(
        title="協議の場（岩国市）",
        date=soon + timedelta(days=7),
        kind=MeetingKind.VENUE_MUNICIPALITY,
        place="",
    )
    held = MeetingFactory(title="先月の会議", date=today - timedelta(days=30), start_time=time(10, 0))
    cancelled = MeetingFactory(
        title="取りやめた会議",
        date=today + timedelta(days=3),
        start_time=time(9, 30),
        status=MeetingStatus.CANCELLED,
    )
    deleted = MeetingFactory(
        title="削除した会議",
        date=today + timedelta(days=5),
        status=MeetingStatus.PLANNED,
        deleted_at=timezone.now(),
        deleted_by=official,
    )
    old = MeetingFactory(title="二年前の会議", date=today - timedelta(days=800))
    long_deleted = MeetingFactory(
        title="昔に削除した会議",
        date=today + timedelta(days=2),
        deleted_at=timezone.now() - timedelta(days=400),
    )
    action = ActionItemFactory(
        meeting=held,
        description="グループホームの空き状況を確認する",
        responsible="相談支援事業所",
        due_date=today + timedelta(days=10),
    )
    done = ActionItemFactory(
        meeting=held, status=ActionStatus.DONE, completed_on=today, due_date=today + timedelta(days=11)
    )
    no_due = ActionItemFactory(meeting=held, due_date=None)
    discharged = add_months(today.replace(day=1), -5)  # 3 months: past; 6 months: soon; 12: later
    case = CaseReviewFactory(
        meeting__region=own,
        meeting__date=today - timedelta(days=200),
        status="discharged",
        discharge_month=discharged,
        summary="本人は兄と同居を希望している",
    )
    recorded = CaseReviewFactory(
        meeting=case.meeting, status="discharged", discharge_month=discharged, summary="別の事例"
    )
    CaseFollowUpFactory(case=recorded, months=3)
    CaseFollowUpFactory(case=recorded, months=6)
    other = region("3508")
    hagi_meeting = MeetingFactory(
        title="萩圏域の会議", region=other, organiser_centre=other.health_centres.first(), date=soon
    )
    hagi_action = ActionItemFactory(meeting=hagi_meeting, due_date=soon)
    return {
        "planned": planned,
        "all_day": all_day,
        "held": held,
        "cancelled": cancelled,
        "deleted": deleted,
        "old": old,
        "long_deleted": long_deleted,
        "action": action,
        "done": done,
        "no_due": no_due,
        "case": case,
        "recorded": recorded,
        "discharged": discharged,
        "hagi_meeting": hagi_meeting,
        "hagi_action": hagi_action,
    }


def uid(kind: str, key) -> str:
    return f"{kind}-{key}@{HOST}"


# --- the calendar, field by field -------------------------------------------------------------------


def test_the_calendar_and_its_time_zone(iwakuni_staff, iwakuni):
    response = fetch(token_for(iwakuni_staff))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control and "public" not in cache_control
    assert not response["Content-Disposition"].startswith("attachment")
    calendar = parse(response)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == "-//Yamaguchi Prefecture//地域移行ポータル//JA"
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert calendar["X-WR-CALNAME"] == "地域移行ポータル（岩国圏域）"
    assert calendar["X-WR-TIMEZONE"] == "Asia/Tokyo"
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in response.content
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in response.content
    (tz,) = calendar.walk("VTIMEZONE")
    assert tz["TZID"] == "Asia/Tokyo"
    (standard,) = tz.walk("STANDARD")
    assert standard["TZNAME"] == "JST"
    assert standard["TZOFFSETTO"].td == timedelta(hours=9)
    # the time zone comes before the events that refer to it
    assert response.content.index(b"BEGIN:VTIMEZONE") < response.content.index(b"BEGIN:VEVENT")


def test_a_planned_meeting_with_its_times(iwakuni_staff, iwakuni):
    meeting = iwakuni["planned"]
    event = events(parse(fetch(token_for(iwakuni_staff))))[uid("meeting", meeting.pk)]

    assert event["SUMMARY"] == "岩国圏域連絡調整会議 第3回"
    assert event["DTSTART"].dt == datetime.combine(meeting.date, time(14, 0), tzinfo=TOKYO)
    assert event["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert event["DTEND"].dt == datetime.combine(meeting.date, time(16, 30), tzinfo=TOKYO)
    assert event["DTEND"].params["TZID"] == "Asia/Tokyo"
    assert event["LOCATION"] == "岩国健康福祉センター 2階会議室"
    assert event["STATUS"] == "CONFIRMED"
    assert event["TRANSP"] == "OPAQUE"
    assert event["SEQUENCE"] == meeting.version
    assert event["URL"] == f"{SITE}/meetings/{meeting.pk}/"
    assert event["DTSTAMP"].dt == meeting.updated_at.replace(microsecond=0)
    assert event["LAST-MODIFIED"].dt == meeting.updated_at.replace(microsecond=0)
    assert event["CREATED"].dt == meeting.created_at.replace(microsecond=0)
    assert event["DESCRIPTION"] == "\n".join(
        [
            "種別：圏域連絡調整会議",
            "圏域：岩国圏域",
            "主催：岩国健康福祉センター",
            "状況：予定",
            f"{SITE}/meetings/{meeting.pk}/",
        ]
    )


def test_a_meeting_without_a_start_time_is_all_day_and_a_held_one_is_confirmed(iwakuni_staff, iwakuni):
    found = events(parse(fetch(token_for(iwakuni_staff))))
    all_day = found[uid("meeting", iwakuni["all_day"].pk)]
    day = iwakuni["all_day"].date
    assert all_day["DTSTART"].dt == day and not isinstance(all_day["DTSTART"].dt, datetime)
    assert all_day["DTSTART"].params["VALUE"] == "DATE"
    assert all_day["DTEND"].dt == day + timedelta(days=1)
    assert "LOCATION" not in all_day
    held = found[uid("meeting", iwakuni["held"].pk)]
    assert held["STATUS"] == "CONFIRMED"
    assert held["DTSTART"].dt == datetime.combine(iwakuni["held"].date, time(10, 0), tzinfo=TOKYO)
    assert "DTEND" not in held  # no end time recorded: none invented


def test_called_off_and_deleted_meetings_are_cancelled(iwakuni_staff, iwakuni):
    found = events(parse(fetch(token_for(iwakuni_staff))))
    cancelled = found[uid("meeting", iwakuni["cancelled"].pk)]
    assert cancelled["STATUS"] == "CANCELLED"
    assert cancelled["SUMMARY"] == "【中止】取りやめた会議"
    assert cancelled["TRANSP"] == "TRANSPARENT"
    assert cancelled["URL"] == f"{SITE}/meetings/{iwakuni['cancelled'].pk}/"
    assert cancelled["DESCRIPTION"].startswith("この会議は中止になりました。")

    deleted = found[uid("meeting", iwakuni["deleted"].pk)]
    assert deleted["STATUS"] == "CANCELLED"
    assert deleted["SUMMARY"] == "【削除】削除した会議"
    assert "URL" not in deleted  # staff can no longer open it
    assert deleted["DESCRIPTION"].startswith("この会議はポータルから削除されました。")


def test_the_window_a_year_back(iwakuni_staff, iwakuni):
    found = events(parse(fetch(token_for(iwakuni_staff))))
    assert uid("meeting", iwakuni["old"].pk) not in found  # over a year ago
    assert uid("meeting", iwakuni["long_deleted"].pk) not in found  # deleted over a year ago


def test_the_due_dates_of_open_action_items(iwakuni_staff, iwakuni):
    found = events(parse(fetch(token_for(iwakuni_staff))))
    action = iwakuni["action"]
    event = found[uid("action", action.pk)]
    assert event["SUMMARY"] == "期限：グループホームの空き状況を確認する（相談支援事業所）"
    assert event["DTSTART"].dt == action.due_date and event["DTSTART"].params["VALUE"] == "DATE"
    assert event["DTEND"].dt == action.due_date + timedelta(days=1)
    assert event["STATUS"] == "CONFIRMED"
    assert event["TRANSP"] == "TRANSPARENT"
    assert event["SEQUENCE"] == action.meeting.version
    assert event["URL"] == f"{SITE}/meetings/actions/{action.pk}/"
    assert uid("action", iwakuni["done"].pk) not in found
    assert uid("action", iwakuni["no_due"].pk) not in found


def test_the_follow_ups_falling_due_by_case_number_only(iwakuni_staff, iwakuni, today):
    found = events(parse(fetch(token_for(iwakuni_staff))))
    case, discharged = iwakuni["case"], iwakuni["discharged"]
    six = found[uid("followup", f"{case.pk}-6")]
    assert six["SUMMARY"] == f"追跡調査（退院後6か月） {case.display_number}"
    assert six["DTSTART"].dt == add_months(discharged, 6)
    assert six["DTEND"].dt == add_months(discharged, 6) + timedelta(days=1)
    assert six["URL"] == f"{SITE}/meetings/cases/{case.pk}/"
    assert six["DESCRIPTION"] == (
        f"事例 {case.display_number} の追跡調査（退院後6か月）を記録します。\n{SITE}/meetings/cases/{case.pk}/"
    )
    assert uid("followup", f"{case.pk}-3") in found  # overdue: still to record
    assert uid("followup", f"{case.pk}-12") not in found  # more than 90 days ahead
    assert not any(key.startswith(f"followup-{iwakuni['recorded'].pk}-") for key in found)  # recorded


def test_no_case_detail_no_names_no_usernames_in_the_bytes(iwakuni_staff, official, iwakuni):
    body = fetch(token_for(iwakuni_staff)).content.decode()
    case = iwakuni["case"]
    for secret in (
        case.summary,
        iwakuni["recorded"].summary,
        case.get_age_band_display(),
        case.get_stay_band_display(),
        case.get_diagnosis_group_display(),
        "グループホーム見学",
        iwakuni_staff.username,
        official.username,
        "太郎",  # the staff's given name (the family name 岩国 is also the region's)
    ):
        assert secret not in body, secret


def test_another_regions_meetings_and_actions_are_absent(iwakuni_staff, hagi_staff, iwakuni):
    own = events(parse(fetch(token_for(iwakuni_staff))))
    assert uid("meeting", iwakuni["hagi_meeting"].pk) not in own
    assert uid("action", iwakuni["hagi_action"].pk) not in own
    assert uid("followup", f"{iwakuni['case'].pk}-6") in own

    hagi = parse(fetch(token_for(hagi_staff)))
    assert hagi["X-WR-CALNAME"] == "地域移行ポータル（萩圏域）"
    assert set(events(hagi)) == {
        uid("meeting", iwakuni["hagi_meeting"].pk),
        uid("action", iwakuni["hagi_action"].pk),
    }


def test_an_officials_feed_holds_the_meetings_they_created_and_the_items_they_follow(official, iwakuni):
    created = MeetingFactory(
        title="県地域生活移行推進会議",
        region=None,
        organiser_centre=None,
        organiser_division="disability_support",
        date=timezone.localdate() + timedelta(days=20),
        created_by=official,
    )
    ActionFollow.objects.create(user=official, action=iwakuni["action"])

    calendar = parse(fetch(token_for(official)))

    assert calendar["X-WR-CALNAME"] == "地域移行ポータル（山口県）"
    assert set(events(calendar)) == {uid("meeting", created.pk), uid("action", iwakuni["action"].pk)}
    assert events(calendar)[uid("meeting", created.pk)]["DESCRIPTION"].splitlines()[1] == "圏域：県全域"


def test_a_viewers_feed_is_empty(viewer, iwakuni):
    calendar = parse(fetch(token_for(viewer)))
    assert calendar["X-WR-CALNAME"] == "地域移行ポータル"
    assert events(calendar) == {}
    assert len(calendar.walk("VTIMEZONE")) == 1


def test_uids_stay_and_the_sequence_grows_when_a_meeting_is_edited(client_for, iwakuni_staff, iwakuni):
    token = token_for(iwakuni_staff)
    meeting = iwakuni["planned"]
    before = events(parse(fetch(token)))[uid("meeting", meeting.pk)]

    response = client_for(iwakuni_staff).post(
        f"/meetings/{meeting.pk}/edit/",
        meeting_form_data(
            meeting=meeting, title="岩国圏域連絡調整会議 第3回（会場変更）", place="岩国市役所"
        ),
    )
    assert response.status_code == 302

    after = events(parse(fetch(token)))[uid("meeting", meeting.pk)]
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert after["SUMMARY"] == "岩国圏域連絡調整会議 第3回（会場変更）"
    assert after["LOCATION"] == "岩国市役所"
    assert after["LAST-MODIFIED"].dt >= before["LAST-MODIFIED"].dt

    meeting.refresh_from_db()
    response = client_for(iwakuni_staff).post(
        f"/meetings/{meeting.pk}/edit/", meeting_form_data(meeting=meeting, status="cancelled")
    )
    assert response.status_code == 302
    cancelled = events(parse(fetch(token)))[uid("meeting", meeting.pk)]
    assert (cancelled["STATUS"], cancelled["SEQUENCE"]) == ("CANCELLED", before["SEQUENCE"] + 2)


def test_a_deleted_meeting_keeps_its_uid_and_is_cancelled(client_for, iwakuni_staff, iwakuni):
    token = token_for(iwakuni_staff)
    meeting, action = iwakuni["held"], iwakuni["action"]
    found = events(parse(fetch(token)))
    before = found[uid("meeting", meeting.pk)]
    assert uid("action", action.pk) in found

    assert (
        client_for(iwakuni_staff).post(f"/meetings/{meeting.pk}/delete/", {"confirmed": "yes"}).status_code
        == 302
    )

    found = events(parse(fetch(token)))
    after = found[uid("meeting", meeting.pk)]
    assert after["STATUS"] == "CANCELLED" and after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert uid("action", action.pk) not in found  # a deleted meeting's action items are not due


def test_the_uid_host_falls_back_to_allowed_hosts(settings, iwakuni_staff, iwakuni):
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["*", ".pref.yamaguchi.example", "testserver"]
    found = events(parse(fetch(token_for(iwakuni_staff))))
    meeting = iwakuni["planned"]
    event = found[f"meeting-{meeting.pk}@pref.yamaguchi.example"]
    assert event["URL"] == f"http://testserver/meetings/{meeting.pk}/"  # links: the request's address


def test_the_feeds_queries_do_not_grow_with_its_events(iwakuni_staff, iwakuni, today):
    token = token_for(iwakuni_staff)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert fetch(token).status_code == 200
        return len(queries)

    first = count()
    for n in range(5):
        meeting = MeetingFactory(date=today + timedelta(days=n + 1), start_time=time(13, 0))
        ActionItemFactory(meeting=meeting, due_date=today + timedelta(days=n + 2))
        CaseReviewFactory(
            meeting__date=today - timedelta(days=100),
            status="discharged",
            discharge_month=iwakuni["discharged"],
        )
    assert count() == first


# --- the token ------------------------------------------------------------------------------------


def test_unknown_and_revoked_tokens_answer_404_alike(iwakuni_staff, iwakuni):
    issued = feeds.feed_issue(by=iwakuni_staff)
    assert fetch(issued.token).status_code == 200
    feeds.feed_revoke(by=iwakuni_staff, feed=issued.feed)

    revoked, unknown = fetch(issued.token), fetch("x" * 43)
    assert revoked.status_code == unknown.status_code == 404
    assert revoked.content == unknown.content
    assert fetch(issued.token[:-1]).status_code == 404
    assert fetch(issued.feed.token_digest).status_code == 404  # the stored digest opens nothing


def test_reissue_gives_a_new_working_url_and_the_old_one_404(iwakuni_staff, iwakuni):
    old = feeds.feed_issue(by=iwakuni_staff)
    new = feeds.feed_reissue(by=iwakuni_staff, feed=old.feed)
    assert new.token != old.token
    assert fetch(old.token).status_code == 404
    assert uid("meeting", iwakuni["planned"].pk) in events(parse(fetch(new.token)))


def test_a_deactivated_users_feed_answers_404(iwakuni_staff, iwakuni):
    token = token_for(iwakuni_staff)
    iwakuni_staff.is_active = False
    iwakuni_staff.save()
    assert fetch(token).status_code == 404


def test_only_the_digest_is_stored(iwakuni_staff):
    issued = feeds.feed_issue(by=iwakuni_staff)
    stored = CalendarFeed.objects.get(pk=issued.feed.pk)
    assert len(issued.token) >= 43
    assert stored.token_digest == feeds.token_digest(issued.token) != issued.token
    assert len(stored.token_digest) == 64


# --- the audit trail ---------------------------------------------------------------------------------


def test_every_fetch_is_audited_as_its_owners_download(iwakuni_staff, iwakuni):
    issued = feeds.feed_issue(by=iwakuni_staff)
    assert issued.feed.last_fetched_at is None

    fetch(issued.token)
    fetch(issued.token)
    fetch("y" * 43)  # an unknown token: nobody's download

    rows = list(AuditEvent.objects.filter(kind=AuditEvent.Kind.DOWNLOAD).order_by("pk"))
    assert len(rows) == 2
    for row in rows:
        assert (row.user, row.username) == (iwakuni_staff, iwakuni_staff.username)
        assert row.object_id == str(issued.feed.pk)
        assert row.detail["what"] == "カレンダー配信"
        assert row.detail["filename"] == "yamaguchi-portal.ics"
        assert row.detail["events"] >= 5
        assert issued.token not in str(row.detail) and issued.token not in row.object_repr
        assert row.ip == "127.0.0.1"
    issued.feed.refresh_from_db()
    assert issued.feed.last_fetched_at is not None


# --- the single-event download -----------------------------------------------------------------------


def test_a_meeting_page_offers_its_single_event(client_for, hagi_staff, iwakuni):
    meeting = iwakuni["planned"]
    client = client_for(hagi_staff)  # another region's staff may view the meeting, so download it
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert f'href="/reminders/meetings/{meeting.pk}.ics"' in page and "カレンダーに追加（.ics）" in page

    response = client.get(f"/reminders/meetings/{meeting.pk}.ics")

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="meeting-{meeting.pk}.ics"'
    assert "no-store" in response["Cache-Control"]
    calendar = parse(response)
    assert "X-WR-CALNAME" not in calendar  # a file to import, not a calendar to subscribe to
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Asia/Tokyo"
    (event,) = calendar.walk("VEVENT")
    assert event["UID"] == uid("meeting", meeting.pk)
    assert event["DTSTART"].dt == datetime.combine(meeting.date, time(14, 0), tzinfo=TOKYO)
    assert event["STATUS"] == "CONFIRMED"
    row = AuditEvent.objects.get(kind=AuditEvent.Kind.DOWNLOAD)
    assert row.user == hagi_staff
    assert row.detail == {
        "what": f"/reminders/meetings/{meeting.pk}.ics",
        "filename": f"meeting-{meeting.pk}.ics",
    }


def test_a_called_off_or_deleted_meetings_download_is_cancelled(client_for, official, iwakuni_staff, iwakuni):
    cancelled = parse(client_for(iwakuni_staff).get(f"/reminders/meetings/{iwakuni['cancelled'].pk}.ics"))
    assert cancelled.walk("VEVENT")[0]["STATUS"] == "CANCELLED"

    deleted = iwakuni["deleted"]
    assert client_for(iwakuni_staff).get(f"/reminders/meetings/{deleted.pk}.ics").status_code == 404
    event = parse(client_for(official).get(f"/reminders/meetings/{deleted.pk}.ics")).walk("VEVENT")[0]
    assert (event["STATUS"], event["UID"]) == ("CANCELLED", uid("meeting", deleted.pk))


def test_the_download_needs_a_sign_in(client, iwakuni):
    response = client.get(f"/reminders/meetings/{iwakuni['planned'].pk}.ics")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.DOWNLOAD).exists()


def test_an_all_day_meetings_download(client_for, viewer, iwakuni):
    meeting = iwakuni["all_day"]
    (event,) = parse(client_for(viewer).get(f"/reminders/meetings/{meeting.pk}.ics")).walk("VEVENT")
    assert event["DTSTART"].dt == meeting.date
    assert event["DTEND"].dt == meeting.date + timedelta(days=1)
    assert isinstance(event["DTSTART"].dt, date) and not isinstance(event["DTSTART"].dt, datetime)
