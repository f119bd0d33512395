"""Every download is recorded in the audit log, in one place (DownloadAuditMiddleware)."""

import pytest

from core.middleware import attachment_filename
from core.models import AuditEvent
from tests.meetings.factories import CaseReviewFactory

pytestmark = pytest.mark.django_db


def test_attachment_filename_reads_rfc6266_names():
    assert attachment_filename("attachment; filename*=utf-8''%E4%BC%9A%E8%AD%B0.csv") == "会議.csv"
    assert attachment_filename('attachment; filename="plain.csv"') == "plain.csv"
    assert attachment_filename("inline; filename=x.pdf") is None
    assert attachment_filename("") is None


@pytest.mark.parametrize("path", ["/meetings/export.csv", "/meetings/export.xlsx", "/training/export.csv"])
def test_exports_are_audited_with_user_and_file_name(client_for, viewer, path):
    response = client_for(viewer).get(path)
    assert response.status_code == 200
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.DOWNLOAD)
    assert event.username == "viewer"
    assert event.detail["what"] == path
    assert event.detail["filename"] == attachment_filename(response["Content-Disposition"])


def test_an_ordinary_page_is_not_a_download(client_for, viewer):
    client_for(viewer).get("/meetings/")
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.DOWNLOAD).exists()


def test_a_refused_export_is_not_recorded_as_a_download(client_for, viewer):
    response = client_for(viewer).get("/audit/export.csv")
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.DOWNLOAD).exists()


def test_opening_a_case_is_audited_for_the_reader(client_for, iwakuni_staff):
    case = CaseReviewFactory()
    assert client_for(iwakuni_staff).get(f"/meetings/cases/{case.pk}/").status_code == 200
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.RECORD_VIEW)
    assert (event.username, event.object_id, event.object_repr) == ("iwakuni-staff", str(case.pk), str(case))


def test_a_meeting_page_showing_cases_is_audited_with_their_numbers(client_for, official):
    case = CaseReviewFactory()
    assert client_for(official).get(f"/meetings/{case.meeting_id}/").status_code == 200
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.RECORD_VIEW)
    assert event.detail == {"case_numbers": [case.case_number]}


def test_a_meeting_page_without_case_details_is_not_a_case_view(client_for, hagi_staff, viewer):
    case = CaseReviewFactory()
    for user in (hagi_staff, viewer):
        client_for(user).get(f"/meetings/{case.meeting_id}/")
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.RECORD_VIEW).exists()


def test_a_refused_case_page_is_not_recorded(client_for, hagi_staff):
    case = CaseReviewFactory()
    assert client_for(hagi_staff).get(f"/meetings/cases/{case.pk}/").status_code == 403
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.RECORD_VIEW).exists()
