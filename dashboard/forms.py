from crispy_forms.bootstrap import InlineCheckboxes, StrictButton
from crispy_forms.layout import Div, Field, Layout
from django import forms
from django.http import QueryDict

from core.fiscal import fiscal_year_label
from core.forms import PortalForm, filter_bar_helper, inline_helper
from core.listing import MAX_ID, id_param
from core.validators import FISCAL_YEAR_MIN, fiscal_year_max

ALL_AREAS = ""
AUTOMATIC_BASIS = "自動（その年度の計画）"  # indicators.values.default_basis_plan
MAX_PLANS = 20  # more plans side by side than anyone compares; the rest of a crafted list is ignored


class IdListField(forms.Field):
    """Row ids from a repeated parameter: the ones that can be ids, at most MAX_PLANS; never an error
    (a plan that is gone or was never there is simply not shown side by side)."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value):
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        return [i for i in (id_param(v) for v in values[:MAX_PLANS]) if i]


class DashboardFilterForm(PortalForm):
    """The dashboard's GET filters: 年度, area (the prefecture or a region), basis plan, plans side by side.

    One form parses the query string (`overview_arguments()`) and, once the overview says which
    years, regions and plans there are, draws the selects (`shown()`). A 年度 it cannot read falls
    back to the current one with a warning (`year_refused`); an unreadable basis is the automatic one.
    """

    fiscal_year = forms.IntegerField(
        label="年度（この年度末までの値）",
        required=False,
        widget=forms.Select,
        error_messages={"invalid": "年度は西暦の数字で指定してください。"},
    )
    # Not stripped: a code the prefecture does not have is a 404, as a wrong path is.
    region = forms.CharField(label="地域", required=False, strip=False, widget=forms.Select)
    basis = forms.IntegerField(
        label="評価の基準とする計画", required=False, min_value=1, max_value=MAX_ID, widget=forms.Select
    )
    plans = IdListField(label="並べて表示する計画", required=False)

    def __init__(self, *args, default_region: str = ALL_AREAS, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_region = default_region

    def clean_fiscal_year(self):
        year = self.cleaned_data["fiscal_year"]
        last = fiscal_year_max()
        if year is not None and not FISCAL_YEAR_MIN <= year <= last:
            raise forms.ValidationError(f"年度は {FISCAL_YEAR_MIN}年度から{last}年度までで指定してください。")
        return year

    def clean_region(self):
        # health-centre staff land on their own region unless they ask for another area
        return self.cleaned_data["region"] if "region" in self.data else self.default_region

    @property
    def year_refused(self) -> bool:
        return bool(self.data.get("fiscal_year")) and "fiscal_year" in self.errors

    def overview_arguments(self, *, current_fiscal_year: int) -> dict:
        """dashboard_overview's filters: what validated, the defaults for the rest."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "fiscal_year": data.get("fiscal_year") or current_fiscal_year,
            "region_code": data.get("region", self.default_region) or None,
            "basis_plan_id": data.get("basis"),
            "plan_ids": data.get("plans", []),
        }

    def shown(self, overview) -> "DashboardFilterForm":
        """The same filters as the overview applied them, with the overview's choices, for the page."""
        data = QueryDict(mutable=True)
        data["fiscal_year"] = str(overview.fiscal_year)
        data["region"] = overview.region.code if overview.region else ALL_AREAS
        if self.data.get("basis"):
            data["basis"] = self.data["basis"]
        data.setlist("plans", [str(p.pk) for p in overview.selected_plans])
        form = DashboardFilterForm(data, default_region=self.default_region)
        form.fields["fiscal_year"].widget.choices = [(y, fiscal_year_label(y)) for y in overview.years]
        form.fields["region"].widget.choices = [
            (ALL_AREAS, f"{overview.prefecture.name}全体"),
            *((r.code, r.full_name) for r in overview.regions),
        ]
        # 「…（R3～R5・終了）」「…（R9～R11・案）」: an ended plan stays selectable, marked as ended
        plan_choices = [(p.pk, p.choice_label()) for p in overview.plans]
        form.fields["basis"].widget.choices = [("", AUTOMATIC_BASIS), *plan_choices]
        form.fields["plans"].widget.choices = plan_choices
        form.helper = _helper()
        return form


def _helper():
    """The filter bar: three selects and the button on one row, the plans as inline checkboxes."""
    return inline_helper(
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


class DataSetYearsForm(PortalForm):
    """The completeness page's 年度 range (GET): from, to; at most `max_years` 年度 wide.

    Input it cannot use is reported and the default range (the current 年度 and the two before) shown."""

    year_from = forms.TypedChoiceField(label="年度（から）", coerce=int, required=False)
    year_to = forms.TypedChoiceField(label="年度（まで）", coerce=int, required=False)

    def __init__(self, *args, years, current: int, default_years: int, max_years: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.years, self.current, self.max_years = years, current, max_years
        self.default = (max(years[0], current - default_years + 1), current)
        choices = [("", "－")] + [(y, fiscal_year_label(y)) for y in reversed(years)]
        for name in ("year_from", "year_to"):
            self.fields[name].choices = choices
            self.fields[name].error_messages["invalid_choice"] = "選べる年度から選んでください。"
        self.helper = filter_bar_helper(self, col="col-auto")

    def clean(self):
        data = super().clean()
        first, last = data.get("year_from"), data.get("year_to")
        first = first if first not in (None, "") else None
        last = last if last not in (None, "") else None
        if first is not None and last is not None:
            if first > last:
                raise forms.ValidationError("「から」の年度が「まで」の年度より後になっています。")
            if last - first + 1 > self.max_years:
                raise forms.ValidationError(f"一度に表示できるのは{self.max_years}年度分までです。")
        return data

    def fiscal_years(self) -> list[int]:
        """The 年度 to show: the chosen range (one end alone: the default width from it), else the default."""
        if not self.is_bound or not self.is_valid():
            first, last = self.default
        else:
            first = self.cleaned_data.get("year_from")
            last = self.cleaned_data.get("year_to")
            first = None if first in (None, "") else first
            last = None if last in (None, "") else last
            width = self.default[1] - self.default[0]
            if first is None and last is None:
                first, last = self.default
            elif first is None:
                first = max(self.years[0], last - width)
            elif last is None:
                last = min(self.years[-1], first + width)
        return list(range(first, last + 1))
