"""The home page: staff see their region's open and overdue action items; officials see counts per region."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from regions.models import Region
from tests.meetings.factories import ActionItemFactory, MeetingFactory


@pytest.fixture
def items(reference_data):
    today = timezone.localdate()
    hagi = Region.objects.get(code="3508")
    return {
        "late": ActionItemFactory(description="GH空き状況の確認", due_date=today - timedelta(days=3)),
        "soon": ActionItemFactory(description="家族会への説明", due_date=today + timedelta(days=10)),
        "done": ActionItemFactory(
            description="済んだ対応",
            status="done",
            completed_on=date(2022, 6, 1),
            due_date=today - timedelta(days=30),
        ),
        "hagi": ActionItemFactory(
            description="萩の対応事項",
            meeting=MeetingFactory(region=hagi),
            due_date=today - timedelta(days=1),
        ),
        "deleted": ActionItemFactory(
            description="削除した会議の対応", meeting=MeetingFactory(deleted_at=timezone.now())
        ),
    }


def _home(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return response, len(ctx.captured_queries)


def test_staff_see_their_regions_open_and_overdue_items(client_for, iwakuni_staff, items):
    response, _ = _home(client_for(iwakuni_staff))
    panel = response.context["own_actions"]
    assert [item.description for item, _ in panel["items"]] == ["GH空き状況の確認", "家族会への説明"]
    assert [overdue for _, overdue in panel["items"]] == [True, False]
    assert (panel["open"], panel["overdue"]) == (2, 1)
    page = response.content.decode()
    assert "萩の対応事項" not in page and "済んだ対応" not in page and "削除した会議の対応" not in page
    assert "期限超過" in page


def test_officials_see_counts_per_region(client_for, official, items):
    response, _ = _home(client_for(official))
    rows = {
        (row.region.code if row.region else None): (row.open_actions, row.overdue_actions)
        for row in response.context["region_rows"]
    }
    assert rows["3501"] == (2, 1)
    assert rows["3508"] == (1, 1)
    assert rows["3502"] == (0, 0)
    assert rows[None] == (0, 0)
    assert len(rows) == 9
    assert "GH空き状況の確認" not in response.content.decode()


def test_viewers_see_no_action_panel(client_for, viewer, items):
    response, _ = _home(client_for(viewer))
    assert "own_actions" not in response.context and "region_rows" not in response.context


@pytest.mark.parametrize("persona", ["official", "iwakuni_staff"])
def test_home_query_count_does_not_grow(request, reference_data, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    for _ in range(3):
        ActionItemFactory(due_date=date(2022, 1, 1))
    _, few = _home(client)
    for _ in range(20):
        ActionItemFactory(
            due_date=date(2022, 1, 1), meeting=MeetingFactory(region=Region.objects.get(code="3508"))
        )
        ActionItemFactory(due_date=date(2022, 1, 1))
    _, many = _home(client)
    assert few == many
