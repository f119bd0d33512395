"""Officials' data entry through forms: values, targets, indicators, plans, 協議の場 per municipality."""

from decimal import Decimal

import pytest

from core.models import ChangeRecord
from indicators.models import Indicator, Observation, Plan, Target


@pytest.fixture
def client(client_for, official, sheet):
    return client_for(official)


def counts():
    return (
        Observation.objects.count(),
        Target.objects.count(),
        Indicator.objects.count(),
        Plan.objects.count(),
        ChangeRecord.objects.count(),
    )


def rate():
    return Indicator.objects.get(code="discharge_rate_3m")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"value": "120"}, "value", "割合は0～100の範囲で入力してください。"),
        ({"value": "abc"}, "value", "値は数値で入力してください。"),
        ({"value": "1.2345"}, "value", "小数点以下は3桁までです。"),
        (
            {"period": "いつか"},
            "period",
            "「いつか」は期間として読めません（例: 令和4年度、R3年6月、2022年度）",
        ),
        ({"area": "131016"}, "area", "地域の選択肢が正しくありません。選び直してください。"),
    ],
)
def test_bad_values_re_render_with_japanese_errors_and_save_nothing(client, data, field, message):
    before = counts()
    post = {"indicator": rate().pk, "area": "350001", "period": "R2年度", "value": "50", **data}
    response = client.post("/indicators/values/new/", post)
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors[field]), response.context["form"].errors
    assert counts() == before


def test_counts_must_not_be_negative(client):
    long_stay = Indicator.objects.get(code="inpatients_1y_plus")
    response = client.post(
        "/indicators/values/new/",
        {"indicator": long_stay.pk, "area": "3501", "period": "R4年6月", "value": "-1"},
    )
    assert response.context["form"].errors["value"] == ["負の数は入力できません。"]


def test_a_value_is_recorded_for_a_region_and_edited_with_history(client, official):
    response = client.post(
        "/indicators/values/new/",
        {"indicator": rate().pk, "area": "3508", "period": "令和3年度", "value": "44.0", "provenance": "NDB"},
    )
    assert response.status_code == 302
    observation = Observation.objects.get(area_key="region:3508", period_key="fy:2021")
    assert observation.region.code == "3508" and observation.created_by == official
    response = client.post(
        f"/indicators/values/{observation.pk}/edit/",
        {"value": "45.5", "provenance": "NDB 再集計", "version": "1"},
    )
    assert response.status_code == 302
    observation.refresh_from_db()
    assert (observation.value, observation.provenance, observation.period_key) == (
        Decimal("45.5"),
        "NDB 再集計",
        "fy:2021",
    )
    assert ChangeRecord.objects.for_object(observation).count() == 2


def test_target_year_must_be_inside_the_plan(client):
    plan = Plan.objects.get(name="山口県障害福祉サービス実施計画（第6期）")
    before = counts()
    response = client.post(
        "/indicators/targets/new/",
        {
            "indicator": rate().pk,
            "plan": plan.pk,
            "area": "350001",
            "fiscal_year": "R8年度",
            "value": "60",
            "comparator": "gte",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["fiscal_year"] == [
        "目標年度は計画の期間（R3年度～R5年度）の中の年度にしてください。"
    ]
    assert counts() == before


def test_a_target_is_updated_in_place(client):
    target = Target.objects.get(indicator=rate(), plan__name="山口県障害福祉サービス実施計画（第6期）")
    response = client.post(
        f"/indicators/targets/{target.pk}/edit/",
        {"value": "58", "comparator": "gte", "note": "中間見直し", "version": str(target.version)},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.value, target.note, target.fiscal_year) == (Decimal("58"), "中間見直し", 2023)
    assert target.is_edited


def test_region_target_for_a_count(client):
    long_stay = Indicator.objects.get(code="inpatients_1y_plus")
    plan = Plan.objects.get(name="山口県障害福祉サービス実施計画（第6期）")
    response = client.post(
        "/indicators/targets/new/",
        {
            "indicator": long_stay.pk,
            "plan": plan.pk,
            "area": "3501",
            "fiscal_year": "2023",
            "value": "300",
            "comparator": "lte",
        },
    )
    assert response.status_code == 302
    assert Target.objects.get(indicator=long_stay, area_key="region:3501").value == 300


def test_indicator_form_errors_are_japanese(client):
    before = counts()
    response = client.post(
        "/indicators/definitions/new/",
        {
            "code": "discharge_rate_3m",
            "name_ja": "重複",
            "value_type": "number",
            "decimal_places": 0,
            "direction": "neutral",
            "display_order": 0,
            "survey_month": 6,
        },
    )
    errors = response.context["form"].errors
    assert errors["code"] == ["このコードの指標は既にあります。"]
    assert "調査基準日は月と日の両方を入力するか、両方とも空欄にしてください。" in errors["__all__"]
    assert counts() == before


def test_indicator_edit_keeps_the_code(client):
    response = client.post(
        "/indicators/definitions/discharge_rate_3m/edit/",
        {
            "code": "changed",
            "name_ja": "入院後３か月時点の退院率",
            "unit": "％",
            "value_type": "percent",
            "decimal_places": 1,
            "direction": "higher",
            "chart_group": "退院率（NDB）",
            "display_order": 5,
            "is_active": "on",
            "version": "1",
        },
    )
    assert response.status_code == 302
    indicator = Indicator.objects.get(code="discharge_rate_3m")
    assert indicator.chart_group == "退院率（NDB）" and indicator.display_order == 5
    assert not Indicator.objects.filter(code="changed").exists()


def test_venue_status_per_municipality(client):
    page = client.get("/indicators/venues/")
    assert page.context["form"]["period"].value() == "R4年4月"  # the period of the prefecture's figure
    response = client.post(
        "/indicators/venues/", {"period": "R4年4月", "provenance": "県調べ", "m_352012": "1", "m_352021": "0"}
    )
    assert response.status_code == 302
    stored = dict(
        Observation.objects.filter(
            indicator__code="consultation_venue", municipality__isnull=False
        ).values_list("municipality__code", "value")
    )
    assert stored == {"352012": 1, "352021": 0}
    # 未把握 removes a recorded value; the form shows what is stored for the period
    client.post(
        "/indicators/venues/", {"period": "R4年4月", "provenance": "県調べ", "m_352012": "1", "m_352021": ""}
    )
    assert not Observation.objects.filter(area_key="muni:352021").exists()
    form = client.get("/indicators/venues/?period=R4年4月").context["form"]
    assert form["m_352012"].value() == "1" and form["m_352021"].value() == ""
    response = client.post("/indicators/venues/", {"period": "そのうち", "m_352012": "0"})
    assert (
        response.status_code == 200 and "期間として読めません" in response.context["form"].errors["period"][0]
    )
    assert Observation.objects.get(area_key="muni:352012").value == 1
