"""Point 2: TOTP two-factor sign-in — required for prefecture officials, available to everyone."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import AuditEvent
from tests.factories import DEFAULT_PASSWORD
from tests.otp import current_token, totp_device


def password_sign_in(user):
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    return client


def test_an_official_without_a_device_is_sent_to_set_one_up(official):
    client = password_sign_in(official)
    for path in ["/", "/audit/", "/accounts/locked/", "/admin/"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/otp/?next=")


def test_setup_page_shows_a_server_drawn_qr_code_and_the_key(official):
    client = password_sign_in(official)
    html = client.get("/accounts/otp/").content.decode()
    assert "<svg" in html and "県職員のアカウントは、二段階認証" in html
    assert "http" not in html.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org", "")
    device = TOTPDevice.objects.get(user=official, confirmed=False)
    secret = re.search(r'data-testid="otp-secret">([A-Z2-7 ]+)<', html).group(1)
    import base64

    assert (
        base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
        == device.bin_key
    )


def test_setup_with_a_wrong_code_changes_nothing(official):
    client = password_sign_in(official)
    client.get("/accounts/otp/")
    for token in ["000000", "<script>alert(1)</script>", "1" * 5000, ""]:
        response = client.post("/accounts/otp/", {"token": token})
        assert response.status_code == 200
        html = response.content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "確認コード" in html and (
            "正しくありません" in html or "入力してください" in html or "32" in html
        )
    assert not TOTPDevice.objects.filter(user=official, confirmed=True).exists()
    assert client.get("/").status_code == 302


def test_setup_confirms_the_device_shows_recovery_codes_once_and_lets_the_official_in(official):
    client = password_sign_in(official)
    client.get("/accounts/otp/")
    device = TOTPDevice.objects.get(user=official)
    response = client.post("/accounts/otp/", {"token": current_token(device), "next": "/audit/"})
    assert response.status_code == 200
    html = response.content.decode()
    codes = re.findall(r"<li>([0-9a-f]{5}-[0-9a-f]{5})</li>", html)
    assert len(codes) == 10
    assert "この画面でだけ" in html
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/audit/").status_code == 200
    # shown once: the setup page now shows only the status, never the codes again
    status = client.get("/accounts/otp/").content.decode()
    assert codes[0] not in status and "有効" in status
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.OTP_CHANGE, user=official).count() == 2


def test_an_official_with_a_device_must_enter_a_token_after_the_password(official):
    device = totp_device(official)
    client = password_sign_in(official)
    response = client.get("/audit/")
    assert response["Location"] == "/accounts/otp/verify/?next=%2Faudit%2F"
    wrong = client.post("/accounts/otp/verify/", {"token": "123456", "next": "/audit/"})
    assert wrong.status_code == 200 and "確認コードが正しくありません" in wrong.content.decode()
    assert client.get("/audit/").status_code == 302
    device.refresh_from_db()
    device.throttle_reset()  # django-otp makes a device wait 1 s after a failure; don't sleep in tests
    right = client.post("/accounts/otp/verify/", {"token": current_token(device), "next": "/audit/"})
    assert right.status_code == 302 and right["Location"] == "/audit/"
    assert client.get("/audit/").status_code == 200
    kinds = list(AuditEvent.objects.filter(user=official).values_list("kind", flat=True).order_by("pk"))
    assert kinds == ["login_success", "otp_failure", "otp_success"]


def test_a_token_cannot_be_used_twice(official):
    device = totp_device(official)
    token = current_token(device)
    first = password_sign_in(official)
    assert first.post("/accounts/otp/verify/", {"token": token}).status_code == 302
    second = password_sign_in(official)
    assert second.post("/accounts/otp/verify/", {"token": token}).status_code == 200


def test_verify_refuses_an_outside_next_url(official):
    device = totp_device(official)
    client = password_sign_in(official)
    response = client.post(
        "/accounts/otp/verify/", {"token": current_token(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_a_recovery_code_works_once(official):
    client = password_sign_in(official)
    client.get("/accounts/otp/")
    device = TOTPDevice.objects.get(user=official)
    html = client.post("/accounts/otp/", {"token": current_token(device)}).content.decode()
    code = re.findall(r"<li>([0-9a-f]{5}-[0-9a-f]{5})</li>", html)[0]
    other = password_sign_in(official)
    assert other.post("/accounts/otp/verify/", {"token": code}).status_code == 302
    assert other.get("/audit/").status_code == 200
    assert StaticToken.objects.filter(device__user=official).count() == 9
    again = password_sign_in(official)
    assert again.post("/accounts/otp/verify/", {"token": code}).status_code == 200


def test_staff_may_work_without_totp(iwakuni_staff):
    client = password_sign_in(iwakuni_staff)
    assert client.get("/").status_code == 200


def test_staff_who_enable_totp_are_asked_for_it_and_may_disable_it(iwakuni_staff):
    client = password_sign_in(iwakuni_staff)
    client.get("/accounts/otp/")
    device = TOTPDevice.objects.get(user=iwakuni_staff)
    client.post("/accounts/otp/", {"token": current_token(device)})
    later = password_sign_in(iwakuni_staff)
    assert later.get("/")["Location"].startswith("/accounts/otp/verify/")
    later.post("/accounts/otp/verify/", {"token": current_token(device, offset=1)})
    assert later.get("/").status_code == 200
    later.post("/accounts/otp/disable/")
    assert not TOTPDevice.objects.filter(user=iwakuni_staff).exists()


def test_officials_cannot_disable_totp(client_for, official):
    client = client_for(official)
    client.post("/accounts/otp/disable/")
    assert TOTPDevice.objects.filter(user=official, confirmed=True).exists()


def test_client_for_helper_signs_officials_past_totp(client_for, official):
    assert client_for(official).get("/audit/").status_code == 200


@pytest.mark.browser
def test_login_fixture_takes_an_official_through_totp(page, login, official):
    missing = []
    page.on("response", lambda r: r.status == 404 and missing.append(r.url))
    login(page, official)
    assert page.get_by_test_id("current-user").inner_text().startswith("official")
    page.get_by_role("button", name="設定").click()
    page.get_by_role("link", name="監査ログ").click()
    assert page.get_by_role("heading", name="監査ログ").is_visible()
    assert page.console_errors == [], missing


@pytest.mark.browser
def test_an_official_sets_up_totp_in_the_browser(page, live_server, official):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("利用者名").fill("official")
    page.get_by_label("パスワード").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/accounts/otp/?next=*")
    assert page.get_by_test_id("otp-qr").locator("svg").count() == 1
    device = TOTPDevice.objects.get(user=official)
    page.get_by_label("確認コード").fill(current_token(device))
    page.get_by_role("button", name="登録する").click()
    codes = page.get_by_test_id("recovery-codes").locator("li").all_inner_texts()
    assert len(codes) == 10
    assert page.get_by_role("button", name="印刷する").is_visible()
    with page.expect_download() as saved:  # the codes as a file, made in the page (never fetched again)
        page.get_by_role("button", name="ファイルに保存する").click()
    assert saved.value.suggested_filename == "回復コード_official.txt"
    text = Path(saved.value.path()).read_text(encoding="utf-8-sig")
    assert text.startswith("山口県 地域移行ポータル 回復コード（official）")
    assert [line for line in text.splitlines()[2:] if line] == codes
    page.get_by_role("link", name="保管しました。次へ進む").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.console_errors == []
