"""The dashboard is cached keyed on the data versions: served from the cache until a write to what it
shows, then computed again — never stale, whichever way the write came (service, import, bulk)."""

import re
from datetime import date
from decimal import Decimal

from core import versions
from dashboard.overview import dashboard_overview
from indicators.models import Indicator, Observation
from indicators.services import observation_record
from indicators.versions import INDICATOR_DATA
from meetings import services as meeting_services
from regions.models import Prefecture, Region
from tests.indicators.test_queries import CACHED_DASHBOARD_QUERIES, DASHBOARD_QUERIES
from tests.meetings.factories import ActionItemFactory, MeetingFactory

URL = "/indicators/"
PARAMS = {"fiscal_year": 2022}


def _without_csrf(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def _latest(response, code="discharge_rate_3m"):
    row = next(r for r in response.context["overview"].status_rows if r.indicator.code == code)
    return row.latest.value


def _iwakuni_meetings(response):
    rows = response.context["overview"].activity.rows
    return next(r for r in rows if r.region and r.region.code == "3501").regional_meetings


def test_a_second_request_is_served_from_the_cache_with_the_same_page(
    client_for, official, sheet, django_assert_num_queries
):
    client = client_for(official)
    client.get(URL)
    with django_assert_num_queries(DASHBOARD_QUERIES["prefecture"]):
        first = client.get(URL, PARAMS)
    with django_assert_num_queries(CACHED_DASHBOARD_QUERIES):
        second = client.get(URL, PARAMS)
    assert _without_csrf(second) == _without_csrf(first)
    assert _latest(second) == Decimal("48.6")


def test_a_value_saved_through_the_service_is_shown_at_once(client_for, official, sheet):
    client = client_for(official)
    assert _latest(client.get(URL, PARAMS)) == Decimal("48.6")
    observation_record(
        by=official,
        indicator=Indicator.objects.get(code="discharge_rate_3m"),
        prefecture=Prefecture.objects.get(code="350001"),
        period_text="R4年度",
        value=Decimal("51.2"),
    )
    response = client.get(URL, PARAMS)
    assert _latest(response) == Decimal("51.2")
    assert ">51.2" in response.content.decode()


def test_a_write_without_signals_is_seen_once_its_writer_says_so(client_for, official, sheet):
    client = client_for(official)
    assert _latest(client.get(URL, PARAMS)) == Decimal("48.6")
    shown = Observation.objects.get(
        indicator__code="discharge_rate_3m", region=None, municipality=None, value=Decimal("48.6")
    )
    # QuerySet.update() sends no signal (as bulk_create): the cache cannot know by itself ...
    Observation._base_manager.filter(pk=shown.pk).update(value=Decimal("60.0"))
    assert _latest(client.get(URL, PARAMS)) == Decimal("48.6")
    # ... which is why such writers call changed() (indicator imports, bench/generate.py).
    versions.changed(INDICATOR_DATA)
    assert _latest(client.get(URL, PARAMS)) == Decimal("60.0")


def test_a_meeting_logged_updates_the_activity_and_keeps_the_indicator_part_cached(
    client_for, official, iwakuni_staff, sheet
):
    client = client_for(official)
    before = client.get(URL, PARAMS)
    assert _iwakuni_meetings(before) == 0
    indicators_version = versions.current(INDICATOR_DATA)
    meeting_services.meeting_create(
        by=iwakuni_staff,
        fields={
            "kind": "regional_coordination",
            "title": "圏域連絡調整会議（第1回）",
            "date": date(2022, 6, 1),
            "region": Region.objects.get(code="3501"),
            "organiser_centre": iwakuni_staff.profile.health_centre,
            "status": "held",
        },
    )
    assert versions.current(INDICATOR_DATA) == indicators_version
    assert _iwakuni_meetings(client.get(URL, PARAMS)) == 1


def test_deleting_a_meeting_is_seen_as_well(client_for, official, sheet):
    meeting = MeetingFactory(date=date(2022, 6, 1), region=Region.objects.get(code="3501"))
    client = client_for(official)
    assert _iwakuni_meetings(client.get(URL, PARAMS)) == 1
    meeting_services.meeting_delete(by=official, meeting=meeting)
    assert _iwakuni_meetings(client.get(URL, PARAMS)) == 0


def test_the_day_is_part_of_the_key(official, sheet):
    meeting = MeetingFactory(date=date(2025, 12, 1), region=Region.objects.get(code="3501"))
    ActionItemFactory(meeting=meeting, due_date=date(2026, 1, 10))
    before = dashboard_overview(fiscal_year=2025, today=date(2026, 1, 5))
    after = dashboard_overview(fiscal_year=2025, today=date(2026, 1, 20))
    assert (before.activity.total.overdue_actions, after.activity.total.overdue_actions) == (0, 1)
