from crispy_forms.bootstrap import InlineCheckboxes, StrictButton
from crispy_forms.layout import Div, Field, Layout
from django import forms

from core.fiscal import fiscal_year_label
from core.forms import inline_helper

ALL_AREAS = ""


class DashboardFilterForm(forms.Form):
    """GET filters of the dashboard: 年度, area (the prefecture or a region), basis plan, plans side by side."""

    fiscal_year = forms.TypedChoiceField(label="年度（この年度末までの値）", coerce=int)
    region = forms.ChoiceField(label="地域", required=False)
    basis = forms.TypedChoiceField(label="評価の基準とする計画", coerce=int, required=False, empty_value=None)
    plans = forms.TypedMultipleChoiceField(
        label="並べて表示する計画", coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, years, regions, plans, prefecture, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year"].choices = [(y, fiscal_year_label(y)) for y in years]
        self.fields["region"].choices = [
            (ALL_AREAS, f"{prefecture.name}全体"),
            *((r.code, r.full_name) for r in regions),
        ]
        plan_choices = [(p.pk, f"{p.name}（{p.period_label}）") for p in plans]
        self.fields["basis"].choices = [("", "自動（県の計画）"), *plan_choices]
        self.fields["plans"].choices = plan_choices
        self.helper = inline_helper(
            label_class="small mb-1",
            layout=Layout(
                Div(
                    Field("fiscal_year", css_class="form-select-sm", wrapper_class="col-sm-6 col-lg-3"),
                    Field("region", css_class="form-select-sm", wrapper_class="col-sm-6 col-lg-3"),
                    Field("basis", css_class="form-select-sm", wrapper_class="col-sm-9 col-lg-4"),
                    Div(
                        StrictButton("表示", type="submit", css_class="btn-primary w-100"),
                        css_class="col-sm-3 col-lg-2",
                    ),
                    css_class="row g-3 align-items-end filter-bar",
                ),
                Div(InlineCheckboxes("plans"), css_class="mt-3 small filter-bar"),
            ),
        )
