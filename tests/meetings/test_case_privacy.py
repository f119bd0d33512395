"""Case details stay with officials and the region's staff on every page and export (the status of each
URL for each persona is in tests/test_permissions.py)."""

from datetime import date

import pytest
from django.urls import reverse

from meetings.models import Meeting
from tests.meetings.factories import CaseReviewFactory, meeting_form_data

PERSONAS = ["official", "iwakuni_staff", "hagi_staff", "viewer"]


@pytest.fixture
def case(reference_data):
    """An iwakuni 事例検討会 with one case: own region for iwakuni_staff, other region for hagi_staff."""
    return CaseReviewFactory(
        summary="グループホーム見学を計画", status="discharged", discharge_month=date(2022, 4, 1)
    )


@pytest.fixture
def meeting(case):
    return case.meeting


def _client(request, client_for, persona):
    return client_for(request.getfixturevalue(persona))


@pytest.mark.parametrize(
    ("persona", "sees_details"),
    [("official", True), ("iwakuni_staff", True), ("hagi_staff", False), ("viewer", False)],
)
def test_case_details_show_only_to_officials_and_own_region(
    request, client_for, meeting, case, persona, sees_details
):
    client = _client(request, client_for, persona)
    detail = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    history = client.get(reverse("meetings:history", args=[meeting.pk])).content.decode()
    assert meeting.title in detail
    assert (case.display_number in detail) is sees_details
    assert ("グループホーム見学を計画" in detail) is sees_details
    assert ("事例の詳細は、担当圏域の保健所職員と県職員のみ閲覧できます" in detail) is not sees_details
    assert "グループホーム見学を計画" not in history or sees_details


@pytest.mark.parametrize("persona", PERSONAS)
def test_exports_never_carry_case_details(request, client_for, meeting, case, persona):
    client = _client(request, client_for, persona)
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("meetings:export", args=[fmt]))
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert case.case_number.encode() not in body and case.display_number.encode() not in body
        assert "グループホーム見学".encode() not in body


@pytest.mark.parametrize(
    ("persona", "region_code", "expected"),
    [
        ("official", "3508", 302),
        ("official", "", 302),
        ("iwakuni_staff", "3501", 302),
        ("iwakuni_staff", "3508", 200),  # refused: the region is not among the form's choices
        ("iwakuni_staff", "", 200),  # refused: prefecture-wide meetings are for officials
        ("hagi_staff", "3501", 200),
        ("hagi_staff", "3508", 302),
        ("viewer", "3501", 403),
    ],
)
def test_create_only_for_own_region(request, client_for, reference_data, persona, region_code, expected):
    from regions.models import Region

    client = _client(request, client_for, persona)
    region = Region.objects.get(code=region_code) if region_code else ""
    response = client.post(
        reverse("meetings:create"), meeting_form_data(region=region, organiser="division:disability_support")
    )
    assert response.status_code == expected
    assert Meeting.objects.exists() is (expected == 302)


def test_case_list_shows_only_own_region_cases(client_for, hagi_staff, iwakuni_staff, case):
    from regions.models import Region

    hagi_case = CaseReviewFactory(meeting__region=Region.objects.get(code="3508"))
    hagi_page = client_for(hagi_staff).get(reverse("meetings:case_list")).content.decode()
    assert hagi_case.display_number in hagi_page
    assert case.display_number not in hagi_page
    success = client_for(iwakuni_staff).get(reverse("meetings:success_list"))
    assert success.status_code == 200


def test_unknown_ids_are_404(client_for, official):
    client = client_for(official)
    assert client.get(reverse("meetings:detail", args=[999999])).status_code == 404
    assert client.get(reverse("meetings:edit", args=[999999])).status_code == 404
    assert client.get(reverse("meetings:case_detail", args=[999999])).status_code == 404
    assert client.get(reverse("meetings:export", args=["pdf"])).status_code == 404


def test_followups_are_saved_only_by_own_region(client_for, iwakuni_staff, hagi_staff, case):
    url = reverse("meetings:case_detail", args=[case.pk])
    data = {
        "version": str(case.meeting.version),
        "f3-status": "in_community",
        "f3-note": "GHで生活",
        "f6-status": "",
        "f12-status": "",
    }
    assert client_for(hagi_staff).post(url, data).status_code == 403
    assert not case.followups.exists()
    response = client_for(iwakuni_staff).post(url, data)
    assert response.status_code == 302
    assert case.followups.get().status == "in_community"
