"""Following an action item (#16: an official chooses items to be reminded of): the buttons on the
item's page, the services and their history, the item on the official's due page. Only officials
follow — staff are reminded of their region's items already, and a follow would change nothing for
them, so the button is not shown and the POST is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import ChangeRecord
from reminders import follows
from reminders.due import due_for
from reminders.models import ActionFollow
from tests.meetings.factories import ActionItemFactory, MeetingFactory
from tests.reminders.notify_data import today


@pytest.fixture
def action(reference_data):
    """An overdue item of a 岩国 meeting nobody in the tests created."""
    return ActionItemFactory(
        meeting=MeetingFactory(title="岩国の会議"),
        description="退院支援の事業所と調整する",
        due_date=today() - timedelta(days=2),
    )


def _history(action):
    return list(
        ChangeRecord.objects.filter(content_type__model="actionfollow")
        .order_by("pk")
        .values_list("action", "user")
    )


def test_an_official_follows_and_the_item_is_on_their_due_page(client_for, official, action):
    client = client_for(official)
    page = client.get(f"/meetings/actions/{action.pk}/").content.decode()
    assert "フォローする" in page and f'action="/reminders/actions/{action.pk}/follow/"' in page
    assert action.pk not in {a.pk for a in due_for(official, today=today()).actions}

    response = client.post(
        f"/reminders/actions/{action.pk}/follow/", {"next": f"/meetings/actions/{action.pk}/"}
    )

    assert response.status_code == 302 and response["Location"] == f"/meetings/actions/{action.pk}/"
    assert ActionFollow.objects.filter(user=official, action=action).count() == 1
    assert _history(action) == [("create", official.pk)]
    page = client.get(f"/meetings/actions/{action.pk}/").content.decode()
    assert "フォロー中" in page and "フォローをやめる" in page and "をフォローしました" in page
    due = client.get("/reminders/").content.decode()
    assert "退院支援の事業所と調整する" in due
    assert 'data-count="1" data-overdue="1"' in due  # and in the header's count


def test_following_twice_keeps_one_follow_and_one_history_row(client_for, official, action):
    client = client_for(official)
    client.post(f"/reminders/actions/{action.pk}/follow/")
    response = client.post(f"/reminders/actions/{action.pk}/follow/", follow=True)
    assert "既にフォローしています" in response.content.decode()
    assert ActionFollow.objects.filter(user=official, action=action).count() == 1
    assert len(_history(action)) == 1


def test_an_official_unfollows(client_for, official, action):
    client = client_for(official)
    client.post(f"/reminders/actions/{action.pk}/follow/")
    response = client.post(f"/reminders/actions/{action.pk}/unfollow/", {"next": "/reminders/"})
    assert response.status_code == 302 and response["Location"] == "/reminders/"
    assert not ActionFollow.objects.exists()
    assert _history(action) == [("create", official.pk), ("delete", official.pk)]
    assert 'data-testid="followed-action"' not in client.get("/reminders/").content.decode()
    # unfollowing what is not followed changes nothing
    client.post(f"/reminders/actions/{action.pk}/unfollow/")
    assert len(_history(action)) == 2


@pytest.mark.parametrize("persona", ["iwakuni_staff", "hagi_staff", "viewer"])
def test_others_see_no_button_and_are_refused(request, client_for, persona, action):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    page = client.get(f"/meetings/actions/{action.pk}/").content.decode()
    assert "フォローする" not in page and 'data-testid="follow"' not in page
    assert client.post(f"/reminders/actions/{action.pk}/follow/").status_code == 403
    assert client.post(f"/reminders/actions/{action.pk}/unfollow/").status_code == 403
    assert not ActionFollow.objects.exists() and not _history(action)
    with pytest.raises(PermissionDenied):
        follows.action_follow(by=user, action=action)


def test_a_deleted_meetings_item_is_not_followed_but_can_be_unfollowed(client_for, official, action):
    client = client_for(official)
    client.post(f"/reminders/actions/{action.pk}/follow/")
    action.meeting.deleted_at = timezone.now()
    action.meeting.save(update_fields=["deleted_at"])
    page = client.get(f"/meetings/actions/{action.pk}/").content.decode()
    assert "フォローをやめる" in page  # the official still sees the item, and may drop it
    assert "会議は削除されています" in client.get("/reminders/").content.decode()
    assert client.post(f"/reminders/actions/{action.pk}/unfollow/").status_code == 302
    assert not ActionFollow.objects.exists()
    assert client.post(f"/reminders/actions/{action.pk}/follow/").status_code == 404
    page = client.get(f"/meetings/actions/{action.pk}/").content.decode()
    assert "フォローする" not in page


def test_an_unknown_item_is_not_found(client_for, official, reference_data):
    assert client_for(official).post("/reminders/actions/999999/follow/").status_code == 404


def test_next_must_be_a_page_of_this_site(client_for, official, action):
    response = client_for(official).post(
        f"/reminders/actions/{action.pk}/follow/", {"next": "https://example.com/phish"}
    )
    assert response["Location"] == f"/meetings/actions/{action.pk}/"


def test_the_item_page_asks_one_query_for_the_follow_state(client_for, official, viewer, action):
    """The button's state is one query on the item's page for officials, none for others."""
    for user, expected in ((official, 1), (viewer, 0)):
        client = client_for(user)
        client.get(f"/meetings/actions/{action.pk}/")
        with CaptureQueriesContext(connection) as queries:
            client.get(f"/meetings/actions/{action.pk}/")
        state = [q for q in queries.captured_queries if 'FROM "reminders_actionfollow"' in q["sql"]]
        assert len(state) == expected
