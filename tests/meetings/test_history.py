"""History (who, when, which fields, old → new), soft delete and restore, and edit conflicts."""

import pytest
from django.urls import reverse

from core.models import ChangeRecord
from meetings.models import Meeting, MeetingKind
from tests.factories import Role, make_user
from tests.meetings.factories import ACTION_ROW, CASE_ROW, meeting_form_data


def _create(client):
    data = meeting_form_data(
        kind=MeetingKind.CASE_REVIEW,
        title="第1回 岩国圏域 地域移行事例検討会",
        participants={"hospital_psw": 2, "peer": 1},
        actions=[ACTION_ROW],
        cases=[CASE_ROW],
    )
    response = client.post(reverse("meetings:create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Meeting.objects.get()


def test_create_change_delete_restore_are_recorded(client_for, iwakuni_staff, official):
    client = client_for(iwakuni_staff)
    meeting = _create(client)
    created = ChangeRecord.objects.for_object(meeting).get()
    assert created.action == "create"
    assert created.username == "iwakuni-staff"
    assert created.changes["title"]["new"] == "第1回 岩国圏域 地域移行事例検討会"
    assert created.changes["participants.hospital_psw"] == {
        "label": "参加者数：精神科病院：精神保健福祉士",
        "old": None,
        "new": 2,
    }

    action = meeting.action_items.get()
    case = meeting.cases.get()
    data = meeting_form_data(meeting=meeting, title="第1回 事例検討会（改）", participants={"peer": 3})
    data["actions-0-status"] = "in_progress"
    data["cases-0-status"] = "discharged"
    data["cases-0-discharge_month"] = "2022-11"
    response = client.post(reverse("meetings:edit", args=[meeting.pk]), data)
    assert response.status_code == 302
    update = ChangeRecord.objects.for_object(meeting).newest_first().first()
    assert update.action == "update"
    changes = update.changes
    assert changes["title"]["old"] == "第1回 岩国圏域 地域移行事例検討会"
    assert changes["title"]["new"] == "第1回 事例検討会（改）"
    assert changes["participants.peer"] == {"label": "参加者数：当事者・ピアサポーター", "old": 1, "new": 3}
    assert changes[f"action.{action.pk}.status"]["old"] == "未着手"
    assert changes[f"action.{action.pk}.status"]["new"] == "対応中"
    assert changes[f"case.{case.pk}.status"]["new"] == "退院"
    assert changes[f"case.{case.pk}.discharge_month"] == {
        "label": f"事例 {case.case_number}：退院年月",
        "old": None,
        "new": "2022-11",
    }
    assert "hospital_psw" not in " ".join(changes)  # unchanged fields are not listed

    page = client.get(reverse("meetings:history", args=[meeting.pk])).content.decode()
    for text in (
        "変更",
        "iwakuni-staff",
        "会議名",
        "第1回 岩国圏域 地域移行事例検討会",
        "第1回 事例検討会（改）",
        "対応中",
    ):
        assert text in page

    # Staff delete (soft); the meeting leaves the list and its pages for everyone but officials.
    assert client.post(reverse("meetings:delete", args=[meeting.pk]), {"confirmed": "yes"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.deleted_at is not None
    assert meeting.deleted_by == iwakuni_staff
    assert meeting not in client.get(reverse("meetings:index")).context["meetings"]
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 404

    official_client = client_for(official)
    assert meeting not in official_client.get(reverse("meetings:index")).context["meetings"]
    deleted_list = official_client.get(reverse("meetings:index"), {"deleted": "on"})
    assert [m.pk for m in deleted_list.context["meetings"]] == [meeting.pk]
    assert "削除済み" in deleted_list.content.decode()
    assert (
        official_client.post(reverse("meetings:restore", args=[meeting.pk]), {"confirmed": "yes"}).status_code
        == 302
    )
    meeting.refresh_from_db()
    assert meeting.deleted_at is None
    assert meeting.cases.count() == 1 and meeting.action_items.count() == 1
    actions = list(
        ChangeRecord.objects.for_object(meeting).order_by("at", "pk").values_list("action", flat=True)
    )
    assert actions == ["create", "update", "delete", "restore"]
    page = official_client.get(reverse("meetings:history", args=[meeting.pk])).content.decode()
    assert "削除" in page and "復元" in page and "official" in page


def test_saving_without_changes_records_nothing(client_for, iwakuni_staff):
    client = client_for(iwakuni_staff)
    meeting = _create(client)
    client.post(reverse("meetings:edit", args=[meeting.pk]), meeting_form_data(meeting=meeting))
    assert ChangeRecord.objects.for_object(meeting).count() == 1


def test_removing_rows_is_recorded(client_for, iwakuni_staff):
    client = client_for(iwakuni_staff)
    meeting = _create(client)
    action = meeting.action_items.get()
    data = meeting_form_data(meeting=meeting)
    data["actions-0-DELETE"] = "on"
    assert client.post(reverse("meetings:edit", args=[meeting.pk]), data).status_code == 302
    assert not meeting.action_items.exists()
    changes = ChangeRecord.objects.for_object(meeting).newest_first().first().changes
    assert changes[f"action.{action.pk}.description"]["old"] == ACTION_ROW["description"]
    assert changes[f"action.{action.pk}.description"]["new"] is None


def test_bad_input_changes_nothing(client_for, iwakuni_staff):
    client = client_for(iwakuni_staff)
    meeting = _create(client)
    data = meeting_form_data(meeting=meeting, title="", agenda="連絡先 090-1234-5678")
    response = client.post(reverse("meetings:edit", args=[meeting.pk]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "会議名を入力してください。" in page
    assert "電話番号のような記載" in page
    meeting.refresh_from_db()
    assert meeting.title == "第1回 岩国圏域 地域移行事例検討会"
    assert meeting.version == 1
    assert ChangeRecord.objects.for_object(meeting).count() == 1


@pytest.fixture
def second_iwakuni_staff(reference_data):
    return make_user("iwakuni-staff-2", Role.HEALTH_CENTRE, health_centre="iwakuni")


def test_a_later_save_on_an_old_version_is_refused_and_shows_what_changed(
    client, iwakuni_staff, second_iwakuni_staff
):
    client.force_login(iwakuni_staff)
    meeting = _create(client)
    # Both open the edit page at version 1.
    first = meeting_form_data(meeting=meeting, title="Aさんの会議名", participants={"peer": 5})
    second = meeting_form_data(meeting=meeting, title="Bさんの会議名", place="萩ではなく岩国")
    assert first["version"] == second["version"] == "1"

    assert client.post(reverse("meetings:edit", args=[meeting.pk]), first).status_code == 302
    client.force_login(second_iwakuni_staff)
    response = client.post(reverse("meetings:edit", args=[meeting.pk]), second)
    assert response.status_code == 200
    page = response.content.decode()
    assert "他の利用者が先にこの会議を保存したため、保存しませんでした" in page
    assert 'data-testid="conflict"' in page
    assert "Aさんの会議名" in page and "Bさんの会議名" in page
    assert "参加者数：当事者・ピアサポーター" in page  # the other's change, with the editor's value

    meeting.refresh_from_db()
    assert meeting.title == "Aさんの会議名"  # no silent lost update
    assert meeting.place == "岩国健康福祉センター"
    assert meeting.version == 2
    assert ChangeRecord.objects.for_object(meeting).count() == 2

    # The form now carries the current version: saving again is a deliberate overwrite.
    assert response.context["editor"].form["version"].value() == "2"
    second["version"] = "2"
    assert client.post(reverse("meetings:edit", args=[meeting.pk]), second).status_code == 302
    meeting.refresh_from_db()
    assert meeting.title == "Bさんの会議名"
    assert meeting.version == 3
