"""The dashboard's activity section says when its counts were read from the records (issue #17:
approving a data set never locks meetings, cases, training or actions). The time is cached with the
counts, so a page served from the cache says when they were counted, and a new record recounts."""

from datetime import UTC, datetime
from types import SimpleNamespace

from django.utils import timezone

from dashboard import activity
from tests.meetings.factories import MeetingFactory

URL = "/indicators/"
PARAMS = {"fiscal_year": 2022}
AT_TEN = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 10:00 in Asia/Tokyo
AT_ELEVEN = datetime(2026, 12, 1, 2, 30, tzinfo=UTC)


def clock_at(monkeypatch, moment):
    monkeypatch.setattr(
        activity, "timezone", SimpleNamespace(now=lambda: moment, localdate=timezone.localdate)
    )


def counted_at_line(response) -> str:
    html = response.content.decode()
    line = html[html.index('data-testid="activity-counted-at"') :]
    return line[: line.index("</p>")]


def test_the_activity_section_says_when_it_was_counted(client_for, official, sheet, monkeypatch):
    clock_at(monkeypatch, AT_TEN)

    response = client_for(official).get(URL, PARAMS)

    assert response.context["overview"].activity.computed_at == AT_TEN
    line = counted_at_line(response)
    assert "令和8年12月1日 10:00 時点の記録から集計" in line
    assert "承認の対象ではなく" in line


def test_a_cached_section_keeps_its_time_and_a_new_record_recounts(client_for, official, sheet, monkeypatch):
    client = client_for(official)
    clock_at(monkeypatch, AT_TEN)
    client.get(URL, PARAMS)

    clock_at(monkeypatch, AT_ELEVEN)
    cached = client.get(URL, PARAMS)
    assert "令和8年12月1日 10:00 時点の記録から集計" in counted_at_line(cached)  # the same counts

    MeetingFactory()  # a held 圏域連絡調整会議 of 岩国: the activity data version moves
    recounted = client.get(URL, PARAMS)
    assert "令和8年12月1日 11:30 時点の記録から集計" in counted_at_line(recounted)
    iwakuni = next(
        r for r in recounted.context["overview"].activity.rows if r.region and r.region.code == "3501"
    )
    assert iwakuni.regional_meetings == 1
