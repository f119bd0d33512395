"""「期限が近いもの」 (/reminders/): the user's due items per role — overdue first, action items linked to
their pages, case follow-ups by number only, the meetings of the next 7 days, and for officials the
waiting proposals and the items they follow."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from reminders.models import ActionFollow, ReminderSettings
from tests.meetings.factories import ActionItemFactory, AgendaItemFactory, CaseReviewFactory, MeetingFactory
from tests.reminders import notify_data
from tests.reminders.notify_data import months_ago, today


@pytest.fixture
def data(official):
    return notify_data.build(official)


def _rows(content: str, testid: str) -> list[str]:
    return re.findall(rf'<tr data-testid="{testid}"[^>]*>(.*?)</tr>', content, re.S)


def _page(client):
    response = client.get("/reminders/")
    assert response.status_code == 200
    return response.content.decode()


def test_staff_see_their_regions_items_overdue_first(client_for, iwakuni_staff, data):
    content = _page(client_for(iwakuni_staff))
    actions = _rows(content, "due-action")
    assert len(actions) == 2
    assert "岩国の期限超過の対応" in actions[0] and "期限超過" in actions[0]
    assert "岩国の3日後期限の対応" in actions[1] and "期限超過" not in actions[1]
    assert f'href="/meetings/actions/{data.own_overdue.pk}/"' in actions[0]
    for absent in ("岩国の30日後期限の対応", "岩国の完了した対応", "岩国の期限なしの対応", "萩の"):
        assert absent not in content
    assert "3件" in content and "うち期限超過" in content
    # the meetings of the next 7 days (岩国's next one), no proposals or follows for staff
    assert "岩国の次回の会議" in content
    assert 'data-testid="due-proposals"' not in content and 'data-testid="followed"' not in content


def test_a_follow_up_shows_the_case_number_linked_and_nothing_else(client_for, iwakuni_staff, data):
    content = _page(client_for(iwakuni_staff))
    (row,) = _rows(content, "due-follow-up")
    case = data.own_case
    assert f'<a href="/meetings/cases/{case.pk}/">{case.display_number}</a>' in row
    assert "3か月" in row and "期限超過" in row
    assert "岩国の事例の詳しい経過" not in content  # the case's summary never
    assert data.other_case.display_number not in content
    assert data.other_case.case_number not in content


def test_the_users_days_are_shown_and_used(client_for, iwakuni_staff, data):
    ReminderSettings.objects.create(user=iwakuni_staff, lead_days=30)
    content = _page(client_for(iwakuni_staff))
    assert "期限まで30日以内" in content
    assert "岩国の30日後期限の対応" in content


def test_the_coming_meetings_are_those_of_the_next_seven_days(client_for, iwakuni_staff, data):
    MeetingFactory(
        region=data.own_meeting.region,
        date=today() + timedelta(days=8),
        status="planned",
        title="岩国の8日後の会議",
    )
    content = _page(client_for(iwakuni_staff))
    assert "岩国の次回の会議" in content and "岩国の8日後の会議" not in content


def test_officials_see_their_meetings_items_proposals_and_follows(client_for, official, data):
    ActionFollow.objects.create(user=official, action=data.own_overdue)
    ActionFollow.objects.create(user=official, action=data.own_later)
    AgendaItemFactory(
        meeting=None, region=data.own_meeting.region, origin="proposed", title="岩国の待っている提案"
    )
    content = _page(client_for(official))
    actions = _rows(content, "due-action")
    # overdue first: the followed overdue item, then the item of their own meeting (due tomorrow)
    assert ["岩国の期限超過の対応" in actions[0], "県が登録した会議の明日期限の対応" in actions[1]] == [
        True,
        True,
    ]
    assert "フォロー中" in actions[0] and "フォロー中" not in actions[1]
    assert len(actions) == 2  # not 萩's overdue item: not their meeting, not followed
    assert "岩国の待っている提案" in _rows(content, "due-proposal")[0]
    followed = _rows(content, "followed-action")
    assert len(followed) == 2  # the 30 days one is followed too, though not due yet
    assert "岩国の30日後期限の対応" in content
    assert f'action="/reminders/actions/{data.own_later.pk}/unfollow/"' in content


def test_viewers_are_told_they_have_nothing_due(client_for, viewer, data):
    content = _page(client_for(viewer))
    assert 'data-testid="due-none"' in content
    assert "due-action" not in content and "岩国の" not in content


def test_a_follow_up_not_open_to_the_user_is_not_linked(client_for, official, data):
    # an official's follow-ups are those of the meetings they created (all open to them); the link
    # follows accounts.roles all the same
    CaseReviewFactory(
        meeting=data.official_meeting,
        region=data.official_meeting.region,
        discharge_month=months_ago(4),
        case_number="萩-2099-001",
    )
    content = _page(client_for(official))
    (row,) = _rows(content, "due-follow-up")
    assert re.search(r'<a href="/meetings/cases/\d+/">萩-R81-001</a>', row)


@pytest.mark.parametrize("persona", ["iwakuni_staff", "official"])
def test_the_page_uses_a_fixed_number_of_queries(
    request, client_for, persona, official, data, django_assert_num_queries
):
    client = client_for(request.getfixturevalue(persona))
    ActionFollow.objects.create(user=official, action=data.own_soon)
    client.get("/reminders/")
    # session, user, profile (+ the official's TOTP device); the page: the user's days, the staff's
    # regions, the action items, the follow-ups, the coming meetings (officials: no regions, + the
    # proposals and the followed items); the session saved (3). The header's count reuses the page's
    # due_for: no query of its own here.
    expected = {"iwakuni_staff": 11, "official": 13}[persona]
    with django_assert_num_queries(expected):
        client.get("/reminders/")
    for _ in range(3):
        meeting = MeetingFactory(region=data.own_meeting.region, created_by=official)
        items = ActionItemFactory.create_batch(3, meeting=meeting, due_date=today() - timedelta(days=1))
        ActionFollow.objects.create(user=official, action=items[0])
        CaseReviewFactory(meeting=meeting, region=meeting.region, discharge_month=months_ago(4))
        MeetingFactory(region=meeting.region, created_by=official, status="planned", date=today())
        AgendaItemFactory(meeting=None, region=meeting.region, origin="proposed")
    with django_assert_num_queries(expected):
        response = client.get("/reminders/")
    assert len(_rows(response.content.decode(), "due-action")) > 2
