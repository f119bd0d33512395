"""Case follow-ups (追跡調査) are versioned with their meeting: a stale case page is refused, not merged."""

from datetime import date

import pytest
from django.urls import reverse

from core.models import ChangeRecord
from meetings import services
from meetings.models import CaseStatus, Meeting
from tests.factories import Role, make_user
from tests.meetings.factories import CaseReviewFactory, meeting_form_data


@pytest.fixture
def case(reference_data):
    return CaseReviewFactory(status=CaseStatus.IN_COMMUNITY, discharge_month=date(2022, 4, 1))


@pytest.fixture
def colleague(reference_data):
    return make_user("iwakuni-staff-2", Role.HEALTH_CENTRE, health_centre="iwakuni")


def _followups(version, **rows):
    data = {"version": str(version), "f3-status": "", "f6-status": "", "f12-status": ""}
    for key, (status, note) in rows.items():
        data[f"{key}-status"], data[f"{key}-note"] = status, note
    return data


def test_a_stale_followup_save_is_refused_and_the_first_is_kept(client, case, iwakuni_staff, colleague):
    url = reverse("meetings:case_detail", args=[case.pk])
    loaded = case.meeting.version  # A and B both open the case page at this version
    client.force_login(iwakuni_staff)
    a = _followups(loaded, f3=("in_community", "Aの記録: GHで生活"), f6=("in_community", "6か月も地域で"))
    assert client.post(url, a).status_code == 302
    assert case.followups.count() == 2

    client.force_login(colleague)
    b = _followups(loaded, f3=("readmitted", "Bの古い画面からの入力"))
    response = client.post(url, b)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="conflict"' in page
    assert "追跡調査を保存しませんでした" in page
    assert "Aの記録: GHで生活" in page and "Bの古い画面からの入力" in page
    # A's note and A's 6-month follow-up are intact: nothing of B's stale form was saved.
    stored = {f.months: (f.status, f.note) for f in case.followups.all()}
    assert stored == {3: ("in_community", "Aの記録: GHで生活"), 6: ("in_community", "6か月も地域で")}
    meeting = Meeting.objects.get(pk=case.meeting_id)
    assert meeting.version == loaded + 1
    assert ChangeRecord.objects.for_object(meeting).count() == 1

    # The page now carries the stored version: saving again is a deliberate overwrite.
    assert response.context["version_form"]["version"].value() == str(loaded + 1)
    b["version"] = str(loaded + 1)
    assert client.post(url, b).status_code == 302
    assert {f.months: f.status for f in case.followups.all()} == {3: "readmitted"}


def test_a_meeting_edit_after_a_followup_save_is_a_conflict_without_false_rows(client, case, iwakuni_staff):
    """The meeting page does not edit follow-ups: its conflict table does not claim to remove them."""
    client.force_login(iwakuni_staff)
    meeting = case.meeting
    stale = meeting_form_data(meeting=meeting, title="古い画面での会議名")
    services.case_followups_update(
        by=iwakuni_staff,
        case=case,
        rows={3: {"status": "in_community", "note": "先に保存"}},
        today=date(2023, 4, 1),
        expected_version=meeting.version,
    )
    response = client.post(reverse("meetings:edit", args=[meeting.pk]), stale)
    assert response.status_code == 200
    assert response.context["conflict_rows"] == []
    meeting.refresh_from_db()
    assert meeting.title != "古い画面での会議名"
    assert case.followups.get().note == "先に保存"


def test_the_followup_service_refuses_a_stale_version(case, iwakuni_staff):
    version = case.meeting.version
    rows = {3: {"status": "in_community", "note": ""}}
    services.case_followups_update(
        by=iwakuni_staff, case=case, rows=rows, today=date(2023, 4, 1), expected_version=version
    )
    with pytest.raises(services.EditConflict):
        services.case_followups_update(
            by=iwakuni_staff, case=case, rows={3: None}, today=date(2023, 4, 1), expected_version=version
        )
    assert case.followups.count() == 1
