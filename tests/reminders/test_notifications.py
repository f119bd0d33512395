"""The navigation bar's count of due and overdue items (#16 item 3): reminders.due.due_for's count for
staff and officials, the overdue ones told apart, linked to the due page; nothing (and no query) for
viewers and anonymous users."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings import services
from reminders.due import due_for
from reminders.models import ActionFollow, ReminderSettings
from tests.meetings.factories import ActionItemFactory, CaseReviewFactory, MeetingFactory
from tests.reminders import notify_data
from tests.reminders.notify_data import months_ago, today

BADGE = re.compile(
    r'<a class="nav-link[^"]*" href="/reminders/"[^>]*aria-label="(?P<label>[^"]*)"[^>]*'
    r'data-testid="due-badge" data-count="(?P<count>\d+)" data-overdue="(?P<overdue>\d+)"'
)
PAGE = "/regions/"  # a page that reads no action item or case of its own


def _badge(client, url=PAGE):
    response = client.get(url)
    assert response.status_code == 200
    found = BADGE.findall(response.content.decode())
    assert len(found) <= 1
    return found[0] if found else None


@pytest.fixture
def data(official):
    return notify_data.build(official)


def test_it_shows_staff_their_regions_due_and_overdue_items(client_for, iwakuni_staff, data):
    label, count, overdue = _badge(client_for(iwakuni_staff))
    # the overdue item, the one due in 3 days and the overdue 3-month follow-up; not the item due in
    # 30 days, the done one, the one without a 期限, nor anything of 萩
    due = due_for(iwakuni_staff, today=today())
    assert (int(count), int(overdue)) == (due.count, due.overdue_count) == (3, 2)
    assert label == "期限 3件（うち超過 2件）"
    assert {a.pk for a in due.actions} == {data.own_overdue.pk, data.own_soon.pk}
    assert [f.case_id for f in due.follow_ups] == [data.own_case.pk]


def test_another_regions_items_are_never_counted(client_for, hagi_staff, iwakuni_staff, data):
    _label, count, overdue = _badge(client_for(hagi_staff))
    # 萩's overdue item, the official's item on 萩's meeting (due tomorrow), 萩's overdue follow-up
    assert (count, overdue) == ("3", "2")
    assert {a.pk for a in due_for(hagi_staff, today=today()).actions} == {
        data.other_overdue.pk,
        data.official_soon.pk,
    }
    # more of 萩's work changes nothing for 岩国
    ActionItemFactory.create_batch(3, meeting=data.other_meeting, due_date=today() - timedelta(days=1))
    CaseReviewFactory(
        meeting=data.other_meeting, region=data.other_meeting.region, discharge_month=months_ago(4)
    )
    assert _badge(client_for(iwakuni_staff))[1:] == ("3", "2")


def test_the_count_changes_when_an_item_is_closed(client_for, iwakuni_staff, data):
    client = client_for(iwakuni_staff)
    assert _badge(client)[1:] == ("3", "2")
    meeting = data.own_meeting
    meeting.refresh_from_db()
    services.action_update(
        by=iwakuni_staff,
        action=data.own_overdue,
        fields={"status": "done", "completed_on": today()},
        expected_version=meeting.version,
    )
    assert _badge(client)[1:] == ("2", "1")


def test_an_overdue_item_is_counted_whatever_the_users_days(client_for, iwakuni_staff, data):
    ReminderSettings.objects.create(user=iwakuni_staff, lead_days=0)
    _label, count, overdue = _badge(client_for(iwakuni_staff))
    assert (count, overdue) == ("2", "2")  # the item due in 3 days is not due yet with 0 days
    ReminderSettings.objects.filter(user=iwakuni_staff).update(lead_days=30)
    assert _badge(client_for(iwakuni_staff))[1:] == ("4", "2")  # now the one due in 30 days too


def test_officials_count_their_meetings_items_and_those_they_follow(client_for, official, data):
    client = client_for(official)
    label, count, overdue = _badge(client)
    assert (count, overdue) == ("1", "0")  # the item of the meeting they created, due tomorrow
    assert label == "期限 1件"
    ActionFollow.objects.create(user=official, action=data.own_overdue)
    ActionFollow.objects.create(user=official, action=data.own_later)  # followed, but not due yet
    label, count, overdue = _badge(client)
    assert (count, overdue) == ("2", "1")
    assert label == "期限 2件（うち超過 1件）"


def test_an_empty_count_still_links_to_the_page(client_for, iwakuni_staff, reference_data):
    label, count, overdue = _badge(client_for(iwakuni_staff))
    assert (label, count, overdue) == ("期限 0件", "0", "0")


def test_viewers_have_no_badge_and_it_costs_them_no_query(client_for, viewer, data):
    client = client_for(viewer)
    client.get(PAGE)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PAGE)
    assert 'data-testid="due-badge"' not in response.content.decode()
    touched = " ".join(q["sql"] for q in queries.captured_queries)
    assert "reminders_" not in touched and "meetings_actionitem" not in touched
    assert "meetings_casereview" not in touched


def test_anonymous_users_have_no_badge(client, reference_data):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert 'data-testid="due-badge"' not in response.content.decode()


def test_the_badge_is_active_on_the_due_page(client_for, iwakuni_staff, data):
    content = client_for(iwakuni_staff).get("/reminders/").content.decode()
    assert re.search(
        r'<a class="nav-link text-nowrap active" href="/reminders/" aria-current="page"', content
    )


@pytest.mark.parametrize("persona", ["iwakuni_staff", "official"])
def test_the_count_costs_three_queries_whatever_the_data(
    request, client_for, persona, official, data, django_assert_num_queries
):
    """The user's days, the action items, the follow-ups: three queries on top of the page's own,
    and as many with three times the work due."""
    user = request.getfixturevalue(persona)
    client = client_for(user)
    client.get(PAGE)
    with CaptureQueriesContext(connection) as viewer_like:
        client.get(PAGE)
    reminders_queries = [
        q["sql"]
        for q in viewer_like.captured_queries
        if "reminders_" in q["sql"] or "meetings_actionitem" in q["sql"] or "meetings_casereview" in q["sql"]
    ]
    assert len(reminders_queries) == 3
    before = len(viewer_like.captured_queries)
    for _ in range(3):
        meeting = MeetingFactory(region=data.own_meeting.region, created_by=official)
        ActionItemFactory.create_batch(4, meeting=meeting, due_date=today() - timedelta(days=2))
        CaseReviewFactory(meeting=meeting, region=meeting.region, discharge_month=months_ago(4))
        ActionFollow.objects.create(user=official, action=ActionItemFactory(due_date=today()))
    with django_assert_num_queries(before):
        _label, count, _overdue = _badge(client)
    assert int(count) > 3
