"""The sheet page's copy and publish forms render through crispy, errors beside their field."""

from sheets.models import Edition
from tests.htmlcheck import classes, control, error_beside


def test_copy_form_shows_its_error_beside_the_year_and_creates_nothing(loaded, official, client_for):
    client = client_for(official)
    page = client.get("/sheets/2022/").content.decode()
    assert control(page, "id_note")[0] == "textarea" and "（任意）" in page
    assert control(page, "id_fiscal_year")[1]["type"] == "number"

    response = client.post("/sheets/2022/copy/", {"fiscal_year": "1999"})

    html = response.content.decode()
    assert response.status_code == 400
    assert "is-invalid" in classes(html, "id_fiscal_year")
    assert error_beside(html, "id_fiscal_year")
    assert control(html, "id_fiscal_year")[1]["value"] == "1999"
    assert list(Edition.objects.values_list("fiscal_year", flat=True)) == [2022]
