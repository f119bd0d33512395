"""The portal's records are written by its services (permissions, history); the admin only reads them."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory

from core.admin import ReadOnlyAdmin

RECORDS = [
    "meetings.Meeting",
    "meetings.ActionItem",
    "meetings.CaseReview",
    "meetings.Participation",
    "meetings.CaseFollowUp",
    "training.TrainingSession",
    "training.PeerSupportProgramme",
    "indicators.Observation",
    "indicators.Target",
    "indicators.ImportBatch",
    "sheets.Edition",
    "core.ChangeRecord",
    "core.AuditEvent",
]


@pytest.fixture
def superuser(official):
    official.is_staff = official.is_superuser = True  # every permission: what remains is the admin's own
    official.save()
    return official


@pytest.mark.parametrize("label", RECORDS)
def test_records_are_read_only_in_the_admin(label, superuser):
    model_admin = admin.site._registry[apps.get_model(label)]
    request = RequestFactory().get("/admin/")
    request.user = superuser
    assert isinstance(model_admin, ReadOnlyAdmin)
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_the_list_opens_and_adding_is_refused(client_for, superuser):
    client = client_for(superuser)
    assert client.get("/admin/indicators/observation/").status_code == 200
    assert client.get("/admin/indicators/observation/add/").status_code == 403
