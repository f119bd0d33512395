"""dashboard/forms.py: one form parses the dashboard's query string and draws its filters."""

import pytest
from django.http import QueryDict
from django.utils import timezone

from core.fiscal import fiscal_year_of
from core.validators import fiscal_year_max
from dashboard.forms import MAX_PLANS, DashboardFilterForm

URL = "/indicators/"
CURRENT = 2024


def _arguments(query: str, default_region: str = "") -> tuple[dict, DashboardFilterForm]:
    form = DashboardFilterForm(QueryDict(query), default_region=default_region)
    return form.overview_arguments(current_fiscal_year=CURRENT), form


def test_each_parameter_is_parsed():
    arguments, form = _arguments("fiscal_year=2022&region=3508&basis=7&plans=7&plans=9")
    assert arguments == {"fiscal_year": 2022, "region_code": "3508", "basis_plan_id": 7, "plan_ids": [7, 9]}
    assert not form.year_refused


def test_defaults_the_current_year_and_the_users_own_region():
    assert _arguments("", default_region="3501")[0] == {
        "fiscal_year": CURRENT,
        "region_code": "3501",
        "basis_plan_id": None,
        "plan_ids": [],
    }
    # asking for the whole prefecture (an empty region) overrides the staff's own region
    assert _arguments("region=", default_region="3501")[0]["region_code"] is None


@pytest.mark.parametrize("year", ["abc", "1899", str(fiscal_year_max() + 1), "9" * 5000, "-5"])
def test_an_unreadable_year_falls_back_with_a_japanese_error(year):
    arguments, form = _arguments(f"fiscal_year={year}")
    assert arguments["fiscal_year"] == CURRENT
    assert form.year_refused
    assert form.errors["fiscal_year"][0].startswith("年度は")


@pytest.mark.parametrize("basis", ["x", "0", "-1", str(2**31), "9" * 5000])
def test_an_unreadable_basis_is_the_automatic_one(basis):
    arguments, form = _arguments(f"basis={basis}")
    assert arguments["basis_plan_id"] is None and not form.year_refused


def test_plans_keep_only_ids_and_at_most_max_plans():
    query = "&".join(f"plans={v}" for v in ["x", "0", "3", str(2**40), *range(10, 40)])
    plan_ids = _arguments(query)[0]["plan_ids"]
    assert plan_ids[0] == 3 and len(plan_ids) == MAX_PLANS - 3  # the first MAX_PLANS values, readable ones


def test_the_page_draws_the_filters_as_applied_and_warns_of_a_refused_year(client_for, viewer, sheet):
    response = client_for(viewer).get(URL, {"fiscal_year": "R4", "basis": "abc"})
    assert response.status_code == 200
    current = fiscal_year_of(timezone.localdate())
    assert response.context["overview"].fiscal_year == current
    page = response.content.decode()
    assert f"年度の指定が読めないため、{current}年度を表示しています。" in page
    shown = response.context["filter_form"]
    assert shown.data["fiscal_year"] == str(current) and shown.data["basis"] == "abc"
    assert f'<option value="{current}" selected>' in page
    assert f"fiscal_year={current}" in response.context["export_query"]


def test_an_unknown_region_is_not_found(client_for, viewer, sheet):
    assert client_for(viewer).get(URL, {"region": "9999"}).status_code == 404
