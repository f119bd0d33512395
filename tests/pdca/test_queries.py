"""Both PDCA pages read the same number of queries whatever the number of regions, meetings, agenda
items, actions and observations (the style of tests/indicators/test_queries.py)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from indicators.models import Target
from indicators.services import target_record
from meetings.models import MeetingStatus
from regions.models import Prefecture, Region
from tests.meetings.factories import ActionItemFactory
from tests.pdca.factories import discuss, observe, rate, scenario

# The session, its user, TOTP device and profile and the session's save (7, as every signed-in page);
# the region (1); the prefecture, its targets, the indicators, the standings, the agenda items, their
# actions, the region's values (7); 「議題になっていない遅れ」 (meetings.agenda.not_met_by_region: the
# prefecture, targets, indicators, standings, agenda items: 5); the header's count of due items
# (reminders.due: the user's days, the action items, the follow-ups: 3, whatever the data).
HEADER_DUE_QUERIES = 3
REGION_QUERIES = 20 + HEADER_DUE_QUERIES
# The session (7); the regions (1); not_met_by_region (5); the held agenda items with their actions (1);
# the header's count (3).
INDEX_QUERIES = 14 + HEADER_DUE_QUERIES


def _grow(world):
    """Six more regions' worth of data, years of values, many meetings, items and actions, and one
    more indicator — none of it may cost a query more."""
    extra = rate("pdca_e", "退院率E", order=5)
    plan = Target.objects.filter(indicator=world.a).select_related("plan").first().plan
    target_record(
        by=world.official,
        indicator=extra,
        plan=plan,
        prefecture=world.own.prefecture,
        fiscal_year=world.fy + 1,
        value=Decimal(56),
        comparator="gte",
    )
    regions = list(Region.objects.filter(prefecture=world.own.prefecture))
    for area in regions:
        for indicator in (world.a, world.b, world.d, extra):
            for year in (world.fy - 4, world.fy - 2, world.fy - 1):
                observe(world.official, indicator, area, year, "41.5")
    for area in regions[:4]:
        for indicator in (world.a, world.b, extra):
            for day in (date(world.fy - 2, 7, 1), date(world.fy - 1, 5, 1)):
                item = discuss(indicator, area, day)
                ActionItemFactory(
                    meeting=item.meeting, agenda_item=item, due_date=world.today - timedelta(days=3)
                )
            discuss(indicator, area, world.today + timedelta(days=7), status=MeetingStatus.PLANNED)
    other = Prefecture.objects.create(code="131008", name="東京都")
    for n in range(3):
        Region.objects.create(prefecture=other, code=f"13{n:02d}", name=f"東京{n}")


@pytest.mark.parametrize(
    ("url", "expected"), [("/pdca/regions/3501/", REGION_QUERIES), ("/pdca/", INDEX_QUERIES)]
)
def test_it_uses_a_constant_number_of_queries(client_for, official, django_assert_num_queries, url, expected):
    world = scenario(official)
    client = client_for(official)
    client.get(url)  # the session row exists from here on, as for every later request
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
    _grow(world)
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert ("退院率E" in html) if "regions" in url else ('data-col="not_met">4</td>' in html)


def test_staff_see_the_index_in_one_query_more(
    client_for, iwakuni_staff, official, django_assert_num_queries
):
    """A health centre's staff: their own regions are read to highlight them (one query)."""
    scenario(official)
    client = client_for(iwakuni_staff)
    client.get("/pdca/")
    with django_assert_num_queries(INDEX_QUERIES):
        client.get("/pdca/")
