"""The sign-in form renders through crispy; a failure shows one message that names neither field."""

from tests.htmlcheck import control


def test_login_form_renders_both_fields_and_one_message_on_failure(client, official):
    html = client.get("/accounts/login/").content.decode()
    assert control(html, "id_username")[1]["autocomplete"] == "username"
    assert control(html, "id_password")[1]["type"] == "password"
    assert "利用者名" in html and "パスワード" in html

    response = client.post("/accounts/login/", {"username": official.username, "password": "違う"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "利用者名またはパスワードが正しくありません" in html
    assert "is-invalid" not in html and control(html, "id_username")[1]["value"] == official.username
