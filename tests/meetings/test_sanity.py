"""Sanity checks (issue #19, item 4; meetings.sanity): the impossible refused with the field or row named,
the unlikely warned and saved once confirmed; nothing saved on a refusal and the typed input kept."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.models import ActionItem, CaseFollowUp, CaseStatus, Meeting, MeetingKind, MeetingStatus
from tests.htmlcheck import control, error_beside
from tests.meetings.factories import (
    ACTION_ROW,
    ActionItemFactory,
    CaseReviewFactory,
    MeetingFactory,
    meeting_form_data,
)

# --- 開催済 in the future: impossible ---------------------------------------------------------------


def test_a_future_meeting_marked_held_is_refused_beside_its_status(client_for, iwakuni_staff):
    future = timezone.localdate() + timedelta(days=7)
    data = meeting_form_data(date=future.isoformat(), title="来週の会議")
    response = client_for(iwakuni_staff).post(reverse("meetings:create"), data)
    html = response.content.decode()
    assert response.status_code == 200 and not Meeting.objects.exists()
    assert "今日" in error_beside(html, "id_status") and "「予定」にしてください" in error_beside(
        html, "id_status"
    )
    assert control(html, "id_title")[1]["value"] == "来週の会議"

    data["status"] = MeetingStatus.PLANNED
    assert client_for(iwakuni_staff).post(reverse("meetings:create"), data).status_code == 302


def test_today_may_be_held():
    from meetings.sanity import held_in_future

    today = date(2026, 12, 1)
    assert held_in_future(status=MeetingStatus.HELD, day=today, today=today) is None
    assert held_in_future(status=MeetingStatus.PLANNED, day=today + timedelta(days=1), today=today) is None
    assert "令和8年12月2日" in held_in_future(
        status=MeetingStatus.HELD, day=today + timedelta(days=1), today=today
    )


def test_the_service_refuses_a_future_held_meeting_too(iwakuni_staff):
    meeting = MeetingFactory(status=MeetingStatus.PLANNED, date=timezone.localdate() + timedelta(days=3))
    fields = {name: getattr(meeting, name) for name in services.MEETING_FIELDS}
    with pytest.raises(ValidationError, match="開催済"):
        services.meeting_update(
            by=iwakuni_staff,
            meeting_id=meeting.pk,
            expected_version=meeting.version,
            fields={**fields, "status": MeetingStatus.HELD},
        )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED


# --- action dates before the meeting: impossible ----------------------------------------------------


def test_an_action_due_before_the_meeting_is_refused_naming_the_row(client_for, iwakuni_staff):
    data = meeting_form_data(
        date="2022-10-05",
        actions=[
            {**ACTION_ROW, "description": "病院訪問", "due_date": "2022-12-01"},
            {**ACTION_ROW, "description": "家族会へ説明", "due_date": "2022-09-30"},
        ],
    )
    response = client_for(iwakuni_staff).post(reverse("meetings:create"), data)
    html = response.content.decode()
    assert not Meeting.objects.exists() and not ActionItem.objects.exists()
    message = error_beside(html, "id_actions-1-due_date")
    assert (
        "対応事項「家族会へ説明」の期限（令和4年9月30日）" in message
        and "開催日（令和4年10月5日）" in message
    )
    assert error_beside(html, "id_actions-0-due_date") == ""
    assert control(html, "id_actions-1-due_date")[1]["value"] == "2022-09-30"


def test_an_action_completed_before_the_meeting_is_refused(client_for, iwakuni_staff):
    row = {**ACTION_ROW, "description": "資料送付", "status": "done", "completed_on": "2022-10-01"}
    html = client_for(iwakuni_staff).post(reverse("meetings:create"), meeting_form_data(actions=[row]))
    assert "対応事項「資料送付」の完了日（令和4年10月1日）" in error_beside(
        html.content.decode(), "id_actions-0-completed_on"
    )
    assert not Meeting.objects.exists()


def test_moving_the_meeting_after_its_actions_due_dates_is_refused(client_for, iwakuni_staff):
    action = ActionItemFactory(meeting__date=date(2022, 10, 5), due_date=date(2022, 12, 1))
    meeting = action.meeting
    data = meeting_form_data(meeting=meeting, date="2023-01-10")
    html = client_for(iwakuni_staff).post(reverse("meetings:edit", args=[meeting.pk]), data).content.decode()
    assert "より前です" in error_beside(html, "id_actions-0-due_date")
    meeting.refresh_from_db()
    assert meeting.date == date(2022, 10, 5)


def test_the_action_page_refuses_a_due_date_before_its_meeting(client_for, iwakuni_staff):
    action = ActionItemFactory(meeting__date=date(2022, 10, 5), due_date=date(2022, 12, 1))
    url = reverse("meetings:action_detail", args=[action.pk])
    data = {
        "status": action.status,
        "completed_on": "",
        "due_date": "2022-10-04",
        "version": action.meeting.version,
    }
    html = client_for(iwakuni_staff).post(url, data).content.decode()
    assert "より前です" in error_beside(html, "id_due_date")
    action.refresh_from_db()
    assert action.due_date == date(2022, 12, 1)


def test_the_service_refuses_an_action_due_before_its_meeting(iwakuni_staff):
    action = ActionItemFactory(meeting__date=date(2022, 10, 5))
    with pytest.raises(ValidationError, match="期限"):
        services.action_update(
            by=iwakuni_staff,
            action=action,
            fields={"due_date": date(2022, 1, 1)},
            expected_version=action.meeting.version,
        )


def test_a_stored_row_due_before_its_meeting_never_blocks_other_edits(client_for, iwakuni_staff):
    """Rows stored before the rule: editing the minutes, or the row's own 状況, still saves; changing
    the row's dates or the meeting's date is checked again."""
    action = ActionItemFactory(meeting__date=date(2022, 10, 5), due_date=date(2022, 9, 1))
    meeting = action.meeting
    client = client_for(iwakuni_staff)
    data = meeting_form_data(meeting=meeting, minutes="議事録を追記した")
    response = client.post(reverse("meetings:edit", args=[meeting.pk]), data)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes == "議事録を追記した"
    url = reverse("meetings:action_detail", args=[action.pk])
    data = {"status": "in_progress", "completed_on": "", "due_date": "2022-09-01", "version": meeting.version}
    assert client.post(url, data).status_code == 302
    action.refresh_from_db()
    assert action.status == "in_progress"
    services.action_update(
        by=iwakuni_staff,
        action=action,
        fields={"status": "not_started"},
        expected_version=meeting.version + 1,
    )


# --- 開催済 with nobody: unlikely, warned and confirmed -----------------------------------------------


def test_a_held_meeting_without_participants_asks_and_is_saved_once_confirmed(client_for, iwakuni_staff):
    client = client_for(iwakuni_staff)
    data = meeting_form_data(participants={}, title="参加者なしの会議")
    response = client.post(reverse("meetings:create"), data)
    html = response.content.decode()
    assert response.status_code == 200 and not Meeting.objects.exists()
    assert "参加者数がすべて0人です" in error_beside(html, "id_confirm_no_participants")
    assert control(html, "id_confirm_no_participants")[1]["type"] == "checkbox"
    assert control(html, "id_title")[1]["value"] == "参加者なしの会議"

    response = client.post(reverse("meetings:create"), {**data, "confirm_no_participants": "on"})
    assert response.status_code == 302
    assert not Meeting.objects.get().participations.exists()


def test_the_checkbox_is_not_drawn_when_nothing_asks_for_it(client_for, iwakuni_staff):
    html = client_for(iwakuni_staff).get(reverse("meetings:create")).content.decode()
    assert "参加者0人のまま登録する" not in html and "入力した事例を破棄して保存する" not in html


def test_planned_meetings_need_no_participants(client_for, iwakuni_staff):
    data = meeting_form_data(participants={}, status=MeetingStatus.PLANNED, date="2022-10-05")
    assert client_for(iwakuni_staff).post(reverse("meetings:create"), data).status_code == 302


def test_holding_a_planned_meeting_without_participants_asks(client_for, iwakuni_staff):
    meeting = MeetingFactory(status=MeetingStatus.PLANNED)
    data = meeting_form_data(meeting=meeting, status=MeetingStatus.HELD)
    html = client_for(iwakuni_staff).post(reverse("meetings:edit", args=[meeting.pk]), data).content.decode()
    assert "参加者0人のまま登録する" in html
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED


def test_a_meeting_stored_held_without_participants_is_not_asked_again(client_for, iwakuni_staff):
    meeting = MeetingFactory(status=MeetingStatus.HELD)  # no participations
    data = meeting_form_data(meeting=meeting, minutes="議事要旨を追記")
    assert (
        client_for(iwakuni_staff).post(reverse("meetings:edit", args=[meeting.pk]), data).status_code == 302
    )


# --- follow-ups of a case without a discharge month: not offered ------------------------------------


def test_a_case_without_discharge_month_offers_no_follow_up_form(client_for, iwakuni_staff):
    case = CaseReviewFactory(status=CaseStatus.PREPARING, discharge_month=None)
    client = client_for(iwakuni_staff)
    url = reverse("meetings:case_detail", args=[case.pk])
    html = client.get(url).content.decode()
    assert "退院月が未登録のため追跡調査は登録できません。" in html
    assert 'name="f3-status"' not in html and "追跡調査を保存" not in html

    response = client.post(url, {"version": case.meeting.version, "f3-status": "in_community", "f3-note": ""})
    assert response.status_code == 200
    assert "退院月が未登録のため追跡調査は登録できません。" in response.content.decode()
    assert not CaseFollowUp.objects.exists()


def test_the_case_list_says_why_a_case_has_no_follow_ups(client_for, iwakuni_staff):
    CaseReviewFactory(status=CaseStatus.PREPARING, discharge_month=None)
    html = client_for(iwakuni_staff).get(reverse("meetings:case_list")).content.decode()
    assert "退院月が未登録" in html


def test_periods_not_come_yet_are_not_offered(client_for, iwakuni_staff):
    month = timezone.localdate().replace(day=1) - timedelta(days=100)
    month = month.replace(day=1)  # about 4 months ago: the 3-month follow-up is open, 6 and 12 are not
    case = CaseReviewFactory(
        meeting__kind=MeetingKind.CASE_REVIEW, status=CaseStatus.DISCHARGED, discharge_month=month
    )
    html = client_for(iwakuni_staff).get(reverse("meetings:case_detail", args=[case.pk])).content.decode()
    assert 'name="f3-status"' in html
    assert 'name="f6-status"' not in html and 'name="f12-status"' not in html
    assert "から入力できます" in html
