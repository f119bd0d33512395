"""Issue #13: a strength estimator (zxcvbn) beside Django's validators, with Japanese messages."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.factories import DEFAULT_PASSWORD

GUESSABLE = "推測されやすすぎます"


@pytest.mark.parametrize(
    "password, reason",
    [
        ("aaaaaaaaaaaa", "同じ文字の繰り返し"),
        ("Passw0rdPassw0rd", "同じ語の繰り返し"),
        ("ああああああああああああ", "同じ文字の繰り返し"),
        ("あいうえおかきくけこさし", "連続した文字"),
        ("アイウエオカキクケコサシ", "連続した文字"),
        ("qwertyuiopasdf", ""),
        ("abcdefghijklmn", "連続した文字"),
    ],
)
def test_guessable_passwords_are_refused_in_japanese(viewer, password, reason):
    with pytest.raises(ValidationError) as caught:
        validate_password(password, viewer)
    message = " ".join(caught.value.messages)
    assert GUESSABLE in message and reason in message


def test_the_users_own_name_is_refused(viewer):
    viewer.first_name, viewer.last_name = "Hanako", "Yamamoto"
    for password in ["viewer-viewer-2024", "hanako-yamamoto-1", "Yamamoto-Hanako!", "yamaguchi-portal-2024"]:
        with pytest.raises(ValidationError) as caught:
            validate_password(password, viewer)
        assert "利用者名・氏名・ポータルの名称を中心にしたパスワードは使えません" in caught.value.messages[-1]


@pytest.mark.parametrize(
    "password", [DEFAULT_PASSWORD, "a-new-good-passphrase-9", "ひまわり-通り-汽車-みかん"]
)
def test_long_unusual_passwords_pass(viewer, password):
    validate_password(password, viewer)


def test_the_password_change_page_refuses_a_guessable_one(client_for, viewer):
    response = client_for(viewer).post(
        "/accounts/password/",
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": "Passw0rdPassw0rd",
            "new_password2": "Passw0rdPassw0rd",
        },
    )
    assert response.status_code == 200
    assert GUESSABLE in response.content.decode()
    viewer.refresh_from_db()
    assert viewer.check_password(DEFAULT_PASSWORD)


def test_create_portal_user_refuses_a_guessable_password(reference_data, monkeypatch):
    from django.core.management import CommandError, call_command

    monkeypatch.setenv("PORTAL_USER_PASSWORD", "aaaaaaaaaaaa")
    with pytest.raises(CommandError, match=GUESSABLE):
        call_command("create_portal_user", "tanaka", "--role", "viewer")


def test_demo_passwords_pass_the_validators(reference_data, settings):
    """create_demo_users generates its passwords: every one must pass (it validates them)."""
    import io
    import re

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    settings.DEBUG = True
    out = io.StringIO()
    call_command("create_demo_users", stdout=out)
    pairs = re.findall(r"(demo-\S+) / (\S+)", out.getvalue())
    assert len(pairs) == 3
    for username, password in pairs:
        assert get_user_model().objects.get(username=username).check_password(password)
