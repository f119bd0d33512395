"""Point 3: the audit trail — sign-ins, record views, downloads, rights and data changes."""

import csv
import io
from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.core.management import call_command
from django.db.models import QuerySet
from django.test import RequestFactory
from django.utils import timezone

from core.audit import AuditedWriteError, audit_download, audit_view
from core.exports import csv_response
from core.history import record_change
from core.models import AuditEvent, ChangeRecord
from regions.models import HealthCentre
from tests.factories import DEFAULT_PASSWORD, region

Kind = AuditEvent.Kind


def backdate(event, days):
    """Tests only: move an event into the past (the portal itself can never update audit rows)."""
    QuerySet.update(AuditEvent.objects.filter(pk=event.pk), at=timezone.now() - timedelta(days=days))


# --- sign-ins ---------------------------------------------------------------------------------


def test_it_records_a_successful_sign_in_with_address(client, iwakuni_staff):
    response = client.post(
        "/accounts/login/",
        {"username": "iwakuni-staff", "password": DEFAULT_PASSWORD},
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(kind=Kind.LOGIN_SUCCESS)
    assert event.user == iwakuni_staff
    assert event.username == "iwakuni-staff"
    assert event.ip == "10.1.2.3"


def test_it_records_a_failed_sign_in_without_the_password(client, iwakuni_staff):
    client.post("/accounts/login/", {"username": "iwakuni-staff", "password": "wrong-password-123"})
    event = AuditEvent.objects.get(kind=Kind.LOGIN_FAILURE)
    assert event.username == "iwakuni-staff"
    assert event.user is None
    assert event.ip == "127.0.0.1"
    assert "wrong-password-123" not in str(event.detail)


def test_it_records_sign_out(client_for, viewer):
    client = client_for(viewer)
    client.post("/accounts/logout/")
    assert AuditEvent.objects.filter(kind=Kind.LOGOUT, user=viewer).count() == 1


# --- helpers other apps call ------------------------------------------------------------------


def test_audit_view_records_who_read_which_record(iwakuni_staff):
    request = RequestFactory().get("/meetings/1/", REMOTE_ADDR="192.0.2.7")
    request.user = iwakuni_staff
    target = region("3501")
    audit_view(request, target)
    event = AuditEvent.objects.get(kind=Kind.RECORD_VIEW)
    assert (event.user, event.ip, event.object_id, event.object_repr) == (
        iwakuni_staff,
        "192.0.2.7",
        str(target.pk),
        str(target),
    )
    assert event.content_type.model_class() is type(target)


def test_audit_download_records_what_and_file_name(viewer):
    request = RequestFactory().get("/indicators/export.csv")
    request.user = viewer
    audit_download(request, "指標データ CSV", "指標_令和4年度.csv")
    event = AuditEvent.objects.get(kind=Kind.DOWNLOAD)
    assert event.detail == {"what": "指標データ CSV", "filename": "指標_令和4年度.csv"}
    assert event.username == "viewer"


def test_japanese_download_names_follow_rfc_6266():
    response = csv_response("監査ログ_令和4年度.csv", ["a"], [[1]])
    header = response["Content-Disposition"]
    assert header.startswith("attachment;")
    assert "filename*=utf-8''" in header
    encoded = header.split("filename*=utf-8''", 1)[1]
    assert encoded.isascii()
    assert unquote(encoded) == "監査ログ_令和4年度.csv"


# --- permission changes -----------------------------------------------------------------------


def test_creating_a_user_by_command_is_recorded(reference_data, monkeypatch):
    monkeypatch.setenv("PORTAL_USER_PASSWORD", DEFAULT_PASSWORD)
    call_command(
        "create_portal_user", "new-staff", role="health_centre", health_centre="hagi", stdout=io.StringIO()
    )
    event = AuditEvent.objects.get(kind=Kind.PERMISSION_CHANGE)
    assert event.object_repr == "new-staff"
    assert event.username == "system"
    assert event.detail["changes"]["role"] == {"old": None, "new": "保健所職員"}
    assert event.detail["changes"]["health_centre"]["new"] == "萩健康福祉センター"


def test_role_change_and_deactivation_by_command_are_recorded(viewer):
    call_command("update_portal_user", "viewer", role="prefecture", stdout=io.StringIO())
    call_command("update_portal_user", "viewer", "--deactivate", stdout=io.StringIO())
    first, second = AuditEvent.objects.filter(kind=Kind.PERMISSION_CHANGE).order_by("pk")
    assert first.detail["changes"] == {
        "role": {"old": "閲覧者（関係機関）", "new": "県職員（障害者支援課・健康増進課）"}
    }
    assert second.detail["changes"] == {"is_active": {"old": True, "new": False}}
    viewer.refresh_from_db()
    assert viewer.is_active is False


def test_an_unchanged_command_records_nothing(viewer):
    call_command("update_portal_user", "viewer", role="viewer", stdout=io.StringIO())
    assert not AuditEvent.objects.filter(kind=Kind.PERMISSION_CHANGE).exists()


def test_role_change_in_admin_is_recorded(client_for, official, viewer):
    official.is_staff = official.is_superuser = True
    official.save()
    client = client_for(official)
    url = f"/admin/auth/user/{viewer.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        k: v for k, v in form.initial.items() if v is not None and k not in {"groups", "user_permissions"}
    }
    data.update(
        {
            "username": "viewer",
            "is_active": "on",
            "date_joined_0": "2024-04-01",
            "date_joined_1": "09:00:00",
            "profile-TOTAL_FORMS": "1",
            "profile-INITIAL_FORMS": "1",
            "profile-MIN_NUM_FORMS": "0",
            "profile-MAX_NUM_FORMS": "1",
            "profile-0-id": str(viewer.profile.pk),
            "profile-0-user": str(viewer.pk),
            "profile-0-role": "health_centre",
            "profile-0-health_centre": str(HealthCentre.objects.get(code="ube").pk),
        }
    )
    data.pop("password", None)
    data.pop("last_login", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    event = AuditEvent.objects.get(kind=Kind.PERMISSION_CHANGE)
    assert event.user == official
    assert event.detail["changes"]["role"]["new"] == "保健所職員"
    assert event.detail["changes"]["health_centre"]["new"] == "宇部健康福祉センター"


# --- append-only ------------------------------------------------------------------------------


@pytest.mark.parametrize("model", [AuditEvent, ChangeRecord])
def test_bulk_update_and_delete_are_refused(model, db):
    with pytest.raises(AuditedWriteError, match=r"QuerySet\.update"):
        model.objects.all().update(object_repr="x")
    with pytest.raises(AuditedWriteError, match=r"QuerySet\.delete"):
        model.objects.filter(pk=1).delete()


def test_admin_cannot_add_change_or_delete_audit_rows(client_for, official):
    official.is_staff = official.is_superuser = True
    official.save()
    client = client_for(official)
    event = AuditEvent.objects.first()  # the sign-in of client_for
    assert client.get("/admin/core/auditevent/").status_code == 200
    assert client.get("/admin/core/auditevent/add/").status_code == 403
    assert client.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"/admin/core/auditevent/{event.pk}/change/", {"kind": "logout"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk, kind=event.kind).exists()


# --- retention --------------------------------------------------------------------------------


def test_purge_deletes_only_entries_older_than_the_retention(db, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    old = AuditEvent.objects.create(kind=Kind.LOGIN_SUCCESS, username="old")
    recent = AuditEvent.objects.create(kind=Kind.LOGIN_SUCCESS, username="recent")
    backdate(old, 31)
    backdate(recent, 29)
    call_command("purge_audit_log", stdout=io.StringIO())
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=recent.pk).exists()
    purge = AuditEvent.objects.get(kind=Kind.AUDIT_PURGE)
    assert purge.detail["deleted"] == 1


def test_purge_dry_run_deletes_nothing(db, settings):
    settings.AUDIT_RETENTION_DAYS = 1
    backdate(AuditEvent.objects.create(kind=Kind.LOGOUT, username="a"), 5)
    out = io.StringIO()
    call_command("purge_audit_log", "--dry-run", stdout=out)
    assert "1 件" in out.getvalue()
    assert AuditEvent.objects.count() == 1


def test_default_retention_is_five_years():
    from django.conf import settings

    assert settings.AUDIT_RETENTION_DAYS == 1827


# --- the audit screen -------------------------------------------------------------------------


@pytest.fixture
def trail(official, iwakuni_staff):
    record_change(
        by=iwakuni_staff,
        instance=region("3501"),
        action=ChangeRecord.Action.UPDATE,
        changes={"name": {"label": "名称", "old": "岩国", "new": "岩国圏域"}},
    )
    AuditEvent.objects.create(kind=Kind.LOGIN_FAILURE, username="intruder", ip="203.0.113.9")
    return official


@pytest.mark.parametrize("persona", ["iwakuni_staff", "hagi_staff", "viewer"])
def test_only_officials_see_the_audit_log(client_for, persona, request):
    client = client_for(request.getfixturevalue(persona))
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export.csv").status_code == 403


def test_it_lists_events_and_data_changes_together(client_for, trail):
    response = client_for(trail).get("/audit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "intruder" in html and "203.0.113.9" in html and "ログイン失敗" in html
    assert "データの変更" in html and "岩国圏域" in html and "iwakuni-staff" in html


def test_it_filters_by_kind_user_and_dates(client_for, trail):
    client = client_for(trail)
    html = client.get("/audit/", {"kind": "data_change"}).content.decode()
    assert "岩国圏域" in html and "intruder" not in html
    html = client.get("/audit/", {"kind": "login_failure"}).content.decode()
    assert "intruder" in html and "岩国圏域" not in html
    html = client.get("/audit/", {"username": "intru"}).content.decode()
    assert "intruder" in html and "岩国圏域" not in html
    tomorrow = timezone.localdate() + timedelta(days=1)
    html = client.get("/audit/", {"date_from": tomorrow.isoformat()}).content.decode()
    assert "intruder" not in html and "該当する記録はありません" in html


def test_bad_filters_get_a_japanese_error(client_for, trail):
    response = client_for(trail).get("/audit/", {"date_from": "2024-05-01", "date_to": "2024-04-01"})
    assert "期間の開始日が終了日より後になっています" in response.content.decode()
    response = client_for(trail).get("/audit/", {"date_from": "<script>alert(1)</script>"})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_it_paginates_with_a_fixed_number_of_queries(client_for, trail, django_assert_max_num_queries):
    client = client_for(trail)
    AuditEvent.objects.bulk_create([AuditEvent(kind=Kind.RECORD_VIEW, username=f"u{i}") for i in range(120)])
    client.get("/audit/")  # warm the content-type cache
    # (+3: the header's count of the official's due items, reminders.due)
    with django_assert_max_num_queries(12 + 3) as small:
        client.get("/audit/?page=3")
    response = client.get("/audit/?page=2")
    assert response.context["page"].paginator.num_pages == 3
    assert len(response.context["rows"]) == 50
    assert len(small.captured_queries) <= 12 + 3


def test_csv_export_is_filtered_and_is_itself_audited(client_for, trail):
    client = client_for(trail)
    response = client.get("/audit/export.csv", {"kind": "data_change"})
    assert response.status_code == 200
    assert "filename*=utf-8''" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["日時", "利用者名", "IPアドレス", "種類"]
    assert len(rows) == 2 and rows[1][1] == "iwakuni-staff" and "岩国圏域" in rows[1][7]
    download = AuditEvent.objects.get(kind=Kind.DOWNLOAD)
    assert download.user == trail and download.detail["what"] == "/audit/export.csv"
    assert download.detail["filename"].startswith("監査ログ_")


def test_there_is_no_edit_or_delete_view():
    from django.urls import get_resolver

    names = {name for name in get_resolver("accounts.audit_urls").reverse_dict if isinstance(name, str)}
    assert names == {"index", "export"}
