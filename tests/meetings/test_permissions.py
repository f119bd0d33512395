"""The permission matrix: role × action × own / other region, enforced on the server."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

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


MATRIX = [
    # (action, {persona: expected status})
    ("detail", {"official": 200, "iwakuni_staff": 200, "hagi_staff": 200, "viewer": 200}),
    ("history", {"official": 200, "iwakuni_staff": 200, "hagi_staff": 200, "viewer": 200}),
    ("edit_get", {"official": 200, "iwakuni_staff": 200, "hagi_staff": 403, "viewer": 403}),
    ("edit_post", {"official": 302, "iwakuni_staff": 302, "hagi_staff": 403, "viewer": 403}),
    ("delete", {"official": 302, "iwakuni_staff": 302, "hagi_staff": 403, "viewer": 403}),
    ("restore", {"official": 302, "iwakuni_staff": 403, "hagi_staff": 403, "viewer": 403}),
    ("deleted_detail", {"official": 200, "iwakuni_staff": 404, "hagi_staff": 404, "viewer": 404}),
    ("case_detail", {"official": 200, "iwakuni_staff": 200, "hagi_staff": 403, "viewer": 403}),
    ("case_list", {"official": 200, "iwakuni_staff": 200, "hagi_staff": 200, "viewer": 403}),
    ("create_get", {"official": 200, "iwakuni_staff": 200, "hagi_staff": 200, "viewer": 403}),
    ("list", {"official": 200, "iwakuni_staff": 200, "hagi_staff": 200, "viewer": 200}),
    ("export_csv", {"official": 200, "iwakuni_staff": 200, "hagi_staff": 200, "viewer": 200}),
    ("success", {"official": 200, "iwakuni_staff": 200, "hagi_staff": 200, "viewer": 200}),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("action", "expected"), MATRIX, ids=[m[0] for m in MATRIX])
def test_it_enforces_the_matrix(request, client_for, meeting, case, persona, action, expected):
    client = _client(request, client_for, persona)
    pk = meeting.pk
    if action == "detail":
        response = client.get(reverse("meetings:detail", args=[pk]))
    elif action == "history":
        response = client.get(reverse("meetings:history", args=[pk]))
    elif action == "edit_get":
        response = client.get(reverse("meetings:edit", args=[pk]))
    elif action == "edit_post":
        data = meeting_form_data(meeting=meeting, title="書き換えた会議名")
        response = client.post(reverse("meetings:edit", args=[pk]), data)
    elif action == "delete":
        response = client.post(reverse("meetings:delete", args=[pk]))
    elif action in {"restore", "deleted_detail"}:
        deleted = Meeting.objects.get(pk=pk)
        deleted.deleted_at = timezone.now()
        deleted.save(update_fields=["deleted_at"])
        url = "meetings:restore" if action == "restore" else "meetings:detail"
        response = (
            client.post(reverse(url, args=[pk]))
            if action == "restore"
            else client.get(reverse(url, args=[pk]))
        )
    elif action == "case_detail":
        response = client.get(reverse("meetings:case_detail", args=[case.pk]))
    elif action == "case_list":
        response = client.get(reverse("meetings:case_list"))
    elif action == "create_get":
        response = client.get(reverse("meetings:create"))
    elif action == "list":
        response = client.get(reverse("meetings:index"))
    elif action == "export_csv":
        response = client.get(reverse("meetings:export", args=["csv"]))
    else:
        response = client.get(reverse("meetings:success_list"))
    assert response.status_code == expected[persona]

    meeting.refresh_from_db()
    if action == "edit_post":
        assert (meeting.title == "書き換えた会議名") is (expected[persona] == 302)
    if action == "delete":
        assert (meeting.deleted_at is not None) is (expected[persona] == 302)
    if action == "restore":
        assert (meeting.deleted_at is None) is (expected[persona] == 302)


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
    assert (case.case_number in detail) is sees_details
    assert ("グループホーム見学を計画" in detail) is sees_details
    assert ("事例の詳細は、担当圏域の保健所職員と県職員のみ閲覧できます" in detail) is not sees_details
    assert "グループホーム見学を計画" not in history or sees_details


@pytest.mark.parametrize("persona", PERSONAS)
def test_exports_never_carry_case_details(request, client_for, meeting, case, persona):
    client = _client(request, client_for, persona)
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("meetings:export", args=[fmt]))
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert case.case_number.encode() not in body
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
    assert hagi_case.case_number in hagi_page
    assert case.case_number not in hagi_page
    success = client_for(iwakuni_staff).get(reverse("meetings:success_list"))
    assert success.status_code == 200


def test_unknown_ids_are_404(client_for, official):
    client = client_for(official)
    assert client.get(reverse("meetings:detail", args=[999999])).status_code == 404
    assert client.get(reverse("meetings:edit", args=[999999])).status_code == 404
    assert client.get(reverse("meetings:case_detail", args=[999999])).status_code == 404
    assert client.get(reverse("meetings:export", args=["pdf"])).status_code == 404


def test_anonymous_users_are_sent_to_login(client, meeting):
    response = client.get(reverse("meetings:detail", args=[meeting.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


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
