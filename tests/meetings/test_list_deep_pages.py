"""Deep pages of the meeting list: the same rows and order as before, and no more queries than the
first page (the page's ids come from an index-only subquery; see bench/CHANGES.md)."""

from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting
from tests.meetings.factories import ActionItemFactory, MeetingFactory, ParticipationFactory


def _get(client, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("meetings:index"), params)
    assert response.status_code == 200
    return response, len(ctx.captured_queries)


def test_it_pages_deep_in_date_order_with_summaries_and_constant_queries(client_for, viewer):
    first_day = date(2021, 4, 1)
    for i in range(80):
        meeting = MeetingFactory(date=first_day + timedelta(days=i // 2))  # two meetings a day
        ParticipationFactory(meeting=meeting, count=i)
        if i % 3 == 0:
            ActionItemFactory(meeting=meeting)
    deleted = Meeting.objects.order_by("date", "pk")[10]
    deleted.deleted_at = timezone.now()
    deleted.save(update_fields=["deleted_at"])
    client = client_for(viewer)
    _, first_queries = _get(client)
    response, queries = _get(client, page=3)
    assert queries == first_queries
    expected = list(Meeting.objects.alive().order_by("-date", "-pk").values_list("pk", flat=True))[50:75]
    shown = response.context["meetings"]
    assert [m.pk for m in shown] == expected
    assert deleted.pk not in [m.pk for m in shown]
    for meeting in shown:
        assert meeting.participant_total == meeting.participations.get().count
        assert meeting.open_action_count == meeting.action_items.count()
    last, _ = _get(client, page=4)
    assert len(last.context["meetings"]) == 4 and not last.context["has_next"]
    assert "76〜79件目を表示" in last.content.decode()


def test_a_page_past_the_end_says_so_and_links_back_to_the_first(client_for, viewer):
    MeetingFactory(title="圏域連絡調整会議")
    page = client_for(viewer).get(
        "/meetings/", {"kind": "regional_coordination", "page": "99999999999999999999"}
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("このページ（100000ページ目）に会議はありません。") == 1
    assert 'href="?kind=regional_coordination&amp;page=1">1ページ目に戻る</a>' in html
    assert "条件に合う会議はありません" not in html


def test_an_empty_list_says_so_once(client_for, viewer):
    html = client_for(viewer).get("/meetings/", {"q": "どこにもない会議名"}).content.decode()
    assert html.count("条件に合う会議はありません") == 1
    assert "件目を表示" not in html
