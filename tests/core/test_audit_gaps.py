"""Issue #13: every read of case data and every change made in the admin is in the audit log."""

from datetime import date

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import AuditEvent
from indicators.models import Indicator
from meetings.models import CaseStatus
from regions.models import Region
from tests.meetings.factories import CaseFollowUpFactory, CaseReviewFactory

ADMIN = AuditEvent.Kind.ADMIN_CHANGE


@pytest.fixture
def superuser(reference_data):
    return get_user_model().objects.create_superuser("root-admin", password="x" * 20)


@pytest.fixture
def admin_client(client_for, superuser):
    return client_for(superuser)


def _value(field):
    value = field.value()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    return value


def post_change_form(client, url, changes=None):
    """Submit an admin add / change page as the browser would, with `changes` applied."""
    page = client.get(url)
    assert page.status_code == 200, url
    data = {}
    for field in page.context["adminform"].form:
        data[field.html_name] = _value(field)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        for field in formset.management_form:
            data[field.html_name] = _value(field)
        for form in formset.forms:
            for field in form:
                data[field.html_name] = _value(field)
    data = {key: value for key, value in data.items() if value != ""}
    data.update(changes or {})
    response = client.post(url, data)
    assert response.status_code == 302, getattr(response.context.get("adminform"), "form", None) and (
        response.context["adminform"].form.errors
    )
    return response


def admin_events(model):
    return AuditEvent.objects.filter(kind=ADMIN, detail__model=model._meta.label)


def test_renaming_a_region_in_the_admin_is_audited(admin_client, superuser):
    region = Region.objects.get(code="3501")
    post_change_form(admin_client, f"/admin/regions/region/{region.pk}/change/", {"name": "岩国圏域"})
    event = admin_events(Region).get()
    assert event.user == superuser and event.object_id == str(region.pk)
    assert event.detail["action"] == "change"
    assert event.detail["message"][0]["changed"]["fields"]


def test_editing_an_indicator_in_the_admin_is_audited(admin_client):
    item = Indicator.objects.create(code="venue", name_ja="協議の場の有無", value_type="yes_no")
    post_change_form(
        admin_client, f"/admin/indicators/indicator/{item.pk}/change/", {"name_ja": "名前を変更"}
    )
    assert admin_events(Indicator).get().detail["action"] == "change"


def test_adding_a_totp_device_to_someone_is_audited(admin_client, viewer):
    post_change_form(
        admin_client,
        "/admin/otp_totp/totpdevice/add/",
        {"user": viewer.pk, "name": "攻撃者の端末", "confirmed": "on"},
    )
    device = TOTPDevice.objects.get(user=viewer)
    event = admin_events(TOTPDevice).get()
    assert event.detail["action"] == "add" and event.object_id == str(device.pk)


def test_changing_and_deleting_a_static_device_is_audited(admin_client, viewer):
    device = StaticDevice.objects.create(user=viewer, name="回復コード", confirmed=True)
    post_change_form(admin_client, f"/admin/otp_static/staticdevice/{device.pk}/change/", {"name": "改名"})
    admin_client.post(f"/admin/otp_static/staticdevice/{device.pk}/delete/", {"post": "yes"})
    assert not StaticDevice.objects.exists()
    assert [e.detail["action"] for e in admin_events(StaticDevice).order_by("pk")] == ["change", "delete"]


def test_deleting_a_user_is_audited(admin_client, viewer):
    pk = viewer.pk
    response = admin_client.post(f"/admin/auth/user/{pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    event = admin_events(get_user_model()).get()
    assert event.detail["action"] == "delete" and event.object_id == str(pk) and event.object_repr == "viewer"


def test_deleting_users_with_the_bulk_action_audits_each(admin_client, viewer, hagi_staff):
    admin_client.post(
        "/admin/auth/user/",
        {"action": "delete_selected", "_selected_action": [viewer.pk, hagi_staff.pk], "post": "yes"},
    )
    deleted = admin_events(get_user_model()).filter(detail__action="delete")
    assert sorted(deleted.values_list("object_repr", flat=True)) == ["hagi-staff", "viewer"]


def test_deleting_a_lockout_record_is_audited(admin_client):
    attempt = AccessAttempt.objects.create(
        username="someone",
        ip_address="10.0.0.5",
        user_agent="",
        failures_since_start=5,
        get_data="",
        post_data="",
    )
    admin_client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert not AccessAttempt.objects.exists()
    assert admin_events(AccessAttempt).get().detail["action"] == "delete"


# --- Reads of case data -------------------------------------------------------------------------


@pytest.fixture
def case(iwakuni_staff):
    return CaseReviewFactory(status=CaseStatus.IN_COMMUNITY, discharge_month=date(2022, 4, 1))


def reads(user):
    return AuditEvent.objects.filter(kind=AuditEvent.Kind.RECORD_VIEW, user=user)


def test_reading_a_meetings_history_with_cases_is_audited(client_for, iwakuni_staff, case):
    response = client_for(iwakuni_staff).get(f"/meetings/{case.meeting_id}/history/")
    assert response.status_code == 200
    event = reads(iwakuni_staff).get()
    assert event.object_id == str(case.meeting_id) and event.detail == {"page": "変更履歴"}


def test_a_history_without_case_details_is_not_a_case_read(client_for, viewer, case):
    assert client_for(viewer).get(f"/meetings/{case.meeting_id}/history/").status_code == 200
    assert not reads(viewer).exists()


def test_the_case_list_is_audited_with_what_it_showed(client_for, iwakuni_staff, case):
    client_for(iwakuni_staff).get("/meetings/cases/?status=")
    event = reads(iwakuni_staff).get()
    assert event.detail["what"] == "事例一覧" and event.detail["case_ids"] == [case.pk]


def test_a_nul_in_the_case_lists_filters_is_recorded_not_a_500(client_for, iwakuni_staff, case):
    # PostgreSQL refuses NUL in text and jsonb: the filters the user typed are stored with it replaced
    response = client_for(iwakuni_staff).get("/meetings/cases/", {"region": "1\x00", "status": "\x00"})
    assert response.status_code == 200
    event = reads(iwakuni_staff).get()
    assert event.detail["filters"] == {"region": "1\ufffd", "status": "\ufffd"}


def test_the_success_list_with_cases_is_audited(client_for, iwakuni_staff, case):
    CaseFollowUpFactory(case=case)
    client_for(iwakuni_staff).get("/meetings/success/")
    event = reads(iwakuni_staff).get()
    assert event.detail["what"] == "成功事例" and event.detail["case_ids"] == [case.pk]


def test_the_meeting_edit_form_with_cases_is_audited(client_for, iwakuni_staff, case):
    assert client_for(iwakuni_staff).get(f"/meetings/{case.meeting_id}/edit/").status_code == 200
    assert reads(iwakuni_staff).get().detail == {"page": "編集"}
