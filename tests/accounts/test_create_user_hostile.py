"""Input safety: create_portal_user refuses hostile or wrong input in Japanese and creates nothing."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from core.models import AuditEvent
from tests.factories import DEFAULT_PASSWORD


@pytest.mark.parametrize(
    "username, options, password, message",
    [
        ("new-user", {"role": "admin"}, DEFAULT_PASSWORD, "ロール"),
        ("new-user", {"role": "'; DROP TABLE auth_user; --"}, DEFAULT_PASSWORD, "ロール"),
        ("new-user", {"role": "health_centre"}, DEFAULT_PASSWORD, "所属保健所"),
        ("new-user", {"role": "viewer", "health_centre": "iwakuni"}, DEFAULT_PASSWORD, "保健所職員だけ"),
        (
            "new-user",
            {"role": "health_centre", "health_centre": "<script>"},
            DEFAULT_PASSWORD,
            "見つかりません",
        ),
        (
            "new-user",
            {"role": "health_centre", "health_centre": "健康福祉センター"},
            DEFAULT_PASSWORD,
            "複数",
        ),
        ("new-user", {"role": "viewer"}, "short", "12"),
        ("new-user", {"role": "viewer"}, "123456789012345", "数字しか"),
        ("viewer", {"role": "viewer"}, DEFAULT_PASSWORD, "既に存在"),
    ],
)
def test_it_refuses_and_creates_nothing(viewer, monkeypatch, username, options, password, message):
    monkeypatch.setenv("PORTAL_USER_PASSWORD", password)
    users_before = get_user_model().objects.count()
    with pytest.raises(CommandError) as info:
        call_command("create_portal_user", username, stdout=io.StringIO(), **options)
    assert message in str(info.value)
    assert get_user_model().objects.count() == users_before
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.PERMISSION_CHANGE).exists()


@pytest.mark.parametrize("username", ["<script>alert(1)</script>", "a" * 200, "名前 空白", ""])
def test_odd_user_names_are_refused(reference_data, monkeypatch, username):
    monkeypatch.setenv("PORTAL_USER_PASSWORD", DEFAULT_PASSWORD)
    with pytest.raises(CommandError):
        call_command("create_portal_user", username, role="viewer", stdout=io.StringIO())
    assert not get_user_model().objects.exists()
