"""Every training session belongs to a prefecture: its region's, or the portal's own for a
prefecture-wide (県全域) one. The service sets it; migration 0003 filled it for existing sessions."""

import importlib
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from regions.models import Prefecture, Region
from tests.training.factories import TrainingSessionFactory
from training import services
from training.models import TrainingSession

MIGRATION = ("training", "0003_fill_trainingsession_prefecture")
fill_migration = importlib.import_module(f"{MIGRATION[0]}.migrations.{MIGRATION[1]}")


def historical_apps():
    """The models as the migration sees them (plain managers: no audit guard on update())."""
    return MigrationExecutor(connection).loader.project_state(MIGRATION).apps


@pytest.fixture
def other_prefecture(reference_data):
    tokyo = Prefecture.objects.get(code="130001")  # shipped with the 47 prefectures
    return tokyo, Region.objects.create(prefecture=tokyo, code="1301", name="区中央部")


def _create(by, region):
    return services.training_session_create(
        by=by,
        course="transition",
        title="地域移行研修",
        start_date=date(2022, 7, 1),
        end_date=date(2022, 7, 1),
        hours=Decimal(2),
        organiser_kind="disability_support",
        region=region,
    )


def test_a_prefecture_wide_session_belongs_to_the_portals_prefecture(official):
    session = _create(official, None)
    session.refresh_from_db()
    assert session.prefecture.code == "350001"


def test_a_regional_session_belongs_to_its_regions_prefecture(official, other_prefecture):
    tokyo, tokyo_region = other_prefecture
    session = _create(official, tokyo_region)
    session.refresh_from_db()
    assert session.prefecture == tokyo


def test_moving_a_session_to_another_region_moves_its_prefecture(official, other_prefecture):
    tokyo, tokyo_region = other_prefecture
    session = _create(official, None)
    services.training_session_update(
        by=official, session=session, version=session.version, region=tokyo_region
    )
    session.refresh_from_db()
    assert session.prefecture == tokyo


def test_sessions_can_be_listed_by_prefecture(reference_data, other_prefecture):
    _tokyo, tokyo_region = other_prefecture
    wide = TrainingSessionFactory(region=None)
    iwakuni = TrainingSessionFactory()
    TrainingSessionFactory(region=tokyo_region)
    assert set(TrainingSession.objects.for_prefecture(Prefecture.objects.portal())) == {wide, iwakuni}


def test_the_migration_fills_every_session_deleted_ones_included(reference_data, other_prefecture):
    tokyo, tokyo_region = other_prefecture
    wide = TrainingSessionFactory(region=None)
    iwakuni = TrainingSessionFactory(is_deleted=True)
    in_tokyo = TrainingSessionFactory(region=tokyo_region)
    # Wrong on purpose: the column cannot be empty any more, so the test starts from wrong values.
    state = historical_apps()
    rows = state.get_model("training", "TrainingSession").objects
    rows.filter(pk__in=[wide.pk, iwakuni.pk]).update(prefecture_id=tokyo.pk)
    rows.filter(pk=in_tokyo.pk).update(prefecture_id=Prefecture.objects.portal().pk)

    fill_migration.fill_prefecture(state, None)

    codes = dict(TrainingSession.objects.values_list("pk", "prefecture__code"))
    assert codes == {wide.pk: "350001", iwakuni.pk: "350001", in_tokyo.pk: "130001"}


def test_the_migration_stops_when_the_portals_prefecture_is_missing(reference_data, settings):
    TrainingSessionFactory(region=None)
    settings.PORTAL_PREFECTURE_CODE = "131008"  # not among the shipped prefectures
    with pytest.raises(RuntimeError, match="PORTAL_PREFECTURE_CODE=131008"):
        fill_migration.fill_prefecture(historical_apps(), None)
