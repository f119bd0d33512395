"""Issue #13: case pages, case exports and every download are sent with `Cache-Control: no-store, private`."""

from datetime import date

import pytest
from django.core.management import call_command

from meetings.models import CaseStatus
from tests.meetings.factories import CaseFollowUpFactory, CaseReviewFactory


def assert_no_store(response):
    assert response.status_code == 200, response.status_code
    cache_control = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    assert {"no-store", "private"} <= cache_control, response.get("Cache-Control")
    assert "public" not in cache_control


@pytest.fixture
def case(reference_data):
    case = CaseReviewFactory(status=CaseStatus.IN_COMMUNITY, discharge_month=date(2022, 4, 1))
    CaseFollowUpFactory(case=case)
    return case


@pytest.mark.parametrize(
    "url",
    [
        "/meetings/{meeting}/",
        "/meetings/{meeting}/history/",
        "/meetings/{meeting}/edit/",
        "/meetings/cases/",
        "/meetings/cases/{case}/",
        "/meetings/success/",
    ],
)
def test_case_pages_are_not_cached(client_for, iwakuni_staff, case, url):
    assert_no_store(client_for(iwakuni_staff).get(url.format(meeting=case.meeting_id, case=case.pk)))


@pytest.mark.parametrize(
    "url",
    [
        "/meetings/export.csv",
        "/meetings/export.xlsx",
        "/training/export.csv",
        "/training/export.xlsx",
        "/audit/export.csv",
    ],
)
def test_exports_are_not_cached(client_for, official, case, url):
    assert_no_store(client_for(official).get(url))


@pytest.mark.parametrize("url", ["/sheets/2022.pdf", "/sheets/2022/regions/3501.pdf"])
def test_pdfs_are_not_cached(client_for, official, case, url):
    call_command("load_sheet", verbosity=0)
    assert_no_store(client_for(official).get(url))


@pytest.mark.parametrize("url", ["/indicators/export/status.csv", "/indicators/export/matrix.xlsx"])
def test_indicator_exports_are_not_cached(client_for, viewer, url):
    call_command("load_sheet", verbosity=0)
    assert_no_store(client_for(viewer).get(url))


def test_ordinary_pages_keep_their_caching(client_for, viewer):
    response = client_for(viewer).get("/meetings/")
    assert "no-store" not in response.get("Cache-Control", "")
