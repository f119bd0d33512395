"""The case section per meeting kind (issue #19, item 2): shown for the kinds that take cases, kept with
what was typed when the kind changes (「種別を変更して表示し直す」 without JavaScript), and case rows on a kind
without cases refused with the reason — never dropped silently."""

from __future__ import annotations

import re

from django.urls import reverse

from meetings.models import CaseReview, Meeting, MeetingKind
from tests.htmlcheck import control
from tests.meetings.factories import CASE_ROW, CaseReviewFactory, MeetingFactory, meeting_form_data


def _case_section(html: str) -> str:
    """The opening tag of the case section."""
    return re.search(r"<section[^>]*data-case-section[^>]*>", html).group(0)


def test_the_case_section_is_hidden_until_the_kind_takes_cases(client_for, iwakuni_staff):
    client = client_for(iwakuni_staff)
    plain = client.get(reverse("meetings:create")).content.decode()
    assert " hidden" in _case_section(plain)
    assert 'data-case-kinds="case_review"' in _case_section(plain)
    assert "種別を変更して表示し直す" in plain
    chosen = client.get(reverse("meetings:create"), {"kind": MeetingKind.CASE_REVIEW}).content.decode()
    assert " hidden" not in _case_section(chosen)
    other = client.get(reverse("meetings:create"), {"kind": MeetingKind.VENUE_REGION}).content.decode()
    assert " hidden" in _case_section(other)


def test_rekind_shows_the_page_again_with_everything_typed_and_saves_nothing(client_for, iwakuni_staff):
    client = client_for(iwakuni_staff)
    case = {**CASE_ROW, "summary": "住まいの体験利用を計画した。"}
    data = meeting_form_data(
        kind=MeetingKind.CASE_REVIEW,
        title="種別を変えて表示し直した会議",
        minutes="議事の要旨",
        cases=[case],
        actions=[{"description": "病院訪問", "responsible": "保健所", "status": "not_started"}],
        participants={"peer": 2},
        _rekind="1",
    )
    response = client.post(reverse("meetings:create"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert not Meeting.objects.exists()
    assert "まだ保存していません" in html and "地域移行事例検討会" in html
    assert " hidden" not in _case_section(html)
    assert control(html, "id_title")[1]["value"] == "種別を変えて表示し直した会議"
    assert "住まいの体験利用を計画した。" in html and "議事の要旨" in html
    assert control(html, "id_actions-0-description")[1]["value"] == "病院訪問"
    assert control(html, "id_p-peer")[1]["value"] == "2"
    assert "is-invalid" not in html and "alert-danger" not in html  # no errors shown: nothing was checked

    # Another kind: the section is hidden again, the typed case still in the page (and so posted).
    data["kind"] = MeetingKind.REGIONAL_COORDINATION
    html = client.post(reverse("meetings:create"), data).content.decode()
    assert "住まいの体験利用を計画した。" in html
    assert not Meeting.objects.exists()


def test_rekind_on_a_page_with_errors_shows_none_of_them(client_for, iwakuni_staff):
    data = meeting_form_data(title="", date="not a date", _rekind="1")
    html = client_for(iwakuni_staff).post(reverse("meetings:create"), data).content.decode()
    assert "is-invalid" not in html
    assert control(html, "id_date")[1]["value"] == "not a date"


def test_cases_typed_on_another_kind_are_refused_with_the_reason_and_kept(client_for, iwakuni_staff):
    case = {**CASE_ROW, "summary": "種別違いで入力した事例"}
    data = meeting_form_data(kind=MeetingKind.REGIONAL_COORDINATION, cases=[case])
    response = client_for(iwakuni_staff).post(reverse("meetings:create"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert not Meeting.objects.exists()
    assert "この種別では事例を登録しません。入力した事例は保存されません。" in html
    assert "入力した事例を破棄して保存する" in html
    assert " hidden" not in _case_section(html)  # shown: the user sees what would be lost
    assert "種別違いで入力した事例" in html


def test_an_incomplete_case_on_another_kind_is_refused_not_reported_field_by_field(client_for, iwakuni_staff):
    data = meeting_form_data(kind=MeetingKind.REGIONAL_COORDINATION, cases=[{"summary": "途中まで"}])
    html = client_for(iwakuni_staff).post(reverse("meetings:create"), data).content.decode()
    assert "この種別では事例を登録しません。" in html
    assert "このフィールドは必須です" not in html and not Meeting.objects.exists()


def test_discarding_the_typed_cases_saves_the_meeting_without_them(client_for, iwakuni_staff):
    data = meeting_form_data(
        kind=MeetingKind.REGIONAL_COORDINATION, cases=[{"summary": "途中まで"}], discard_cases="on"
    )
    response = client_for(iwakuni_staff).post(reverse("meetings:create"), data)
    assert response.status_code == 302
    assert Meeting.objects.get().kind == MeetingKind.REGIONAL_COORDINATION
    assert not CaseReview.objects.exists()


def test_a_case_review_saves_its_case(client_for, iwakuni_staff):
    data = meeting_form_data(kind=MeetingKind.CASE_REVIEW, cases=[CASE_ROW])
    assert client_for(iwakuni_staff).post(reverse("meetings:create"), data).status_code == 302
    assert CaseReview.objects.get().meeting == Meeting.objects.get()


def test_editing_a_meeting_with_cases_cannot_change_its_kind_away(client_for, iwakuni_staff):
    case = CaseReviewFactory()
    meeting = case.meeting
    client = client_for(iwakuni_staff)
    url = reverse("meetings:edit", args=[meeting.pk])
    assert " hidden" not in _case_section(client.get(url).content.decode())
    data = meeting_form_data(meeting=meeting, kind=MeetingKind.REGIONAL_COORDINATION, discard_cases="on")
    html = client.post(url, data).content.decode()
    assert "事例が登録された会議の種別は変更できません" in html
    meeting.refresh_from_db()
    assert meeting.kind == MeetingKind.CASE_REVIEW and meeting.cases.count() == 1


def test_editing_works_the_same_rekind_and_refusal(client_for, iwakuni_staff):
    meeting = MeetingFactory(kind=MeetingKind.REGIONAL_COORDINATION)
    client = client_for(iwakuni_staff)
    url = reverse("meetings:edit", args=[meeting.pk])
    assert " hidden" in _case_section(client.get(url).content.decode())
    data = meeting_form_data(meeting=meeting, kind=MeetingKind.CASE_REVIEW, title="編集中", _rekind="1")
    html = client.post(url, data).content.decode()
    assert " hidden" not in _case_section(html) and "まだ保存していません" in html
    meeting.refresh_from_db()
    assert meeting.kind == MeetingKind.REGIONAL_COORDINATION and meeting.title != "編集中"

    data = meeting_form_data(meeting=meeting, cases=[CASE_ROW])
    html = client.post(url, data).content.decode()
    assert "この種別では事例を登録しません。" in html and not CaseReview.objects.exists()
    data = meeting_form_data(meeting=meeting, kind=MeetingKind.CASE_REVIEW, cases=[CASE_ROW])
    assert client.post(url, data).status_code == 302
    assert CaseReview.objects.get().meeting == meeting
