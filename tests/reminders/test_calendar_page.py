"""「カレンダー配信」 (/reminders/calendar/): every signed-in user issues feed URLs, sees a new one once in
full, and revokes or re-issues their own; every write is in the history (core.history)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from core.models import ChangeRecord
from reminders import feeds
from reminders.models import CalendarFeed

PAGE = "/reminders/calendar/"
FEED_URL = re.compile(
    r'data-testid="new-feed-url">(https?://[^<]+/reminders/calendar/([A-Za-z0-9_-]+)\.ics)<'
)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://portal.example.jp"


def shown_url(response) -> tuple[str, str] | None:
    found = FEED_URL.search(response.content.decode())
    return (found.group(1), found.group(2)) if found else None


def history(feed) -> list[tuple[str, dict]]:
    return [(r.action, r.changes) for r in ChangeRecord.objects.for_object(feed).order_by("pk")]


@pytest.mark.parametrize("persona", ["official", "iwakuni_staff", "viewer"])
def test_every_signed_in_user_issues_a_feed_shown_once(request, client_for, persona):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "まだ URL を発行していません。" in page.content.decode()
    assert "no-store" in page["Cache-Control"]

    response = client.post("/reminders/calendar/issue/")
    assert response.status_code == 302 and response["Location"] == PAGE

    first = client.get(PAGE)
    url, token = shown_url(first)
    assert url == f"https://portal.example.jp/reminders/calendar/{token}.ics"
    assert f'href="webcal://portal.example.jp/reminders/calendar/{token}.ics"' in first.content.decode()
    assert "no-store" in first["Cache-Control"]
    feed = CalendarFeed.objects.get(user=user)
    assert feed.token_digest == feeds.token_digest(token)
    assert Client().get(f"/reminders/calendar/{token}.ics").status_code == 200

    again = client.get(PAGE)
    assert shown_url(again) is None and token not in again.content.decode()  # shown once
    assert history(feed) == [("create", history(feed)[0][1])]
    assert history(feed)[0][1]["user"]["new"] == user.username
    assert feed.token_digest not in str(history(feed)) and token not in str(history(feed))


def test_the_list_shows_issued_last_fetched_and_state(client_for, iwakuni_staff):
    fetched = feeds.feed_issue(by=iwakuni_staff)
    revoked = feeds.feed_issue(by=iwakuni_staff)
    feeds.feed_revoke(by=iwakuni_staff, feed=revoked.feed)
    Client().get(f"/reminders/calendar/{fetched.token}.ics")

    page = client_for(iwakuni_staff).get(PAGE).content.decode()

    rows = re.findall(r'<tr data-testid="feed"[^>]*>(.*?)</tr>', page, re.S)
    assert len(rows) == 2
    newest, oldest = rows
    assert "無効" in newest and "無効にする" not in newest and "再発行" not in newest
    assert "有効" in oldest and "無効にする" in oldest and "再発行" in oldest
    assert "まだ取得されていません" in newest and "まだ取得されていません" not in oldest
    assert fetched.token not in page and revoked.token not in page


def test_revoking_records_it_and_the_url_answers_404(client_for, iwakuni_staff):
    issued = feeds.feed_issue(by=iwakuni_staff)
    response = client_for(iwakuni_staff).post(f"/reminders/calendar/{issued.feed.pk}/revoke/")
    assert response.status_code == 302
    issued.feed.refresh_from_db()
    assert issued.feed.revoked_at is not None
    action, changes = history(issued.feed)[-1]
    assert action == "update" and changes["revoked_at"]["old"] is None and changes["revoked_at"]["new"]
    assert Client().get(f"/reminders/calendar/{issued.token}.ics").status_code == 404
    # revoking again changes nothing
    client_for(iwakuni_staff).post(f"/reminders/calendar/{issued.feed.pk}/revoke/")
    assert len(history(issued.feed)) == 2


def test_reissuing_shows_a_new_url_and_the_old_one_stops(client_for, iwakuni_staff):
    old = feeds.feed_issue(by=iwakuni_staff)
    client = client_for(iwakuni_staff)
    response = client.post(f"/reminders/calendar/{old.feed.pk}/reissue/")
    assert response.status_code == 302

    _url, token = shown_url(client.get(PAGE))
    assert token != old.token
    assert Client().get(f"/reminders/calendar/{old.token}.ics").status_code == 404
    assert Client().get(f"/reminders/calendar/{token}.ics").status_code == 200
    new = CalendarFeed.objects.get(token_digest=feeds.token_digest(token))
    assert [h[0] for h in history(old.feed)] == ["create", "update"]
    assert [h[0] for h in history(new)] == ["create"]


def test_another_users_feed_cannot_be_revoked_or_reissued(client_for, iwakuni_staff, hagi_staff, official):
    issued = feeds.feed_issue(by=iwakuni_staff)
    for user in (hagi_staff, official):
        client = client_for(user)
        assert client.post(f"/reminders/calendar/{issued.feed.pk}/revoke/").status_code == 404
        assert client.post(f"/reminders/calendar/{issued.feed.pk}/reissue/").status_code == 404
    issued.feed.refresh_from_db()
    assert issued.feed.is_active
    assert CalendarFeed.objects.count() == 1
    assert "無効にする" not in client_for(hagi_staff).get(PAGE).content.decode()


def test_at_most_five_active_feeds(client_for, iwakuni_staff):
    for _ in range(feeds.MAX_ACTIVE_FEEDS):
        feeds.feed_issue(by=iwakuni_staff)
    client = client_for(iwakuni_staff)
    page = client.get(PAGE).content.decode()
    assert "有効な URL は5件までです。" in page and "新しい URL を発行" not in page

    response = client.post("/reminders/calendar/issue/", follow=True)

    assert "有効なカレンダー配信は5件までです。" in response.content.decode()
    assert shown_url(response) is None
    assert CalendarFeed.objects.count() == feeds.MAX_ACTIVE_FEEDS


def test_the_pages_writes_take_posts_only(client_for, iwakuni_staff):
    issued = feeds.feed_issue(by=iwakuni_staff)
    client = client_for(iwakuni_staff)
    assert client.get("/reminders/calendar/issue/").status_code == 405
    assert client.get(f"/reminders/calendar/{issued.feed.pk}/revoke/").status_code == 405
    assert client.post(PAGE).status_code == 405
    assert CalendarFeed.objects.count() == 1


def test_the_settings_menu_links_the_page(client_for, viewer):
    page = client_for(viewer).get("/").content.decode()
    assert f'<a class="dropdown-item" href="{PAGE}">カレンダー配信</a>' in page


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
