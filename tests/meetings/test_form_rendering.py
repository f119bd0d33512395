"""The meeting screens' forms render through crispy: every control present, errors beside their field."""

from django.urls import reverse

from meetings.models import ActionItem, CaseFollowUp, CaseStatus, MeetingStatus
from tests.htmlcheck import classes, control, error_beside
from tests.meetings.factories import ActionItemFactory, CaseFollowUpFactory, MeetingFactory, meeting_form_data


def test_case_list_filter_bar_keeps_the_chosen_region_and_status(client_for, iwakuni_staff):
    follow_up = CaseFollowUpFactory()
    region = follow_up.case.region
    html = (
        client_for(iwakuni_staff)
        .get(reverse("meetings:case_list"), {"region": region.pk, "status": CaseStatus.IN_COMMUNITY})
        .content.decode()
    )
    assert control(html, "case-region")[0] == "select" and {"form-select", "form-select-sm"} <= classes(
        html, "case-region"
    )
    assert f'<option value="{region.pk}" selected>' in html
    assert f'<option value="{CaseStatus.IN_COMMUNITY}" selected>' in html
    assert follow_up.case.display_number in html


def test_follow_up_errors_show_beside_the_field_and_nothing_is_saved(client_for, iwakuni_staff):
    follow_up = CaseFollowUpFactory()
    url = reverse("meetings:case_detail", args=[follow_up.case.pk])
    client = client_for(iwakuni_staff)
    page = client.get(url).content.decode()
    assert control(page, "id_f3-status")[1]["aria-label"] == "退院後3か月の状況"
    assert control(page, "id_f6-note")[0] == "input"

    response = client.post(url, {"f3-status": "", "f3-note": "備考だけ", "f6-status": follow_up.status})

    html = response.content.decode()
    assert response.status_code == 200
    assert "is-invalid" in classes(html, "id_f3-status")
    assert error_beside(html, "id_f3-status") == "備考を記録するときは状況も選んでください。"
    assert control(html, "id_f3-note")[1]["value"] == "備考だけ"
    assert "is-invalid" not in classes(html, "id_f6-status")
    assert list(CaseFollowUp.objects.values_list("months", "note")) == [(6, follow_up.note)]


def test_meeting_page_shows_errors_beside_participant_counts_and_action_rows(client_for, iwakuni_staff):
    meeting = MeetingFactory(status=MeetingStatus.HELD)
    action = ActionItemFactory(meeting=meeting)
    data = meeting_form_data(meeting=meeting, participants={"family": -2})
    data["actions-0-status"] = "done"
    data["actions-0-completed_on"] = ""
    url = reverse("meetings:edit", args=[meeting.pk])

    response = client_for(iwakuni_staff).post(url, data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "is-invalid" in classes(html, "id_p-family")
    assert error_beside(html, "id_p-family") == "人数は0以上で入力してください。"
    assert (
        error_beside(html, "id_actions-0-completed_on") == "状況が「完了」のときは完了日を入力してください。"
    )
    assert control(html, "id_actions-0-description")[1]["aria-label"] == "対応事項"
    assert control(html, "id_actions-0-DELETE")[1]["aria-label"] == "この対応事項を削除"
    assert control(html, "id_actions-0-id")[1]["value"] == str(action.pk)
    # The blank rows the script clones come from the same helper, with no delete box.
    assert 'id="id_actions-__prefix__-description"' in html and "id_actions-__prefix__-DELETE" not in html
    action.refresh_from_db()
    assert action.status != "done" and ActionItem.objects.count() == 1
