"""Agenda items as records: the snapshot a held meeting keeps, the live standing of a planned one, the
carry-over of open actions, proposals from the dashboard, the history, and the agenda formset's checks."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.models import ChangeRecord
from indicators import values
from indicators.models import Indicator
from indicators.services import observation_record
from meetings import agenda, services
from meetings.models import AgendaItem, AgendaOrigin, Meeting, MeetingKind, MeetingStatus
from meetings.services import ChildChange
from regions.models import Prefecture, Region
from tests.meetings.factories import ActionItemFactory, AgendaItemFactory, MeetingFactory, meeting_form_data

pytestmark = pytest.mark.usefixtures("sheet")


@pytest.fixture
def rate():
    return Indicator.objects.get(code="discharge_rate_3m")


@pytest.fixture
def iwakuni():
    return Region.objects.get(code="3501")


def observe(by, indicator, region, period_text, value):
    return observation_record(
        by=by,
        indicator=indicator,
        prefecture=Prefecture.objects.get(code="350001"),
        region=region,
        period_text=period_text,
        value=Decimal(value),
    )


def agenda_row(title, position=1, indicator=None, notes=""):
    return ChildChange(
        pk=None, fields={"position": position, "title": title, "notes": notes, "indicator": indicator}
    )


def _fields(**overrides):
    return {
        "kind": MeetingKind.REGIONAL_COORDINATION,
        "title": "令和4年度 第2回 岩国圏域連絡調整会議",
        "date": date(2022, 10, 5),
        "start_time": None,
        "end_time": None,
        "place": "",
        "region": Region.objects.get(code="3501"),
        "organiser_centre": None,
        "organiser_division": "disability_support",
        "minutes": "",
        "decisions": "",
        "status": MeetingStatus.HELD,
        **overrides,
    }


def test_a_held_meeting_keeps_what_people_saw_after_newer_figures_arrive(official, rate, iwakuni):
    observe(official, rate, iwakuni, "R3年度", "48.6")  # period ends 2022-03-31, before the meeting
    observe(official, rate, iwakuni, "R5年度", "60.0")  # ends after the meeting: not what they saw
    meeting = services.meeting_create(
        by=official, fields=_fields(), agenda=[agenda_row("退院率の向上", indicator=rate)]
    )
    item = meeting.agenda_items.get()
    assert item.is_frozen
    frozen = item.frozen_standing()
    assert frozen.value == Decimal("48.6") and frozen.period_label == "令和3年度"
    assert frozen.target_value == Decimal("56") and frozen.comparator == "gte"
    assert "第6期" in frozen.plan_name  # the prefecture's plan covering 令和4年度, as the dashboard's basis
    assert frozen.status == values.BEHIND and frozen.status_label == "遅れ"

    observe(official, rate, iwakuni, "R3年度", "50.0")  # the same period corrected after the meeting
    item.refresh_from_db()
    assert item.frozen_standing().value == Decimal("48.6")  # the snapshot stays as it was
    assert agenda.item_standings([item], today=date(2026, 11, 30))[item.pk].value == Decimal("48.6")


def test_a_planned_meetings_item_shows_the_live_standing_and_is_frozen_when_held(official, rate, iwakuni):
    observe(official, rate, iwakuni, "R3年度", "48.6")
    meeting = services.meeting_create(
        by=official,
        fields=_fields(status=MeetingStatus.PLANNED),
        agenda=[agenda_row("退院率の向上", indicator=rate)],
    )
    item = meeting.agenda_items.get()
    assert not item.is_frozen
    assert agenda.item_standings([item], today=date(2022, 9, 1))[item.pk].value == Decimal("48.6")
    observe(official, rate, iwakuni, "R4年6月", "53.0")  # a newer value arrives while it is planned
    assert agenda.item_standings([item], today=date(2022, 9, 1))[item.pk].value == Decimal("53.0")

    services.meeting_update(
        by=official, meeting_id=meeting.pk, expected_version=meeting.version, fields=_fields()
    )
    item.refresh_from_db()
    assert item.is_frozen and item.snapshot_value == Decimal("53.0")
    assert item.snapshot_status == values.CLOSE  # 3 points short of 56: 目標に近い

    meeting.refresh_from_db()  # set back to 予定: the item shows the live standing again
    services.meeting_update(
        by=official,
        meeting_id=meeting.pk,
        expected_version=meeting.version,
        fields=_fields(status=MeetingStatus.PLANNED),
    )
    item.refresh_from_db()
    assert not item.is_frozen and item.snapshot_value is None


def test_items_without_an_indicator_take_no_snapshot_and_search_covers_titles_and_notes(official):
    meeting = services.meeting_create(
        by=official,
        fields=_fields(),
        agenda=[
            agenda_row("住まいの確保", notes="グループホームの空き"),
            agenda_row("研修の企画", position=2),
        ],
    )
    assert not any(i.is_frozen for i in meeting.agenda_items.all())
    assert list(Meeting.objects.search("グループホーム")) == [meeting]
    assert list(Meeting.objects.search("研修の企画")) == [meeting]


def test_carry_over_lists_the_open_actions_of_earlier_meetings_of_the_same_kind_and_region(official):
    earlier = MeetingFactory(date=date(2022, 6, 1))
    still_open = ActionItemFactory(meeting=earlier, description="グループホームの空きを確認する")
    ActionItemFactory(meeting=earlier, status="done", completed_on=date(2022, 7, 1), description="済んだこと")
    ActionItemFactory(meeting=MeetingFactory(date=date(2022, 6, 1), kind=MeetingKind.CASE_REVIEW))
    ActionItemFactory(meeting=MeetingFactory(date=date(2022, 6, 1), region=Region.objects.get(code="3508")))
    meeting = services.meeting_create(by=official, fields=_fields(), carry_over=True)
    item = meeting.agenda_items.get(origin=AgendaOrigin.CARRY_OVER)
    assert item.title == "前回からの継続"
    assert list(item.carried_actions.all()) == [still_open]
    assert "グループホームの空きを確認する" in item.notes and "未着手" in item.notes
    assert "済んだこと" not in item.notes


def test_no_carry_over_item_when_nothing_is_open(official):
    meeting = services.meeting_create(by=official, fields=_fields(), carry_over=True)
    assert not meeting.agenda_items.exists()


def test_proposing_goes_to_the_next_planned_meeting_or_waits(official, iwakuni_staff, rate, iwakuni):
    observe(official, rate, iwakuni, "R3年度", "48.6")
    today = date(2022, 9, 1)
    first = services.agenda_propose(by=iwakuni_staff, indicator=rate, region=iwakuni, today=today)
    assert first.meeting is None and first.item.origin == AgendaOrigin.PROPOSED
    assert services.agenda_propose(by=iwakuni_staff, indicator=rate, region=iwakuni, today=today).already

    planned = services.meeting_create(
        by=iwakuni_staff,
        fields=_fields(status=MeetingStatus.PLANNED),
        proposals=[first.item.pk],
    )
    first.item.refresh_from_db()
    assert first.item.meeting == planned

    assert not AgendaItem.objects.waiting().exists()  # attached: no longer waiting

    other = Indicator.objects.get(code="discharge_rate_6m")
    observe(official, other, iwakuni, "R3年度", "60.0")
    version = planned.version
    second = services.agenda_propose(by=iwakuni_staff, indicator=other, region=iwakuni, today=today)
    assert second.meeting == planned and second.item.position == 2
    planned.refresh_from_db()
    assert planned.version == version + 1
    record = ChangeRecord.objects.for_object(planned).order_by("-pk").first()
    assert any(key.startswith("agenda.") for key in record.changes)


def test_a_met_indicator_cannot_be_proposed_and_another_region_is_refused(
    official, hagi_staff, rate, iwakuni
):
    observe(official, rate, iwakuni, "R3年度", "70.0")
    with pytest.raises(ValidationError, match="目標を下回っていない"):
        services.agenda_propose(by=official, indicator=rate, region=iwakuni, today=date(2022, 9, 1))
    observe(official, rate, iwakuni, "R3年度", "40.0")
    with pytest.raises(PermissionDenied):
        services.agenda_propose(by=hagi_staff, indicator=rate, region=iwakuni, today=date(2022, 9, 1))
    assert not AgendaItem.objects.exists()


def test_a_proposal_of_another_region_is_not_attached(official, rate, iwakuni):
    waiting = AgendaItemFactory(meeting=None, region=iwakuni, indicator=rate, origin="proposed")
    with pytest.raises(ValidationError, match="その圏域の会議"):
        services.meeting_create(
            by=official, fields=_fields(region=Region.objects.get(code="3508")), proposals=[waiting.pk]
        )
    waiting.refresh_from_db()
    assert waiting.meeting is None


def test_not_met_by_region_says_where_each_indicator_stands_on_the_agenda(official, rate, iwakuni):
    observe(official, rate, iwakuni, "R3年度", "48.6")
    met = Indicator.objects.get(code="discharge_rate_6m")
    observe(official, met, iwakuni, "R3年度", "80.0")
    today = date(2022, 9, 1)
    rows = agenda.not_met_by_region([iwakuni], today=today, since_fiscal_year=2021)[iwakuni.pk]
    assert [r.indicator.code for r in rows] == ["discharge_rate_3m"]
    assert rows[0].agenda_label == "議題になっていない" and not rows[0].on_agenda

    old = MeetingFactory(date=date(2020, 6, 1), agenda="")
    AgendaItemFactory(meeting=old, indicator=rate)  # two 年度 before: does not count as discussed
    rows = agenda.not_met_by_region([iwakuni], today=today, since_fiscal_year=2021)[iwakuni.pk]
    assert not rows[0].on_agenda

    held = MeetingFactory(date=date(2022, 6, 1), agenda="")
    AgendaItemFactory(meeting=held, indicator=rate)
    rows = agenda.not_met_by_region([iwakuni], today=today, since_fiscal_year=2021)[iwakuni.pk]
    assert rows[0].discussed.meeting == held and rows[0].agenda_label == "協議済み（令和4年6月1日）"


def test_agenda_changes_are_on_the_meetings_history(client_for, iwakuni_staff, rate):
    meeting = MeetingFactory(agenda="現状の共有")
    data = meeting_form_data(
        meeting=meeting, agenda_items=[{"position": 2, "title": "退院率について", "indicator": rate.pk}]
    )
    response = client_for(iwakuni_staff).post(reverse("meetings:edit", args=[meeting.pk]), data)
    assert response.status_code == 302, response.context["editor"].agenda.errors
    titles = list(meeting.agenda_items.order_by("position").values_list("title", flat=True))
    assert titles == ["現状の共有", "退院率について"]
    history = client_for(iwakuni_staff).get(reverse("meetings:history", args=[meeting.pk]))
    assert "議題「退院率について」：関連する指標" in history.content.decode()


def test_duplicate_positions_and_unknown_agenda_numbers_are_form_errors(client_for, iwakuni_staff):
    data = meeting_form_data(
        agenda="",
        agenda_items=[{"position": 1, "title": "一つ目"}, {"position": 1, "title": "二つ目"}],
        actions=[
            {
                "description": "確認する",
                "responsible": "保健所",
                "status": "not_started",
                "agenda_position": 3,
            }
        ],
    )
    response = client_for(iwakuni_staff).post(reverse("meetings:create"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "順番 1 が重複しています。" in page
    assert not Meeting.objects.exists()
    data = meeting_form_data(
        agenda="",
        agenda_items=[{"position": 1, "title": "一つ目"}],
        actions=[
            {
                "description": "確認する",
                "responsible": "保健所",
                "status": "not_started",
                "agenda_position": 3,
            }
        ],
    )
    response = client_for(iwakuni_staff).post(reverse("meetings:create"), data)
    assert "議題 3 は議題の表にありません。" in response.content.decode()
    assert not Meeting.objects.exists()


def test_an_action_recorded_against_an_agenda_item_of_a_new_meeting(client_for, iwakuni_staff, rate):
    data = meeting_form_data(
        agenda="",
        agenda_items=[
            {"position": 1, "title": "退院率", "indicator": rate.pk},
            {"position": 2, "title": "研修"},
        ],
        actions=[
            {
                "description": "病院訪問",
                "responsible": "保健所",
                "status": "not_started",
                "agenda_position": 1,
            },
            {
                "description": "研修案内",
                "responsible": "保健所",
                "status": "not_started",
                "agenda_position": "",
            },
        ],
    )
    response = client_for(iwakuni_staff).post(reverse("meetings:create"), data)
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    linked = dict(meeting.action_items.values_list("description", "agenda_item__title"))
    assert linked == {"病院訪問": "退院率", "研修案内": None}
    detail = client_for(iwakuni_staff).get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "1. 退院率" in detail


def test_a_stale_agenda_edit_is_a_conflict_showing_both_versions(client, iwakuni_staff):
    meeting = MeetingFactory(agenda="現状の共有")
    item = meeting.agenda_items.get()
    stale = meeting_form_data(meeting=meeting)  # both open the edit page at this version
    mine = meeting_form_data(meeting=meeting)
    client.force_login(iwakuni_staff)
    mine["agenda-0-title"] = "現状の共有（保健所から）"
    assert client.post(reverse("meetings:edit", args=[meeting.pk]), mine).status_code == 302

    stale["agenda-0-title"] = "古い画面からの議題"
    response = client.post(reverse("meetings:edit", args=[meeting.pk]), stale)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="conflict"' in page
    assert "現状の共有（保健所から）" in page and "古い画面からの議題" in page
    item.refresh_from_db()
    assert item.title == "現状の共有（保健所から）"  # nothing of the stale page was saved
