"""core.forms' crispy helpers: the filter bar (with QuickSelect) and the counts form's two layouts."""

from crispy_forms.utils import render_crispy_form
from django import forms

from core.forms import OrganisationCountsForm, QuickSelect, filter_bar_helper
from tests.htmlcheck import classes, control, error_beside


class _Filters(forms.Form):
    year = forms.ChoiceField(label="年度", required=False, choices=[("", "すべて"), ("2022", "令和4年度")])
    q = forms.CharField(label="検索", required=False, max_length=100, help_text="語をすべて含むもの")
    deleted = forms.BooleanField(label="削除済みを表示", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = filter_bar_helper(self, col="col-2", search_col="col-3")


def test_filter_bar_renders_selects_search_and_checkbox_with_the_chosen_values():
    html = render_crispy_form(_Filters({"year": "2022", "q": "岩国", "deleted": "on"}))
    assert "<form" not in html and "csrfmiddlewaretoken" not in html  # the page's own GET form holds it
    assert '<option value="2022" selected>令和4年度</option>' in html
    assert '<option value="">すべて</option>' in html
    assert {"form-select", "form-select-sm"} <= classes(html, "id_year")
    tag, attrs = control(html, "id_q")
    assert tag == "input" and attrs["type"] == "search" and attrs["value"] == "岩国"
    assert attrs["maxlength"] == "100" and attrs["title"] == "語をすべて含むもの"
    assert {"form-control", "form-control-sm"} <= classes(html, "id_q")
    assert (
        control(html, "id_deleted")[1]["type"] == "checkbox" and "checked" in control(html, "id_deleted")[1]
    )
    assert {"col-2"} <= classes(html, "div_id_year") and {"col-3"} <= classes(html, "div_id_q")


def test_filter_bar_shows_a_field_error_beside_the_field():
    html = render_crispy_form(_Filters({"year": "1999"}))
    assert "is-invalid" in classes(html, "id_year")
    assert "1999" in error_beside(html, "id_year")


def test_quick_select_escapes_values_and_labels_and_keeps_groups():
    widget = QuickSelect(choices=[("", "すべて"), ('a"b', "<b>太字</b>"), ("群", [("x", "エックス")])])
    html = widget.render("kind", 'a"b', attrs={"id": "id_kind"})
    assert '<option value="a&quot;b" selected>&lt;b&gt;太字&lt;/b&gt;</option>' in html
    assert "<b>" not in html
    assert '<optgroup label="群"><option value="x">エックス</option></optgroup>' in html
    assert html.startswith('<select id="id_kind" name="kind">')


def test_counts_form_as_a_grid_and_as_rows_shows_errors_beside_the_count():
    for layout in ("grid", "rows"):
        form = OrganisationCountsForm({"counts-family": "-1"}, layout=layout)
        html = render_crispy_form(form)
        assert "is-invalid" in classes(html, "id_counts-family")
        assert error_beside(html, "id_counts-family") == "家族の人数に負の数は入力できません。"
        assert "text-end" in classes(html, "id_counts-hospital_nurse")
    assert "col-6" in classes(
        render_crispy_form(OrganisationCountsForm(layout="grid")), "div_id_counts-family"
    )
