"""Plans in force (issue #17, item 5): the default basis plan for a 年度, drafts and ended plans in the
selectors, the 第7期 / 第8期案 indicators and plans as data, and a source note on every target and plan."""

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from dashboard.forms import DashboardFilterForm
from indicators.models import Indicator, Plan, Target
from indicators.services import observation_record, target_record
from indicators.standing import Basis
from indicators.values import default_basis_plan
from regions.models import Prefecture, Region
from sheets.forms import target_choice_label
from sheets.loader import INDICATORS_FILE, SHEET_FILES
from sheets.regional import region_sheet_for
from tests.factories import IndicatorFactory, PlanFactory

NATIONAL_6 = "障害福祉サービス等の基本指針（第6期障害福祉計画）"
NATIONAL_7 = "障害福祉サービス等の基本指針（第7期障害福祉計画）"
NATIONAL_8 = "障害福祉サービス等の基本指針（第8期障害福祉計画）"
PREFECTURE_6 = "山口県障害福祉サービス実施計画（第6期）"
PREFECTURE_7 = "山口県障害福祉サービス実施計画（第7期）"


def plan(pk, name, issuer, first, last, *, draft=False):
    """An unsaved plan (default_basis_plan reads plans already fetched)."""
    return Plan(
        pk=pk, name=name, issuer=issuer, first_fiscal_year=first, last_fiscal_year=last, is_draft=draft
    )


PREF_6 = plan(1, PREFECTURE_6, Plan.Issuer.PREFECTURE, 2021, 2023)
PREF_7 = plan(2, PREFECTURE_7, Plan.Issuer.PREFECTURE, 2024, 2026)
NAT_6 = plan(3, NATIONAL_6, Plan.Issuer.NATIONAL, 2021, 2023)
NAT_7 = plan(4, NATIONAL_7, Plan.Issuer.NATIONAL, 2024, 2026)
NAT_8_DRAFT = plan(5, NATIONAL_8, Plan.Issuer.NATIONAL, 2027, 2029, draft=True)
SHEET_R3 = plan(6, "共有シートの目標", Plan.Issuer.SHEET, 2021, 2021)
ALL = [PREF_6, PREF_7, NAT_6, NAT_7, NAT_8_DRAFT, SHEET_R3]


# --- the rule ------------------------------------------------------------------------------------


def test_the_prefectures_plan_covering_the_year_comes_first():
    assert default_basis_plan(ALL, 2021) == PREF_6
    assert default_basis_plan(ALL, 2023) == PREF_6
    assert default_basis_plan(ALL, 2024) == PREF_7


def test_the_national_plan_covers_a_year_whose_prefecture_plan_has_no_targets_yet():
    with_targets = {PREF_6.pk, NAT_6.pk, NAT_7.pk}  # 第7期 of the prefecture not filled in
    assert default_basis_plan(ALL, 2024, with_targets=with_targets) == NAT_7
    assert default_basis_plan(ALL, 2021, with_targets=with_targets) == PREF_6
    # the dashboard passes only plans with targets
    assert default_basis_plan([PREF_6, NAT_6, NAT_7], 2025) == NAT_7


def test_a_draft_is_never_the_default():
    # 第8期案 covers R10: the plan that ended last instead (the prefecture's on a tie)
    assert default_basis_plan(ALL, 2028) == PREF_7
    assert default_basis_plan([PREF_6, NAT_6, NAT_7, NAT_8_DRAFT], 2028) == NAT_7
    draft_prefecture = plan(7, "山口県（第8期）素案", Plan.Issuer.PREFECTURE, 2027, 2029, draft=True)
    assert default_basis_plan([*ALL, draft_prefecture], 2027) == PREF_7
    assert default_basis_plan([NAT_8_DRAFT, draft_prefecture], 2027) is None


def test_with_no_plan_covering_the_year_the_latest_ended_one_then_the_first_to_come():
    assert default_basis_plan([PREF_6, NAT_6, SHEET_R3], 2024) == PREF_6  # ended together: the prefecture's
    assert default_basis_plan([NAT_6, SHEET_R3], 2022) == NAT_6
    assert default_basis_plan([SHEET_R3], 2022) == SHEET_R3  # ended: still the one there is
    assert default_basis_plan(ALL, 2019) == PREF_6  # before every plan: the first to come
    assert default_basis_plan([], 2024) is None


def test_ended_and_draft_plans_are_labelled_in_selectors():
    today = date(2025, 6, 1)
    assert PREF_6.choice_label(today) == f"{PREFECTURE_6}（R3年度～R5年度・終了）"
    assert NAT_7.choice_label(today) == f"{NATIONAL_7}（R6年度～R8年度）"
    assert NAT_8_DRAFT.choice_label(today) == f"{NATIONAL_8}（R9年度～R11年度・案）"


# --- the data ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_new_indicators_plans_and_targets_are_loaded(sheet):
    days = Indicator.objects.get(code="community_days_after_discharge")
    assert (days.name_ja, days.unit, days.direction) == (
        "精神病床から退院後1年以内の地域における平均生活日数",
        "日",
        Indicator.Direction.HIGHER,
    )
    target = Target.objects.get(indicator=days)
    assert (target.plan.name, target.fiscal_year, target.value, target.comparator) == (
        NATIONAL_7,
        2026,
        Decimal("325.3"),
        "gte",
    )
    assert target.source and target.area_key == "pref:350001"

    for code in ("readmission_rate_90d", "readmission_rate_180d", "readmission_rate_365d"):
        rate = Indicator.objects.get(code=code)
        assert (rate.value_type, rate.direction) == ("percent", "lower"), code
    baselines = [
        Indicator.objects.get(code=code).definition
        for code in ("readmission_rate_90d", "readmission_rate_180d", "readmission_rate_365d")
    ]
    assert ["14.6％" in baselines[0], "22.6％" in baselines[1], "31.1％" in baselines[2]] == [True] * 3
    assert (
        Indicator.objects.filter(
            code__in=["inpatients_1y_plus_75_over", "inpatients_1y_plus_dementia_40_over"], part_of=None
        ).count()
        == 2
    )  # not parts adding up to the total: 75歳以上 is within 65歳以上

    draft = Plan.objects.get(name=NATIONAL_8)
    assert (draft.is_draft, draft.issuer, draft.first_fiscal_year, draft.last_fiscal_year) == (
        True,
        "national",
        2027,
        2029,
    )
    prefecture_7 = Plan.objects.get(name=PREFECTURE_7)
    assert (prefecture_7.issuer, prefecture_7.first_fiscal_year, prefecture_7.is_draft) == (
        "prefecture",
        2024,
        False,
    )
    assert not prefecture_7.targets.exists()  # officials fill it in: no figure is invented
    assert not Plan.objects.filter(source="").exists()
    assert not Target.objects.filter(source="").exists()


def test_every_target_and_plan_in_the_data_files_has_a_source():
    plans = json.loads(INDICATORS_FILE.read_text(encoding="utf-8"))["plans"]
    assert all(p.get("source") for p in plans)
    for path in SHEET_FILES:
        targets = json.loads(path.read_text(encoding="utf-8"))["targets"]
        assert all(t.get("source") for t in targets), path


@pytest.mark.django_db
def test_a_second_load_fills_the_cycle_and_source_of_rows_loaded_before_they_existed(sheet):
    Indicator.objects.filter(code="discharge_rate_3m").update(cycle_months=None, release_lag_months=0)
    Plan.objects.filter(name=NATIONAL_7).update(source="")
    edited = Indicator.objects.get(code="psychiatric_beds")
    edited.cycle_months = 24  # an official's own choice is kept
    edited.save()
    call_command("load_sheet", stdout=io.StringIO())
    assert Indicator.objects.get(code="discharge_rate_3m").cycle_months == 12
    assert Indicator.objects.get(code="discharge_rate_3m").release_lag_months == 36
    assert Indicator.objects.get(code="psychiatric_beds").cycle_months == 24
    assert Plan.objects.get(name=NATIONAL_7).source
    assert not Plan.objects.get(name=NATIONAL_8).targets.exists()


# --- the dashboard and the sheet -------------------------------------------------------------------


def overview_of(client, year):
    return client.get("/indicators/", {"fiscal_year": year}).context["overview"]


@pytest.mark.django_db
def test_the_dashboard_defaults_to_the_national_plan_until_the_prefectures_is_filled_in(
    client_for, official, viewer, sheet
):
    viewer_client = client_for(viewer)
    assert overview_of(viewer_client, 2022).basis_plan.name == PREFECTURE_6
    assert overview_of(viewer_client, 2024).basis_plan.name == NATIONAL_7  # not the ended 第6期

    response = client_for(official).post(
        "/indicators/targets/new/",
        {
            "indicator": Indicator.objects.get(code="inpatients_1y_plus_65_over").pk,
            "plan": Plan.objects.get(name=PREFECTURE_7).pk,
            "area": "350001",
            "fiscal_year": "R8年度",
            "value": "1900",
            "comparator": "lte",
            "source": "山口県障害福祉サービス実施計画（第7期）の成果目標",
            "note": "",
        },
    )
    assert response.status_code == 302, response.content.decode()
    target = Target.objects.get(plan__name=PREFECTURE_7)
    assert target.source == "山口県障害福祉サービス実施計画（第7期）の成果目標"
    viewer_client = client_for(viewer)
    assert overview_of(viewer_client, 2024).basis_plan.name == PREFECTURE_7
    assert overview_of(viewer_client, 2022).basis_plan.name == PREFECTURE_6


@pytest.mark.django_db
def test_a_draft_with_targets_is_selectable_but_never_the_default(client_for, official, viewer, sheet):
    prefecture = Prefecture.objects.get(code="350001")
    draft = Plan.objects.get(name=NATIONAL_8)
    target_record(
        by=official,
        indicator=Indicator.objects.get(code="readmission_rate_365d"),
        plan=draft,
        prefecture=prefecture,
        fiscal_year=2029,
        value=Decimal("30"),
        comparator="lte",
        source="第8期基本指針の見直し案",
    )
    client = client_for(viewer)
    overview = overview_of(client, 2028)
    assert draft in overview.plans and overview.basis_plan.name == NATIONAL_7
    form = DashboardFilterForm({}).shown(overview)
    labels = dict(form.fields["basis"].widget.choices)
    assert labels[draft.pk] == f"{NATIONAL_8}（R9年度～R11年度・案）"
    sixth = Plan.objects.get(name=PREFECTURE_6)
    assert labels[sixth.pk] == f"{PREFECTURE_6}（R3年度～R5年度・終了）"
    assert labels[""] == "自動（その年度の計画）"
    html = client.get("/indicators/", {"fiscal_year": 2028}).content.decode()
    assert "（R9年度～R11年度・案）" in html and "（R3年度～R5年度・終了）" in html
    # chosen on purpose, the draft is the basis
    chosen = client.get("/indicators/", {"fiscal_year": 2028, "basis": draft.pk}).context["overview"]
    assert chosen.basis_plan == draft
    # the standings (agenda items, PDCA, home) judge against the same plan as the dashboard
    assert Basis(prefecture).plan_for(date(2028, 4, 1)).name == NATIONAL_7


@pytest.mark.django_db
def test_the_region_sheet_shows_the_target_of_the_plan_in_force(official, sheet):
    indicator = IndicatorFactory(code="peer_supporters_count", name_ja="ピアサポーター数", unit="人")
    iwakuni = Region.objects.get(code="3501")
    prefecture = iwakuni.prefecture
    earlier = PlanFactory(
        name="岩国圏域の計画（第6期）", issuer="prefecture", first_fiscal_year=2021, last_fiscal_year=2023
    )
    current = PlanFactory(
        name="岩国圏域の計画（第7期）", issuer="prefecture", first_fiscal_year=2024, last_fiscal_year=2026
    )
    for plan_, year, value in ((earlier, 2023, "5"), (current, 2026, "12")):
        target_record(
            by=official,
            indicator=indicator,
            plan=plan_,
            prefecture=prefecture,
            region=iwakuni,
            fiscal_year=year,
            value=Decimal(value),
            comparator="gte",
        )
    observation_record(
        by=official,
        indicator=indicator,
        prefecture=prefecture,
        region=iwakuni,
        period_text="R6年度",
        value=Decimal("7"),
    )
    lines = region_sheet_for(
        region=iwakuni, fiscal_year=2024, user=official, today=date(2025, 6, 1)
    ).indicators
    line = next(line for line in lines if line.name == "ピアサポーター数")
    assert line.target_text == "12人以上（R8年度）"  # 第7期's, not the ended 第6期's 5人
    lines = region_sheet_for(
        region=iwakuni, fiscal_year=2022, user=official, today=date(2025, 6, 1)
    ).indicators
    assert not [line for line in lines if line.name == "ピアサポーター数"]  # no value by R4年度末


@pytest.mark.django_db
def test_the_sheets_target_choices_name_ended_and_draft_plans(sheet):
    target = Target.objects.select_related("indicator", "plan").get(
        indicator__code="discharge_rate_3m", plan__name=PREFECTURE_6
    )
    label = target_choice_label(target)
    assert label.startswith("入院後３か月時点の退院率 R5年度 56％以上（")
    assert "（R3年度～R5年度・終了）" in label


@pytest.mark.django_db
def test_targets_and_plans_show_their_source(client_for, official, sheet):
    client = client_for(official)
    html = client.get("/indicators/definitions/community_days_after_discharge/").content.decode()
    assert "国の基本指針（第7期障害福祉計画）の成果目標" in html and "325.3日以上" in html
    html = client.get("/indicators/definitions/").content.decode()
    assert "出典: 第8期障害福祉計画に係る基本指針の見直し案" in html
    target = Target.objects.get(indicator__code="community_days_after_discharge")
    form_html = client.get(f"/indicators/targets/{target.pk}/edit/").content.decode()
    assert 'name="source"' in form_html and "国の基本指針（第7期障害福祉計画）の成果目標" in form_html
    response = client.post(
        f"/indicators/targets/{target.pk}/edit/",
        {
            "value": "325.3",
            "comparator": "gte",
            "source": "国の基本指針（第7期）告示",
            "note": target.note,
            "version": target.version,
        },
    )
    assert response.status_code == 302, response.content.decode()
    target.refresh_from_db()
    assert target.source == "国の基本指針（第7期）告示" and target.value == Decimal("325.3")


@pytest.mark.django_db
def test_the_plan_form_records_a_draft_and_its_source(client_for, official, sheet):
    response = client_for(official).post(
        "/indicators/plans/new/",
        {
            "name": "山口県障害福祉サービス実施計画（第8期）",
            "issuer": "prefecture",
            "first_fiscal_year": 2027,
            "last_fiscal_year": 2029,
            "is_draft": "on",
            "source": "第8期計画 素案（県障害者支援課）",
        },
    )
    assert response.status_code == 302
    plan_ = Plan.objects.get(name="山口県障害福祉サービス実施計画（第8期）")
    assert plan_.is_draft and plan_.source == "第8期計画 素案（県障害者支援課）"
    assert plan_.choice_label(date(2026, 1, 1)).endswith("（R9年度～R11年度・案）")
