"""The sheet editor's error summary: a row's error is named by its row and links to its field."""

from tests.htmlcheck import control, error_summary, text_of
from tests.sheets.helpers import formset_post_data


def test_a_sheet_row_error_names_its_row_and_links_to_its_field(loaded, official, client_for):
    client = client_for(official)
    data = formset_post_data(client.get("/sheets/2022/edit/part6/"))
    data["schedule-0-item"] = ""
    response = client.post("/sheets/2022/edit/part6/", data)
    html = response.content.decode()
    assert response.status_code == 400
    href, text = error_summary(html)[0]
    assert href == "#id_schedule-0-item"
    assert text.endswith("1行目：実施する項目を入力してください。")
    attrs = control(html, "id_schedule-0-item")[1]
    assert attrs["aria-invalid"] == "true"
    assert text_of(html, attrs["aria-describedby"]) == "実施する項目を入力してください。"
    assert "<title>エラー " in html
