"""Point 2: sessions expire after 30 idle minutes and at browser close; passwords are validated."""

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from tests.factories import DEFAULT_PASSWORD


def test_session_settings():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_the_session_cookie_dies_with_the_browser(client, viewer):
    client.post("/accounts/login/", {"username": "viewer", "password": DEFAULT_PASSWORD})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == "" and cookie["max-age"] == ""


def test_each_request_extends_the_idle_timeout(client_for, viewer):
    client = client_for(viewer)
    client.get("/")
    first = client.session.get_expiry_date()
    client.get("/")
    assert client.session.get_expiry_age() <= 30 * 60
    assert client.session.get_expiry_date() >= first


def test_an_idle_session_is_signed_out(client_for, viewer):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.db.models import QuerySet
    from django.utils import timezone

    client = client_for(viewer)
    assert client.get("/").status_code == 200
    QuerySet.update(Session.objects.all(), expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    "password, message",
    [
        ("Short1!xyz", "12"),
        ("password1234", "一般的すぎ"),
        ("149162536496481", "数字しか"),
        ("yamaguchi-hofu-1", "似"),
    ],
)
def test_weak_passwords_are_refused_in_japanese(password, message):
    from django.contrib.auth import get_user_model

    user = get_user_model()(username="yamaguchi-hofu")
    with pytest.raises(ValidationError) as info:
        validate_password(password, user)
    assert any(message in m for m in info.value.messages), info.value.messages


def test_a_long_unusual_password_is_accepted(viewer):
    validate_password("correct-horse-battery-staple-42", viewer)


@pytest.mark.parametrize(
    "new_password1, new_password2",
    [
        ("short", "short"),
        ("viewer", "viewer"),
        ("123456789012345", "123456789012345"),
        ("<script>alert(1)</script>", "<script>alert(2)</script>"),
        ("' OR 1=1 --; DROP TABLE auth_user", "' OR 1=2 --"),
        ("x" * 5000, "y" * 5000),
    ],
)
def test_password_change_refuses_weak_or_hostile_input_and_changes_nothing(
    client_for, viewer, new_password1, new_password2
):
    client = client_for(viewer)
    response = client.post(
        "/accounts/password/",
        {"old_password": DEFAULT_PASSWORD, "new_password1": new_password1, "new_password2": new_password2},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "errorlist" in html or "invalid-feedback" in html
    viewer.refresh_from_db()
    assert viewer.check_password(DEFAULT_PASSWORD)


def test_password_change_with_a_wrong_old_password_changes_nothing(client_for, viewer):
    response = client_for(viewer).post(
        "/accounts/password/",
        {
            "old_password": "wrong",
            "new_password1": "a-new-good-passphrase-9",
            "new_password2": "a-new-good-passphrase-9",
        },
    )
    assert "パスワードが間違って" in response.content.decode()
    viewer.refresh_from_db()
    assert viewer.check_password(DEFAULT_PASSWORD)


@pytest.mark.parametrize(
    "username, password",
    [
        ("<script>alert(1)</script>", "x"),
        ("' OR '1'='1", "' OR '1'='1"),
        ("a" * 10000, "b" * 10000),
        ("viewer\x00", DEFAULT_PASSWORD),
        ("", ""),
    ],
)
def test_login_refuses_hostile_input_with_a_japanese_message(viewer, username, password):
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "_auth_user_id" not in client.session
