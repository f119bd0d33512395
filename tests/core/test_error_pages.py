"""Issue #13: the portal's own Japanese 400 and CSRF pages, and a NUL byte refused with a true message."""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.test import Client

from tests.factories import DEFAULT_PASSWORD

NUL_MESSAGE = "使用できない制御文字（NUL）が含まれています"


def test_a_body_over_the_limit_gets_the_japanese_400_page(client_for, iwakuni_staff, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    response = client_for(iwakuni_staff).post("/meetings/new/", {"title": "あ" * (1024 * 1024)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "送信された内容が大きすぎます（上限は約1MB です）" in html
    assert "Bad Request" not in html
    assert "ダッシュボードへ戻る" in html  # the portal's layout, not a bare page


def test_too_many_fields_get_the_japanese_400_page(client_for, iwakuni_staff, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
    response = client_for(iwakuni_staff).post("/meetings/new/", {f"field{n}": "x" for n in range(60)})
    assert response.status_code == 400
    assert "送信された項目の数が多すぎます（上限は 50 項目です）" in response.content.decode()


def test_a_form_without_a_valid_csrf_token_gets_the_japanese_page(viewer):
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")
    response = client.post("/accounts/login/", {"username": "viewer", "password": DEFAULT_PASSWORD})
    assert response.status_code == 403
    html = response.content.decode()
    assert "画面の有効期限が切れました" in html and "再読み込み" in html
    assert "CSRF" not in html
    assert "_auth_user_id" not in client.session


def test_a_csrf_failure_without_a_cookie_mentions_cookies(reference_data):
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Cookie を許可してください" in response.content.decode()


@pytest.mark.parametrize("field", [forms.CharField(), forms.CharField(max_length=20), forms.EmailField()])
def test_a_nul_byte_is_refused_with_a_message_that_says_so(field):
    with pytest.raises(ValidationError) as caught:
        field.clean("ab\x00c")
    assert (
        "使用できない制御文字（NUL）が含まれています。取り除いてから送信してください。"
        in caught.value.messages
    )
    assert not any("何か文字を入力してください" in m for m in caught.value.messages)


def test_a_nul_byte_in_a_portal_form_is_named(client_for, viewer):
    response = client_for(viewer).post(
        "/accounts/password/",
        {"old_password": DEFAULT_PASSWORD, "new_password1": "a\x00b", "new_password2": "a\x00b"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert NUL_MESSAGE in html and "何か文字を入力してください" not in html
