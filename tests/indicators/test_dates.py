"""Indicator periods (entry, imports) accept only 1900 to ten years ahead, the 年度 of targets and
plans 2000 to ten years ahead: earlier or later is refused with a message, as a row error in an import."""

import pytest
from django.utils import timezone

from indicators.models import Indicator, Observation, Plan, Target
from tests.indicators.helpers import csv_file


@pytest.fixture
def client(client_for, official, sheet):
    return client_for(official)


def _far_year():
    return timezone.localdate().year + 11


@pytest.mark.parametrize("period", ["明治1年1月", "1868年1月1日", "1899年度", "_far"])
def test_a_value_for_an_implausible_period_is_refused(client, period):
    period = f"{_far_year()}年度" if period == "_far" else period
    before = Observation.objects.count()
    rate = Indicator.objects.get(code="discharge_rate_3m")
    response = client.post(
        "/indicators/values/new/", {"indicator": rate.pk, "area": "350001", "period": period, "value": "50"}
    )
    assert response.status_code == 200
    [message] = response.context["form"].errors["period"]
    assert message.startswith(f"「{period}」: 時点は 1900年1月1日（明治33年）以降、")
    assert Observation.objects.count() == before


def test_an_import_row_with_an_implausible_period_is_a_row_error(client):
    before = Observation.objects.count()
    response = client.post(
        "/indicators/imports/",
        {
            "file": csv_file(
                ["discharge_rate_3m,350001,R2年度,50,,,", "discharge_rate_3m,350001,1899年6月,50,,,"]
            )
        },
    )
    assert response.status_code == 200
    [error] = [str(e) for e in response.context["errors"]]
    assert error.startswith("3行目（期間）: 「1899年6月」: 時点は 1900年1月1日（明治33年）以降、")
    assert Observation.objects.count() == before


def test_a_target_year_out_of_range_is_refused(client):
    plan = Plan.objects.first()
    before = Target.objects.count()
    response = client.post(
        "/indicators/targets/new/",
        {
            "indicator": Indicator.objects.get(code="discharge_rate_3m").pk,
            "plan": plan.pk,
            "area": "350001",
            "fiscal_year": "明治10年度",
            "value": "60",
            "comparator": "gte",
        },
    )
    assert response.status_code == 200
    assert (
        response.context["form"].errors["fiscal_year"][0].startswith("目標年度は 2000年度（平成12年度）から")
    )
    assert Target.objects.count() == before


def test_a_plan_period_out_of_range_is_refused(client):
    response = client.post(
        "/indicators/plans/new/",
        {
            "name": "古い計画",
            "issuer": Plan.Issuer.choices[0][0],
            "first_fiscal_year": "1",
            "last_fiscal_year": "3",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["first_fiscal_year"][0].startswith("計画期間（初年度）は 2000年度")
    assert errors["last_fiscal_year"][0].startswith("計画期間（最終年度）は 2000年度")
    assert not Plan.objects.filter(name="古い計画").exists()
