"""Model, form and service validation, including the identifier checks on free text."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from meetings import services
from meetings.forms import ActionItemForm, CaseReviewForm, MeetingEditor
from meetings.models import ActionItem, CaseReview, Meeting, MeetingKind, Participation
from meetings.validators import find_identifiers, validate_no_identifiers
from tests.meetings.factories import (
    ACTION_ROW,
    CASE_ROW,
    ActionItemFactory,
    CaseFollowUpFactory,
    CaseReviewFactory,
    MeetingFactory,
    meeting_form_data,
)


@pytest.mark.parametrize(
    "text",
    [
        "本人の携帯 090-1234-5678",
        "自宅 ０８２７－２９－１５００ に連絡",
        "(0827)29-1500",
        "0827291500",
        "番号 1234 5678 9012",
        "１２３４５６７８９０１２",
        "1950年1月2日生",
        "S25.1.2",
        "昭和25年1月2日",
        "1950-01-02 生まれ",
        "生年月日：平成2年3月4日",
    ],
)
def test_it_refuses_identifiers(text):
    with pytest.raises(ValidationError) as exc:
        validate_no_identifiers(text)
    message = " ".join(exc.value.messages)
    assert any(word in message for word in ("電話番号", "マイナンバー", "生年月日"))


@pytest.mark.parametrize(
    "text",
    [
        "令和4年10月5日に退院した",
        "2022-10-05 の会議で検討",
        "入院は昭和55年頃",
        "参加者 12名、3回目の検討",
        "R4年度 第2回 14:00-16:00",
        "2022年4月1日から2023年3月31日まで",
        "60歳代 男性 統合失調症",
    ],
)
def test_it_accepts_ordinary_text(text):
    assert find_identifiers(text) == []
    validate_no_identifiers(text)


def test_it_names_the_kind_of_identifier():
    messages = find_identifiers("090-1234-5678 昭和25年1月2日生")
    assert len(messages) == 2
    assert messages[0].startswith("電話番号のような記載（090-1234-5678）")
    assert "生年月日のような日付" in messages[1]


def test_case_model_has_no_identifying_fields():
    names = {f.name for f in CaseReview._meta.get_fields()}
    forbidden = {"name", "address", "birth_date", "date_of_birth", "patient_number", "insurance_number"}
    assert not names & forbidden
    assert not [n for n in names if any(w in n for w in ("name", "address", "birth", "patient", "insur"))]


@pytest.mark.django_db
def test_case_form_refuses_a_phone_number_in_the_summary():
    form = CaseReviewForm(data={**CASE_ROW, "summary": "家族の連絡先 083-922-1111"})
    assert not form.is_valid()
    assert "電話番号のような記載" in form.errors["summary"][0]


@pytest.mark.django_db
def test_case_form_requires_discharge_month_once_discharged_and_keeps_month_precision():
    form = CaseReviewForm(data={**CASE_ROW, "status": "discharged"})
    assert not form.is_valid()
    assert form.errors["discharge_month"] == ["退院した事例には退院年月を入力してください。"]
    form = CaseReviewForm(data={**CASE_ROW, "status": "discharged", "discharge_month": "2022-10"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["discharge_month"] == date(2022, 10, 1)


@pytest.mark.django_db
def test_case_form_refuses_unknown_barrier():
    form = CaseReviewForm(data={**CASE_ROW, "barriers": ["housing", "name"]})
    assert not form.is_valid()
    assert "barriers" in form.errors


@pytest.mark.django_db
def test_action_form_ties_completion_date_to_done():
    form = ActionItemForm(data={**ACTION_ROW, "status": "done"})
    assert not form.is_valid()
    assert form.errors["completed_on"] == ["状況が「完了」のときは完了日を入力してください。"]
    form = ActionItemForm(data={**ACTION_ROW, "completed_on": "2022-11-01"})
    assert not form.is_valid()
    form = ActionItemForm(data={**ACTION_ROW, "status": "done", "completed_on": "2022-11-01"})
    assert form.is_valid(), form.errors


def test_editor_refuses_negative_participants_and_identifiers_in_minutes(iwakuni_staff):
    data = meeting_form_data(participants={"peer": -1}, minutes="本人 090-1111-2222 に確認")
    editor = MeetingEditor(user=iwakuni_staff, data=data)
    assert not editor.is_valid()
    assert editor.participants.errors["peer"] == ["人数は0以上で入力してください。"]
    assert "電話番号のような記載" in editor.form.errors["minutes"][0]


def test_editor_refuses_cases_on_a_non_case_review_meeting(iwakuni_staff):
    editor = MeetingEditor(user=iwakuni_staff, data=meeting_form_data(cases=[CASE_ROW]))
    assert not editor.is_valid()
    assert "この種別では事例を登録しません。" in editor.form.errors["discard_cases"][0]


def test_editor_refuses_end_before_start(iwakuni_staff):
    editor = MeetingEditor(user=iwakuni_staff, data=meeting_form_data(start_time="16:00", end_time="14:00"))
    assert not editor.is_valid()
    assert editor.form.errors["end_time"] == ["終了時刻は開始時刻より後にしてください。"]


def test_staff_cannot_choose_another_region_or_prefecture_wide(iwakuni_staff, reference_data):
    from regions.models import Region

    hagi = Region.objects.get(code="3508")
    editor = MeetingEditor(user=iwakuni_staff, data=meeting_form_data(region=hagi))
    assert not editor.is_valid()
    assert "region" in editor.form.errors
    editor = MeetingEditor(user=iwakuni_staff, data={**meeting_form_data(), "region": ""})
    assert not editor.is_valid()


def _create(by, **overrides):
    editor = MeetingEditor(user=by, data=meeting_form_data(**overrides))
    assert editor.is_valid(), (editor.form.errors, editor.actions.errors, editor.cases.errors)
    return services.meeting_create(by=by, **editor.service_kwargs())


def test_service_derives_fiscal_year_and_numbers_cases_per_region(iwakuni_staff):
    meeting = _create(
        iwakuni_staff,
        kind=MeetingKind.CASE_REVIEW,
        date="2023-03-31",
        cases=[CASE_ROW, {**CASE_ROW, "age_band": "40s"}],
        actions=[{**ACTION_ROW, "due_date": "2023-05-31"}],  # due after the meeting (meetings.sanity)
        participants={"hospital_psw": 2, "peer": 1},
    )
    assert meeting.fiscal_year == 2022
    assert list(meeting.cases.values_list("case_number", flat=True).order_by("pk")) == [
        "岩国-2022-001",
        "岩国-2022-002",
    ]
    assert dict(meeting.participations.values_list("category", "count")) == {"hospital_psw": 2, "peer": 1}
    assert meeting.action_items.count() == 1
    later = _create(iwakuni_staff, kind=MeetingKind.CASE_REVIEW, date="2023-04-01", cases=[CASE_ROW])
    assert later.fiscal_year == 2023
    assert later.cases.get().case_number == "岩国-2023-001"


def test_service_refuses_prefecture_wide_meeting_from_staff(iwakuni_staff):
    editor = MeetingEditor(user=iwakuni_staff, data=meeting_form_data())
    assert editor.is_valid()
    kwargs = editor.service_kwargs()
    kwargs["fields"]["region"] = None
    with pytest.raises(PermissionDenied):
        services.meeting_create(by=iwakuni_staff, **kwargs)
    assert not Meeting.objects.exists()


def test_official_may_create_prefecture_wide_meeting(official):
    meeting = _create(official, region="", organiser="division:disability_support", kind="prefecture_council")
    assert meeting.region is None
    assert meeting.region_label == "県全域"
    assert meeting.organiser_label == "山口県 障害者支援課"


def test_database_refuses_two_organisers_and_negative_counts(reference_data):
    meeting = MeetingFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        meeting.organiser_division = "health_promotion"
        meeting.save(update_fields=["organiser_division"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.create(meeting=meeting, category="peer", count=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionItem.objects.create(meeting=meeting, description="x", responsible="y", status="done")


def test_action_item_queryset_open_and_overdue(reference_data):
    today = date(2022, 12, 10)
    late = ActionItemFactory(due_date=date(2022, 12, 1))
    ActionItemFactory(due_date=date(2022, 12, 31))
    ActionItemFactory(due_date=date(2022, 11, 1), status="done", completed_on=date(2022, 11, 1))
    ActionItemFactory(due_date=None, status="in_progress")
    assert ActionItem.objects.open().count() == 3
    assert list(ActionItem.objects.overdue(today)) == [late]
    assert late.is_overdue(today)


def test_successful_cases_need_six_months_in_the_community(reference_data):
    success = CaseFollowUpFactory(months=6).case
    twelve = CaseFollowUpFactory(months=12).case
    CaseFollowUpFactory(months=3)  # only 3 months: not yet a success
    CaseFollowUpFactory(months=6, status="readmitted")
    CaseReviewFactory()
    assert set(CaseReview.objects.successful()) == {success, twelve}


def test_followups_cannot_be_recorded_before_the_time_has_come(iwakuni_staff):
    case = CaseReviewFactory(status="discharged", discharge_month=date(2022, 10, 1))
    with pytest.raises(ValidationError):
        services.case_followups_update(
            by=iwakuni_staff, case=case, rows={6: {"status": "in_community"}}, today=date(2023, 3, 31)
        )
    services.case_followups_update(
        by=iwakuni_staff,
        case=case,
        rows={3: {"status": "in_community", "note": "GHで生活"}},
        today=date(2023, 1, 1),
    )
    assert case.followups.get().months == 3
