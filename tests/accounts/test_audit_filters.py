"""accounts/filters.py: the audit log's FilterSet narrows both tables the log reads."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.filters import AuditLogFilter
from core.history import record_change
from core.models import AuditEvent, ChangeRecord
from tests.factories import region

Kind = AuditEvent.Kind


@pytest.fixture
def trail(official, iwakuni_staff):
    record_change(
        by=iwakuni_staff,
        instance=region("3501"),
        action=ChangeRecord.Action.UPDATE,
        changes={"name": {"label": "名称", "old": "岩国", "new": "岩国圏域"}},
    )
    AuditEvent.objects.create(kind=Kind.LOGIN_FAILURE, username="intruder", ip="203.0.113.9")
    AuditEvent.objects.create(kind=Kind.RECORD_VIEW, username="official")
    return official


def _names(data):
    filters = AuditLogFilter(data)
    assert filters.is_valid() or data is None
    return sorted(e.username for e in filters.events()), sorted(c.username for c in filters.changes())


def test_each_parameter_filters_both_tables(trail):
    today = timezone.localdate()
    everything = (["intruder", "official"], ["iwakuni-staff"])
    assert _names(None) == everything
    assert _names({"kind": "data_change"}) == ([], ["iwakuni-staff"])
    assert _names({"kind": "login_failure"}) == (["intruder"], [])
    assert _names({"username": " intru "}) == (["intruder"], [])  # stripped, a substring
    assert _names({"username": "staff"}) == ([], ["iwakuni-staff"])
    assert _names({"date_from": today.isoformat(), "date_to": today.isoformat()}) == everything  # whole day
    assert _names({"date_from": (today + timedelta(days=1)).isoformat()}) == ([], [])
    assert _names({"date_to": (today - timedelta(days=1)).isoformat()}) == ([], [])


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"date_from": "2024-05-01", "date_to": "2024-04-01"},
            "__all__",
            "期間の開始日が終了日より後になっています。",
        ),
        ({"date_from": "yesterday"}, "date_from", "日付"),
        ({"kind": "nope"}, "kind", "正しく選択してください"),
        ({"username": "x" * 151}, "username", "文字以下"),
    ],
)
def test_refused_input_is_reported_in_japanese(trail, data, field, message):
    filters = AuditLogFilter(data)
    assert not filters.is_valid()
    assert message in filters.form.errors[field][0]


def test_refused_input_lists_nothing_on_the_page_and_refuses_the_export(trail, client_for):
    client = client_for(trail)
    response = client.get("/audit/", {"kind": "nope"})
    assert response.status_code == 200 and response.context["page"] is None
    assert "intruder" not in response.content.decode()
    assert client.get("/audit/export.csv", {"kind": "nope"}).status_code == 400
