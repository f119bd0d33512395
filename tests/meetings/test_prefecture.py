"""Every meeting belongs to a prefecture: its region's, or the portal's own for a prefecture-wide
(県全域) one. The service sets it; migration 0007 filled it for the meetings that were there."""

import importlib
from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from meetings import services
from meetings.models import Meeting
from regions.models import Prefecture, Region
from tests.meetings.factories import MeetingFactory

MIGRATION = ("meetings", "0007_fill_meeting_prefecture")
fill_migration = importlib.import_module(f"{MIGRATION[0]}.migrations.{MIGRATION[1]}")


def historical_apps():
    """The models as the migration sees them (plain managers: no audit guard on update())."""
    return MigrationExecutor(connection).loader.project_state(MIGRATION).apps


@pytest.fixture
def other_prefecture(reference_data):
    tokyo = Prefecture.objects.get(code="130001")  # shipped with the 47 prefectures
    return tokyo, Region.objects.create(prefecture=tokyo, code="1301", name="区中央部")


def _fields(**overrides):
    return {
        "kind": "prefecture_council",
        "title": "県地域生活移行推進会議",
        "date": date(2022, 8, 1),
        "region": None,
        "organiser_division": "disability_support",
        "status": "held",
        **overrides,
    }


def test_a_prefecture_wide_meeting_belongs_to_the_portals_prefecture(official):
    meeting = services.meeting_create(by=official, fields=_fields())
    meeting.refresh_from_db()
    assert meeting.prefecture.code == "350001"


def test_a_regional_meeting_belongs_to_its_regions_prefecture(official, other_prefecture):
    tokyo, tokyo_region = other_prefecture
    meeting = services.meeting_create(
        by=official, fields=_fields(kind="regional_coordination", region=tokyo_region)
    )
    meeting.refresh_from_db()
    assert meeting.prefecture == tokyo


def test_moving_a_meeting_to_another_region_moves_its_prefecture(official, other_prefecture):
    _tokyo, tokyo_region = other_prefecture
    meeting = services.meeting_create(
        by=official, fields=_fields(kind="regional_coordination", region=tokyo_region)
    )
    services.meeting_update(
        by=official, meeting_id=meeting.pk, expected_version=meeting.version, fields={"region": None}
    )
    meeting.refresh_from_db()
    assert meeting.prefecture.code == "350001"


def test_meetings_can_be_listed_by_prefecture(reference_data, other_prefecture):
    _tokyo, tokyo_region = other_prefecture
    wide = MeetingFactory(region=None, organiser_centre=None, organiser_division="disability_support")
    iwakuni = MeetingFactory()
    MeetingFactory(region=tokyo_region, organiser_centre=None, organiser_division="disability_support")
    yamaguchi = Prefecture.objects.portal()
    assert set(Meeting.objects.for_prefecture(yamaguchi)) == {wide, iwakuni}


def test_the_migration_fills_every_meeting_deleted_ones_included(reference_data, other_prefecture, official):
    tokyo, tokyo_region = other_prefecture
    wide = MeetingFactory(region=None, organiser_centre=None, organiser_division="disability_support")
    iwakuni = MeetingFactory(deleted_at=timezone.now(), deleted_by=official)
    in_tokyo = MeetingFactory(
        region=tokyo_region, organiser_centre=None, organiser_division="disability_support"
    )
    # Wrong on purpose: the column cannot be empty any more, so the test starts from wrong values.
    state = historical_apps()
    rows = state.get_model("meetings", "Meeting").objects
    rows.filter(pk__in=[wide.pk, iwakuni.pk]).update(prefecture_id=tokyo.pk)
    rows.filter(pk=in_tokyo.pk).update(prefecture_id=Prefecture.objects.portal().pk)

    fill_migration.fill_prefecture(state, None)

    codes = dict(Meeting.objects.values_list("pk", "prefecture__code"))
    assert codes == {wide.pk: "350001", iwakuni.pk: "350001", in_tokyo.pk: "130001"}


def test_the_migration_stops_when_the_portals_prefecture_is_missing(reference_data, settings):
    MeetingFactory(region=None, organiser_centre=None, organiser_division="disability_support")
    settings.PORTAL_PREFECTURE_CODE = "131008"  # not among the shipped prefectures
    with pytest.raises(RuntimeError, match="PORTAL_PREFECTURE_CODE=131008"):
        fill_migration.fill_prefecture(historical_apps(), None)
