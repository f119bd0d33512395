"""Shared template partials under templates/includes/."""

from django import forms
from django.template.loader import render_to_string


class _Filters(forms.Form):
    year = forms.ChoiceField(label="年度", required=False, choices=[("", "すべて"), ("2022", "令和4年度")])
    q = forms.CharField(label="検索", required=False, max_length=100)
    deleted = forms.BooleanField(label="削除済みを表示", required=False)


def test_filter_fields_render_selects_search_and_checkbox_with_the_chosen_values():
    html = render_to_string(
        "includes/filter_fields.html",
        {
            "form": _Filters({"year": "2022", "q": "岩国", "deleted": "on"}),
            "col": "col-2",
            "search_col": "col-3",
        },
    )
    assert '<option value="2022" selected>令和4年度</option>' in html
    assert '<option value="">すべて</option>' in html
    assert (
        'type="search" name="q" id="id_q" class="form-control form-control-sm" value="岩国" maxlength="100"'
        in html
    )
    assert 'type="checkbox" name="deleted"' in html and "checked" in html
    assert html.count('class="col-3"') == 1 and html.count('class="col-2"') == 1


def test_select_options_escape_values_and_labels():
    class _Hostile(forms.Form):
        kind = forms.ChoiceField(required=False, choices=[("", "すべて"), ('a"b', "<b>太字</b>")])

    html = render_to_string(
        "includes/filter_fields.html", {"form": _Hostile({"kind": 'a"b'}), "col": "c", "search_col": "s"}
    )
    assert '<option value="a&quot;b" selected>&lt;b&gt;太字&lt;/b&gt;</option>' in html
    assert "<b>" not in html
