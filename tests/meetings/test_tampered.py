"""A posted formset row id that is not a row of the meeting being edited is refused; nothing is saved."""

import pytest
from django.urls import reverse

from core.forms import FOREIGN_ROW_MESSAGE
from core.models import ChangeRecord
from meetings.models import ActionItem, CaseReview, MeetingKind
from regions.models import HealthCentre, Region
from tests.meetings.factories import ActionItemFactory, CaseReviewFactory, meeting_form_data


def _database():
    return (
        list(ActionItem.objects.order_by("pk").values()),
        list(CaseReview.objects.order_by("pk").values()),
        ChangeRecord.objects.count(),
    )


@pytest.fixture
def own(reference_data):
    case = CaseReviewFactory()  # a case review meeting of Iwakuni (3501) with one case
    ActionItemFactory(meeting=case.meeting)
    return case.meeting


@pytest.fixture
def foreign(reference_data):
    """Another region's meeting (萩, 3508) with an action item and a case."""
    case = CaseReviewFactory(
        meeting__region=Region.objects.get(code="3508"),
        meeting__organiser_centre=HealthCentre.objects.get(code="hagi"),
        meeting__kind=MeetingKind.CASE_REVIEW,
    )
    ActionItemFactory(meeting=case.meeting)
    return case.meeting


def _other_iwakuni_meeting():
    case = CaseReviewFactory()
    ActionItemFactory(meeting=case.meeting)
    return case.meeting


@pytest.mark.parametrize("prefix", ["actions", "cases"])
@pytest.mark.parametrize("whose", ["other_region", "other_meeting", "nonexistent"])
def test_a_tampered_row_id_is_refused(client_for, iwakuni_staff, own, foreign, prefix, whose):
    other = {"other_region": foreign, "other_meeting": _other_iwakuni_meeting()}.get(whose)
    if other is None:
        target_id = 99_999_999
    else:
        target_id = (other.action_items if prefix == "actions" else other.cases).get().pk
    data = meeting_form_data(meeting=own, title="改ざんされた送信")
    data[f"{prefix}-0-id"] = str(target_id)
    data[f"{prefix}-0-{'description' if prefix == 'actions' else 'summary'}"] = "他の行を書き換えようとした"
    before = _database()

    response = client_for(iwakuni_staff).post(reverse("meetings:edit", args=[own.pk]), data)

    assert response.status_code == 200
    assert FOREIGN_ROW_MESSAGE in response.content.decode()
    assert _database() == before  # no new row, no changed row, no history
    own.refresh_from_db()
    assert own.title != "改ざんされた送信" and own.version == 1


@pytest.mark.parametrize("prefix", ["actions", "cases"])
def test_an_added_row_carrying_an_id_is_refused(client_for, iwakuni_staff, own, prefix):
    """A row past INITIAL_FORMS that names an existing row would be saved as a copy of it."""
    data = meeting_form_data(meeting=own)
    row = "actions-0" if prefix == "actions" else "cases-0"
    existing = {k.removeprefix(f"{row}-"): v for k, v in data.items() if k.startswith(f"{row}-")}
    for name, value in existing.items():
        data[f"{prefix}-1-{name}"] = value
    data[f"{prefix}-TOTAL_FORMS"] = "2"
    before = _database()
    response = client_for(iwakuni_staff).post(reverse("meetings:edit", args=[own.pk]), data)
    assert response.status_code == 200
    assert FOREIGN_ROW_MESSAGE in response.content.decode()
    assert _database() == before


def test_a_missing_row_id_is_refused(client_for, iwakuni_staff, own):
    data = meeting_form_data(meeting=own)
    data["actions-0-id"] = ""
    before = _database()
    response = client_for(iwakuni_staff).post(reverse("meetings:edit", args=[own.pk]), data)
    assert response.status_code == 200
    assert FOREIGN_ROW_MESSAGE in response.content.decode()
    assert _database() == before


def test_the_own_rows_still_save(client_for, iwakuni_staff, own):
    data = meeting_form_data(meeting=own)
    data["actions-0-description"] = "正しい行の変更"
    assert client_for(iwakuni_staff).post(reverse("meetings:edit", args=[own.pk]), data).status_code == 302
    assert own.action_items.get().description == "正しい行の変更"
