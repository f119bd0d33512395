"""The training screens' forms render through crispy: every control present, errors beside their field."""

from django.urls import reverse

from tests.htmlcheck import classes, control, error_beside
from tests.training.helpers import session_post_data
from training.models import TrainingSession


def test_session_page_shows_count_errors_beside_the_count_and_saves_nothing(client_for, iwakuni_staff):
    data = session_post_data(region="", **{"counts-family": "-3"})

    response = client_for(iwakuni_staff).post(reverse("training:session_create"), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "is-invalid" in classes(html, "id_counts-family")
    assert error_beside(html, "id_counts-family") == "家族の人数に負の数は入力できません。"
    assert control(html, "id_counts-hospital_nurse")[1]["value"] == "4"
    assert error_beside(html, "id_region") == "圏域を選んでください（県全域の研修は県職員が登録します）。"
    assert control(html, "id_title")[1]["name"] == "title"
    assert not TrainingSession.objects.exists()


def test_list_filter_bar_keeps_the_chosen_values(client_for, official):
    html = client_for(official).get("/training/", {"region": "pref", "deleted": "on"}).content.decode()
    assert {"form-select", "form-select-sm"} <= classes(html, "id_region")
    assert '<option value="pref" selected>県全域</option>' in html
    assert (
        control(html, "id_deleted")[1]["type"] == "checkbox" and "checked" in control(html, "id_deleted")[1]
    )


def test_year_picker_of_the_summary_marks_the_shown_year(client_for, viewer):
    html = client_for(viewer).get("/training/summary/", {"fiscal_year": "2022"}).content.decode()
    tag, attrs = control(html, "fiscal-year")
    assert tag == "select" and attrs["name"] == "fiscal_year"
    assert '<option value="2022" selected>' in html
