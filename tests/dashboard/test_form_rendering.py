"""The dashboard's filter bar renders through crispy with the chosen values."""

from tests.htmlcheck import classes, control


def test_filter_bar_renders_the_chosen_year_area_and_plans(client_for, viewer, sheet):
    html = client_for(viewer).get("/indicators/", {"fiscal_year": "2021", "region": "3501"}).content.decode()
    assert {"form-select", "form-select-sm"} <= classes(html, "id_fiscal_year")
    assert '<option value="2021" selected>' in html and '<option value="3501" selected>' in html
    assert control(html, "id_basis")[1]["name"] == "basis"
    tag, attrs = control(html, "id_plans_0")
    assert tag == "input" and attrs["type"] == "checkbox" and "form-check-input" in attrs["class"]
    assert "年度（この年度末までの値）" in html
