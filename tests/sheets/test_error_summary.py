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


def test_a_confirmation_note_over_the_limit_is_refused_not_cut(loaded, official, client_for):
    from indicators.models import Observation

    client = client_for(official)
    data = formset_post_data(client.get("/sheets/2022/edit/part1/"))
    data["confirmation_note"] = "確" * 2001
    response = client.post("/sheets/2022/edit/part1/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        "#id_confirmation_note",
        "確認のメモは2000文字以内で入力してください（現在 2001 文字）。",
    ) in error_summary(html)
    assert control(html, "id_confirmation_note")[1]["aria-invalid"] == "true"  # the field is on the page
    assert Observation.objects.filter(edited_at__isnull=False).count() == 0
