"""中止 (#16 item 4): a planned meeting called off. Shown as 中止 on the list and the page, chosen in the
form (not on a meeting with case reviews), never counted as held, never "the next planned meeting",
its agenda never frozen, off the region sheet and the PDCA chains."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from core.models import ChangeRecord
from dashboard.activity import peer_share, region_activity
from indicators.models import Indicator
from meetings import agenda, services
from meetings.models import AgendaItem, Meeting, MeetingKind, MeetingStatus
from pdca.chains import region_page, side_by_side
from regions.models import Prefecture
from sheets.regional import region_sheet_for
from tests.factories import region
from tests.meetings.factories import (
    AgendaItemFactory,
    CaseReviewFactory,
    MeetingFactory,
    ParticipationFactory,
    meeting_form_data,
    region_value,
)
from tests.pdca.factories import discuss, scenario

CANCELLED = MeetingStatus.CANCELLED


def _soon(days=20, **kwargs) -> Meeting:
    return MeetingFactory(date=timezone.localdate() + timedelta(days=days), **kwargs)


# --- the pages -------------------------------------------------------------------------------------


def test_the_list_shows_it_as_中止_and_filters_by_it(client_for, viewer):
    called_off = MeetingFactory(title="中止になった会議", status=CANCELLED)
    MeetingFactory(title="開催した会議")
    client = client_for(viewer)

    page = client.get("/meetings/").content.decode()
    assert '<span class="badge text-bg-dark" data-testid="meeting-status">中止</span>' in page
    assert page.count('data-testid="meeting-status">開催済<') == 1

    response = client.get("/meetings/", {"status": "cancelled"})
    assert [m.pk for m in response.context["meetings"]] == [called_off.pk]
    assert '<option value="cancelled" selected>中止</option>' in response.content.decode()


def test_the_meeting_page_says_it_will_not_take_place(client_for, viewer):
    meeting = MeetingFactory(status=CANCELLED)
    page = client_for(viewer).get(f"/meetings/{meeting.pk}/").content.decode()
    assert 'data-testid="meeting-status">中止</span>' in page
    assert "この会議は開催されません（開催回数には数えません）。" in page


def test_a_planned_meeting_is_called_off_in_the_form_and_the_history_says_so(client_for, iwakuni_staff):
    meeting = _soon(status=MeetingStatus.PLANNED)
    client = client_for(iwakuni_staff)
    form = client.get(f"/meetings/{meeting.pk}/edit/").context["editor"].form
    assert dict(form.fields["status"].choices)["cancelled"] == "中止"

    response = client.post(
        f"/meetings/{meeting.pk}/edit/", meeting_form_data(meeting=meeting, status="cancelled")
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == CANCELLED and meeting.is_cancelled
    record = ChangeRecord.objects.for_object(meeting).newest_first().first()
    assert record.changes["status"] == {"label": "状況", "old": "予定", "new": "中止"}


def test_a_meeting_recorded_as_held_by_mistake_can_be_set_to_中止(iwakuni_staff):
    """A held meeting may be corrected to 中止 (it was entered as held, but was called off)."""
    meeting = MeetingFactory()
    fields = {**_service_fields(meeting), "status": CANCELLED}
    services.meeting_update(
        by=iwakuni_staff, meeting_id=meeting.pk, expected_version=meeting.version, fields=fields
    )
    meeting.refresh_from_db()
    assert meeting.status == CANCELLED


def test_a_meeting_with_case_reviews_cannot_be_called_off(client_for, iwakuni_staff):
    case = CaseReviewFactory()
    meeting = case.meeting
    version = meeting.version

    response = client_for(iwakuni_staff).post(
        f"/meetings/{meeting.pk}/edit/", meeting_form_data(meeting=meeting, status="cancelled")
    )

    assert response.status_code == 200
    assert "事例が登録された会議は「中止」にできません（中止にするなら、先に事例を削除してください）。" in (
        response.content.decode()
    )
    meeting.refresh_from_db()
    assert (meeting.status, meeting.version) == (MeetingStatus.HELD, version)


def _service_fields(meeting: Meeting) -> dict:
    return {
        "kind": meeting.kind,
        "title": meeting.title,
        "date": meeting.date,
        "start_time": meeting.start_time,
        "end_time": meeting.end_time,
        "place": meeting.place,
        "region": meeting.region,
        "organiser_centre": meeting.organiser_centre,
        "organiser_division": meeting.organiser_division,
        "minutes": meeting.minutes,
        "decisions": meeting.decisions,
        "status": meeting.status,
    }


# --- not held, not planned --------------------------------------------------------------------------


def test_a_called_off_meeting_is_never_the_next_planned_one(reference_data):
    iwakuni = region("3501")
    _soon(days=5, status=CANCELLED)
    later = _soon(days=30, status=MeetingStatus.PLANNED)
    assert agenda.next_planned_meeting(iwakuni, today=timezone.localdate()) == later
    later.status = CANCELLED
    later.save()
    assert agenda.next_planned_meeting(iwakuni, today=timezone.localdate()) is None


def test_a_proposal_waits_rather_than_go_on_a_called_off_meeting(client_for, iwakuni_staff, sheet):
    region_value("discharge_rate_3m", region("3501"), Decimal("40.0"))
    called_off = _soon(status=CANCELLED, agenda="")
    response = client_for(iwakuni_staff).post(
        "/meetings/proposals/new/",
        {
            "indicator": Indicator.objects.get(code="discharge_rate_3m").pk,
            "region": region("3501").pk,
            "next": "/indicators/",
        },
    )
    assert response.status_code == 302
    item = AgendaItem.objects.get(indicator__code="discharge_rate_3m")
    assert item.meeting is None  # waiting on the region's list
    assert not called_off.agenda_items.exists()


def test_an_item_on_a_called_off_meeting_is_neither_planned_nor_discussed(official):
    world = scenario(official)
    discuss(world.a, world.other, world.today + timedelta(days=20), status=CANCELLED, title="中止 萩")
    discuss(world.a, world.other, world.today - timedelta(days=20), status=CANCELLED, title="中止 萩 2")

    rows = agenda.not_met_by_region([world.other], today=world.today, since_fiscal_year=world.fy - 1)
    row = {r.indicator.code: r for r in rows[world.other.pk]}["pdca_a"]
    assert (row.planned, row.discussed, row.on_agenda) == (None, None, False)
    assert row.agenda_label == "議題になっていない"

    page = region_page(world.other, today=world.today)
    assert "pdca_a" not in [c.indicator.code for c in page.chains]
    assert "pdca_a" in [c.indicator.code for c in page.undiscussed]
    assert "pdca_a" in [r.indicator.code for r in page.not_on_agenda]
    hagi = next(r for r in side_by_side(today=world.today).rows if r.region == world.other)
    assert (hagi.discussed, hagi.not_on_agenda) == (0, 1)


def test_calling_a_held_meeting_off_unfreezes_its_items(official, sheet):
    iwakuni = region("3501")
    region_value("discharge_rate_3m", iwakuni, Decimal("40.0"), fiscal_year=2021)
    meeting = MeetingFactory(agenda="", date=date(2022, 10, 5))
    AgendaItemFactory(meeting=meeting, indicator=Indicator.objects.get(code="discharge_rate_3m"))
    agenda.sync_snapshots(meeting)
    assert meeting.agenda_items.get().is_frozen

    fields = {**_service_fields(meeting), "status": CANCELLED}
    services.meeting_update(
        by=official, meeting_id=meeting.pk, expected_version=meeting.version, fields=fields
    )

    assert not meeting.agenda_items.get().is_frozen


# --- counts -----------------------------------------------------------------------------------------


def test_called_off_meetings_are_not_counted_as_held(reference_data):
    iwakuni = region("3501")
    for status in (MeetingStatus.HELD, CANCELLED, CANCELLED):
        meeting = MeetingFactory(date=date(2022, 6, 1), status=status)
        ParticipationFactory(meeting=meeting, category="peer", count=1)
    MeetingFactory(date=date(2022, 7, 1), status=CANCELLED, kind=MeetingKind.CASE_REVIEW)
    pref = Prefecture.objects.get(code="350001")

    activity = region_activity(
        prefecture=pref, regions=[iwakuni], fiscal_year=2022, region=iwakuni, today=None
    )
    row = activity.rows[0]
    assert (row.regional_meetings, row.case_meetings, row.peer_held, row.peer_attended) == (1, 0, 1, 1)
    assert peer_share(fiscal_year=2022, region=iwakuni).held == 1


def test_the_region_sheet_leaves_called_off_meetings_out(sheet, viewer):
    iwakuni = region("3501")
    held = MeetingFactory(date=date(2022, 6, 1), title="開催した会議")
    planned = MeetingFactory(date=date(2023, 2, 1), title="予定の会議", status=MeetingStatus.PLANNED)
    MeetingFactory(date=date(2022, 9, 1), title="中止した会議", status=CANCELLED)

    rs = region_sheet_for(region=iwakuni, fiscal_year=2022, user=viewer, today=date(2022, 11, 1))

    assert [m.pk for m in rs.meetings] == [held.pk, planned.pk]


def test_the_staff_home_page_lists_the_next_planned_meeting_not_a_called_off_one(client_for, iwakuni_staff):
    _soon(days=3, status=CANCELLED, title="中止の会議")
    nxt = _soon(days=10, status=MeetingStatus.PLANNED, title="次の会議")
    response = client_for(iwakuni_staff).get("/")
    page = response.content.decode()
    assert nxt.title in page
    assert "中止の会議" not in page
