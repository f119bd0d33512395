"""Meeting dates, action due / completion dates and discharge months accept only a plausible range,
at the form (with a message naming the field) and at the service (full_clean), so nothing outside it
is stored."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.forms import MeetingEditor
from meetings.models import ActionItem, CaseReview, CaseStatus, Meeting, MeetingKind, MeetingStatus
from tests.meetings.factories import ACTION_ROW, CASE_ROW, meeting_form_data


def _editor(user, **overrides):
    return MeetingEditor(user=user, data=meeting_form_data(**overrides))


def _far_future():
    return (timezone.localdate() + timedelta(days=3 * 366)).isoformat()


@pytest.mark.parametrize("value", ["1867-12-31", "0001-01-01", "1999-03-31", "_far_future"])
def test_a_meeting_date_out_of_range_is_refused_with_its_name(iwakuni_staff, value):
    value = _far_future() if value == "_far_future" else value
    editor = _editor(iwakuni_staff, date=value)
    assert not editor.is_valid()
    [message] = editor.form.errors["date"]
    assert message.startswith("開催日は 2000年4月1日（平成12年）以降、")
    assert message.endswith("以前の日付を入力してください。")


def test_a_meeting_up_to_two_years_ahead_is_accepted(iwakuni_staff):
    ahead = timezone.localdate() + timedelta(days=700)
    # Planned: a meeting two years ahead has not been held (a future 開催済 is refused, meetings.sanity).
    assert _editor(iwakuni_staff, date=ahead.isoformat(), status=MeetingStatus.PLANNED).is_valid()
    assert _editor(iwakuni_staff, date="2000-04-01").is_valid()


@pytest.mark.parametrize("due", ["1800-01-01", "_far_future"])
def test_an_action_due_date_out_of_range_is_refused(iwakuni_staff, due):
    due = (timezone.localdate() + timedelta(days=6 * 366)).isoformat() if due == "_far_future" else due
    editor = _editor(iwakuni_staff, actions=[{**ACTION_ROW, "due_date": due}])
    assert not editor.is_valid()
    assert editor.actions.errors[0]["due_date"][0].startswith("期限は 2000年4月1日（平成12年）以降、")


def test_a_completion_date_in_the_future_is_refused(iwakuni_staff):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    editor = _editor(iwakuni_staff, actions=[{**ACTION_ROW, "status": "done", "completed_on": tomorrow}])
    assert not editor.is_valid()
    assert editor.actions.errors[0]["completed_on"][0].startswith("完了日は 2000年4月1日（平成12年）以降、")


@pytest.mark.parametrize("month", ["1949-12", "1867-01", "_next_month"])
def test_a_discharge_month_before_1950_or_in_the_future_is_refused(iwakuni_staff, month):
    if month == "_next_month":
        month = (timezone.localdate().replace(day=1) + timedelta(days=32)).strftime("%Y-%m")
    row = {**CASE_ROW, "status": CaseStatus.DISCHARGED, "discharge_month": month}
    editor = _editor(iwakuni_staff, kind=MeetingKind.CASE_REVIEW, cases=[row])
    assert not editor.is_valid()
    [message] = editor.cases.errors[0]["discharge_month"]
    assert message.startswith("退院年月は 1950年1月（昭和25年）以降、")
    assert message.endswith("以前の年月を入力してください。")


def test_this_months_discharge_is_accepted(iwakuni_staff):
    row = {
        **CASE_ROW,
        "status": CaseStatus.DISCHARGED,
        "discharge_month": timezone.localdate().strftime("%Y-%m"),
    }
    editor = _editor(iwakuni_staff, kind=MeetingKind.CASE_REVIEW, cases=[row])
    assert editor.is_valid(), editor.cases.errors


def test_the_page_shows_the_message_and_saves_nothing(iwakuni_staff, client_for):
    response = client_for(iwakuni_staff).post(
        reverse("meetings:create"), meeting_form_data(date="1867-01-01")
    )
    assert response.status_code == 200
    assert "開催日は 2000年4月1日（平成12年）以降、" in response.content.decode()
    assert not Meeting.objects.exists()


def test_the_services_refuse_out_of_range_dates_too(iwakuni_staff):
    """A caller that skips the form (an import, a script) is refused by the model's validators."""
    editor = _editor(iwakuni_staff, kind=MeetingKind.CASE_REVIEW, actions=[ACTION_ROW], cases=[CASE_ROW])
    assert editor.is_valid()
    kwargs = editor.service_kwargs()
    with pytest.raises(ValidationError) as exc:
        services.meeting_create(
            by=iwakuni_staff, **{**kwargs, "fields": {**kwargs["fields"], "date": date(1867, 1, 1)}}
        )
    assert "date" in exc.value.message_dict
    kwargs["actions"][0].fields["due_date"] = date(1800, 1, 1)
    with pytest.raises(ValidationError):
        services.meeting_create(by=iwakuni_staff, **kwargs)
    assert not Meeting.objects.exists()
    assert not ActionItem.objects.exists()
    assert not CaseReview.objects.exists()
