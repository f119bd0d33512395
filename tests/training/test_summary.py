"""training_summary(): arithmetic on known data, deleted and other-year sessions excluded, constant queries."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.categories import OrganisationType
from tests.factories import region
from tests.training.factories import PeerSupportProgrammeFactory, TrainingSessionFactory
from training.services import summary_total, training_summary


@pytest.fixture
def known_data(reference_data):
    iwakuni, hagi = region("3501"), region("3508")
    TrainingSessionFactory(
        region=iwakuni, hours=Decimal("2.5"), attendees={"hospital_nurse": 4, "consultation_office": 3}
    )
    TrainingSessionFactory(
        region=iwakuni,
        start_date=date(2023, 3, 31),
        hours=Decimal("3"),
        attendees={"hospital_nurse": 1, "peer": 2},
    )
    TrainingSessionFactory(region=hagi, hours=Decimal("1.5"), attendees={"family": 5})
    TrainingSessionFactory(region=None, hours=Decimal("6"), attendees={"municipality": 10})
    # Not counted: deleted, and another fiscal year (2023-04-01 is R5年度).
    TrainingSessionFactory(
        region=iwakuni, is_deleted=True, hours=Decimal("9"), attendees={"hospital_nurse": 50}
    )
    TrainingSessionFactory(
        region=iwakuni, start_date=date(2023, 4, 1), hours=Decimal("9"), attendees={"other": 7}
    )
    PeerSupportProgrammeFactory(region=iwakuni, fiscal_year=2022, trained=6, registered=5, active=3)
    PeerSupportProgrammeFactory(region=hagi, fiscal_year=2022, trained=2, registered=2, active=1)
    PeerSupportProgrammeFactory(region=hagi, fiscal_year=2023, trained=9, registered=9, active=9)


def test_rows_cover_every_region_then_prefecture_wide(known_data):
    rows = training_summary(fiscal_year=2022)
    assert [r.region.code for r in rows[:-1]] == [f"350{i}" for i in range(1, 9)]
    assert rows[-1].region is None
    assert rows[-1].label == "県全域"


def test_region_arithmetic(known_data):
    rows = {(r.region.code if r.region else "pref"): r for r in training_summary(fiscal_year=2022)}
    iwakuni = rows["3501"]
    assert iwakuni.session_count == 2
    assert iwakuni.total_hours == Decimal("5.5")
    assert iwakuni.attendees_total == 10
    assert iwakuni.attendees_by_type["hospital_nurse"] == 5
    assert iwakuni.attendees_by_type["consultation_office"] == 3
    assert iwakuni.attendees_by_type["peer"] == 2
    assert iwakuni.attendees_by_type["other"] == 0
    assert set(iwakuni.attendees_by_type) == set(OrganisationType.values)
    assert (iwakuni.peer_trained, iwakuni.peer_registered, iwakuni.peer_active) == (6, 5, 3)

    hagi = rows["3508"]
    assert (hagi.session_count, hagi.total_hours, hagi.attendees_total) == (1, Decimal("1.5"), 5)
    assert hagi.peer_active == 1

    pref = rows["pref"]
    assert (pref.session_count, pref.total_hours, pref.attendees_total) == (1, Decimal(6), 10)
    assert pref.peer_active is None
    assert not pref.has_peer_support

    empty = rows["3503"]
    assert (empty.session_count, empty.total_hours, empty.attendees_total) == (0, Decimal(0), 0)
    assert empty.peer_active is None


def test_total(known_data):
    total = summary_total(training_summary(fiscal_year=2022))
    assert total.session_count == 4
    assert total.total_hours == Decimal("13")
    assert total.attendees_total == 25
    assert total.attendees_by_type["hospital_nurse"] == 5
    assert total.attendees_by_type["municipality"] == 10
    assert (total.peer_trained, total.peer_registered, total.peer_active) == (8, 7, 4)


def test_other_year(known_data):
    rows = {(r.region.code if r.region else "pref"): r for r in training_summary(fiscal_year=2023)}
    assert rows["3501"].session_count == 1
    assert rows["3501"].attendees_by_type["other"] == 7
    assert rows["3508"].peer_active == 9


def test_single_region(known_data):
    rows = training_summary(fiscal_year=2022, region=region("3501"))
    assert len(rows) == 1
    assert rows[0].region.code == "3501"
    assert rows[0].attendees_total == 10


def test_query_count_does_not_grow(known_data):
    with CaptureQueriesContext(connection) as small:
        training_summary(fiscal_year=2022)
    for code in ("3502", "3503", "3504"):
        TrainingSessionFactory.create_batch(
            3, region=region(code), attendees={"hospital_doctor": 1, "family": 2}
        )
        PeerSupportProgrammeFactory(region=region(code))
    with CaptureQueriesContext(connection) as large:
        training_summary(fiscal_year=2022)
    assert len(small) == len(large) == 4


def test_summary_page_shows_computed_numbers(known_data, client_for, viewer):
    response = client_for(viewer).get("/training/summary/?fiscal_year=2022")
    assert response.status_code == 200
    html = response.content.decode()
    assert "令和4年度" in html
    total = response.context["total"]
    assert total.session_count == 4
    assert total.attendees_total == 25


def test_it_can_be_limited_to_some_regions_in_one_query_less(known_data):
    """The dashboard asks for its prefecture's regions only (a national database holds 335)."""
    iwakuni = region("3501")
    with CaptureQueriesContext(connection) as everything:
        training_summary(fiscal_year=2022)
    with CaptureQueriesContext(connection) as limited:
        rows = training_summary(fiscal_year=2022, regions=[iwakuni])
    assert [r.region.code if r.region else "pref" for r in rows] == ["3501", "pref"]
    assert (rows[0].session_count, rows[0].attendees_total, rows[0].peer_trained) == (2, 10, 6)
    assert (rows[1].session_count, rows[1].attendees_total) == (1, 10)  # 県全域, not Hagi's
    assert len(limited) == len(everything) - 1  # no list of every region
