import pytest

pytestmark = pytest.mark.django_db


def test_it_signs_in_and_shows_the_role_and_centre(client, iwakuni_staff, password):
    response = client.post(
        "/accounts/login/", {"username": "iwakuni-staff", "password": password}, follow=True
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/"
    assert "保健所職員" in html
    assert "岩国健康福祉センター" in html
    assert "岩国圏域" in html


def test_a_wrong_password_gets_a_japanese_message(client, iwakuni_staff):
    response = client.post("/accounts/login/", {"username": "iwakuni-staff", "password": "nope"})
    assert response.status_code == 200
    assert "利用者名またはパスワードが正しくありません" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post_and_ends_the_session(client_for, viewer):
    client = client_for(viewer)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_pages_are_japanese_with_the_navigation(client_for, official):
    html = client_for(official).get("/").content.decode()
    assert '<html lang="ja">' in html
    for label in ["ダッシュボード", "会議", "研修", "指標", "圏域", "共有シート"]:
        assert f">{label}</a>" in html
    assert "県職員" in html


def test_password_change_validates_in_japanese(client_for, viewer, password):
    client = client_for(viewer)
    response = client.post(
        "/accounts/password/",
        {"old_password": password, "new_password1": "viewer", "new_password2": "viewer"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "短すぎ" in html or "12 文字" in html or "12文字" in html


def test_static_assets_come_from_the_portal_not_a_cdn(client_for, viewer):
    html = client_for(viewer).get("/").content.decode()
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in html
    assert "https://" not in html and "http://" not in html
