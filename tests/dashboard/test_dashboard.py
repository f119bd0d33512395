"""The dashboard page: status against each plan, pace, regions, 協議の場, activity, filters, exports."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import quote

from django.utils import timezone
from openpyxl import load_workbook

from indicators.models import Indicator, Plan, Target
from indicators.services import observation_record, target_record, venue_statuses_save
from meetings.models import CaseFollowUp, CaseStatus, MeetingKind
from regions.models import Municipality, Prefecture, Region
from tests.meetings.factories import ActionItemFactory, CaseReviewFactory, MeetingFactory
from tests.training.factories import TrainingSessionFactory

URL = "/indicators/"


def status_row(response, code):
    return next(r for r in response.context["overview"].status_rows if r.indicator.code == code)


def test_prefecture_status_against_each_plan_side_by_side(client_for, viewer, sheet):
    response = client_for(viewer).get(URL, {"fiscal_year": 2022})
    assert response.status_code == 200
    overview = response.context["overview"]
    assert overview.region is None and overview.basis_plan.name == "山口県障害福祉サービス実施計画（第6期）"
    assert overview.selected_plans[0].name == "山口県障害福祉サービス実施計画（第6期）"

    rate = status_row(response, "discharge_rate_3m")
    by_plan = {c.plan.name: c for c in rate.cells}
    assert rate.latest.value == Decimal("48.6") and rate.latest.label == "平成29年度"
    own = by_plan["山口県障害福祉サービス実施計画（第6期）"]
    assert (own.target_text, own.gap, own.status) == ("56％以上", "7.4ポイント不足", "behind")
    sixth = by_plan["障害福祉サービス等の基本指針（第6期障害福祉計画）"]
    seventh = by_plan["障害福祉サービス等の基本指針（第7期障害福祉計画）"]
    assert (sixth.target_text, sixth.gap) == ("69％以上", "20.4ポイント不足")
    assert (seventh.target_text, seventh.gap) == ("68.9％以上", "20.3ポイント不足")
    assert status_row(response, "discharge_rate_6m").basis.status == "close"
    assert status_row(response, "discharge_rate_12m").basis.gap == "6.3ポイント不足"

    long_stay = status_row(response, "inpatients_1y_plus")
    assert long_stay.basis.gap == "641人超過"
    assert long_stay.basis.progress.statement == "このペースでは目標年度に未達（見込み 令和14年度）"

    page = response.content.decode()
    for text in (
        "7.4ポイント不足",
        "4.4ポイント不足",
        "6.3ポイント不足",
        "目標に近い",
        "遅れ",
        "69％以上",
        "84.5％以上",
    ):
        assert text in page
    assert "このペースでは目標年度に未達（見込み 令和14年度）" in page
    assert "5ポイント以内" in page and "目標値の5％以内" in page  # "close" is defined on the page


def test_pace_table_of_long_stay(client_for, viewer, sheet):
    response = client_for(viewer).get(URL, {"fiscal_year": 2022})
    chart = next(c for c in response.context["overview"].charts if c.key == "inpatients-1y-plus")
    assert chart.title == "長期在院者数（1年以上）"
    rows = {r.indicator.code: r for r in chart.pace_rows}
    total = rows["inpatients_1y_plus"]
    assert (total.observed_text, total.needed_text) == ("年 -58.6人", "年 -233.0人")
    assert total.progress.first.when == date(2014, 6, 30)  # H26 630調査
    assert (
        rows["inpatients_1y_plus_under_65"].progress.statement
        == "このペースでは目標年度に未達（見込み 令和6年度）"
    )
    assert chart.table.rows == [
        ["平成26年（6月30日時点）", 3906, 2464, 1442],
        ["令和3年6月", 3496, 2463, 1033],
        ["目標：山口県障害福祉サービス実施計画（第6期）", 2855, 2036, 819],
    ]
    page = response.content.decode()
    assert "年 -58.6人" in page and "年 -233.0人" in page and 'id="figure-inpatients-1y-plus"' in page


def test_plan_selector_and_basis(client_for, viewer, sheet):
    national = Plan.objects.get(name="障害福祉サービス等の基本指針（第7期障害福祉計画）")
    response = client_for(viewer).get(
        URL, {"fiscal_year": 2022, "plans": [national.pk], "basis": national.pk}
    )
    overview = response.context["overview"]
    assert overview.selected_plans == [national] and overview.basis_plan == national
    rate = status_row(response, "discharge_rate_12m")
    assert (rate.basis.target_text, rate.basis.gap) == ("91％以上", "12.3ポイント不足")
    assert status_row(response, "inpatients_1y_plus").basis.status == "no_target"


def test_values_after_the_selected_year_are_not_used(client_for, official, sheet):
    observation_record(
        by=official,
        indicator=Indicator.objects.get(code="discharge_rate_3m"),
        prefecture=Prefecture.objects.get(code="350001"),
        period_text="R5年度",
        value=Decimal("57.0"),
    )
    client = client_for(official)
    assert status_row(client.get(URL, {"fiscal_year": 2022}), "discharge_rate_3m").latest.value == Decimal(
        "48.6"
    )
    later = status_row(client.get(URL, {"fiscal_year": 2023}), "discharge_rate_3m")
    assert later.latest.value == Decimal("57.0") and later.basis.status == "met"
    assert later.basis.progress.statement == "目標を達成しています"


def test_region_view_matrix_and_inherited_rate_targets(client_for, official, sheet):
    pref = Prefecture.objects.get(code="350001")
    rate = Indicator.objects.get(code="discharge_rate_3m")
    for code, value in (("3501", "57.0"), ("3508", "44.0")):
        observation_record(
            by=official,
            indicator=rate,
            prefecture=pref,
            region=Region.objects.get(code=code),
            period_text="R3年度",
            value=Decimal(value),
        )
    response = client_for(official).get(URL, {"fiscal_year": 2022, "region": "3501"})
    overview = response.context["overview"]
    assert overview.region.code == "3501" and overview.area_label == "岩国圏域"
    row = status_row(response, "discharge_rate_3m")
    assert row.latest.value == Decimal("57.0")
    assert row.basis.inherited and row.basis.status == "met" and row.basis.gap == "達成（1.0ポイント上回る）"
    assert status_row(response, "inpatients_1y_plus").latest is None  # no regional count recorded

    matrix = {r.region.code: r for r in overview.matrix}
    codes = [i.code for i in overview.matrix_indicators]
    assert codes == ["discharge_rate_3m", "discharge_rate_6m", "discharge_rate_12m"]  # rates only
    assert matrix["3501"].selected and matrix["3501"].cells[0].status == "met"
    assert matrix["3508"].cells[0].status == "behind" and matrix["3508"].cells[0].text == "44.0％"
    assert matrix["3502"].cells[0].status == "no_data"
    page = response.content.decode()
    assert "✓ 達成" in page.replace("</span> ", " ") or "達成" in page
    assert 'class="text-center cell-behind"' in page and "44.0％" in page


def test_health_centre_staff_land_on_their_region_and_can_switch(client_for, iwakuni_staff, sheet):
    client = client_for(iwakuni_staff)
    response = client.get(URL)
    assert response.context["overview"].region.code == "3501"
    assert "岩国圏域" in response.context["overview"].area_label
    assert client.get(URL, {"region": ""}).context["overview"].region is None


def test_officials_and_viewers_land_on_the_prefecture(client_for, official, viewer, sheet):
    for user in (official, viewer):
        assert client_for(user).get(URL).context["overview"].region is None
    assert client_for(viewer).get(URL, {"region": "9999"}).status_code == 404


def test_venue_coverage_is_unknown_until_each_municipality_is_recorded(client_for, official, viewer, sheet):
    response = client_for(viewer).get(URL, {"fiscal_year": 2022})
    cov = response.context["overview"].coverage
    assert (cov.prefecture_label, cov.regions_with, cov.regions_total) == ("有", 8, 8)
    assert (cov.municipalities_with, cov.municipalities_total) == (12, 19)
    assert cov.municipalities_source == "県の集計値（令和4年4月）"
    assert not cov.without_known and len(cov.municipalities_unknown) == 19
    page = response.content.decode()
    assert "未把握" in page and "/indicators/venues/" not in page  # viewers get no link
    assert "/indicators/venues/" in client_for(official).get(URL).content.decode()

    pref = Prefecture.objects.get(code="350001")
    venue = Indicator.objects.get(code="consultation_venue")
    munis = list(Municipality.objects.order_by("code"))
    without = {"352136", "353051", "353213", "353418", "353434", "353442", "355020"}
    venue_statuses_save(
        by=official,
        prefecture=pref,
        indicator=venue,
        period_text="R4年4月",
        statuses={m: m.code not in without for m in munis[:11]},
    )
    partial = client_for(viewer).get(URL, {"fiscal_year": 2022}).context["overview"].coverage
    assert len(partial.municipalities_unknown) == 8 and [m.code for m in partial.municipalities_without] == [
        "352136"
    ]
    assert partial.municipalities_with == 12  # still the prefecture's figure while some are unknown

    venue_statuses_save(
        by=official,
        prefecture=pref,
        indicator=venue,
        period_text="R4年4月",
        statuses={m: m.code not in without for m in munis},
    )
    response = client_for(viewer).get(URL, {"fiscal_year": 2022})
    cov = response.context["overview"].coverage
    assert cov.without_known and cov.municipalities_with == 12 and not cov.mismatch
    assert sorted(m.name for m in cov.municipalities_without) == sorted(
        Municipality.objects.filter(code__in=without).values_list("name", flat=True)
    )
    assert cov.municipalities_source == "市町村ごとの記録から集計（令和4年4月まで）"
    assert "周防大島町" in response.content.decode()


def test_activity_is_counted_from_the_portals_records(client_for, viewer, sheet):
    today = timezone.localdate()
    iwakuni, hagi = Region.objects.get(code="3501"), Region.objects.get(code="3508")
    for day in (date(2022, 6, 1), date(2022, 11, 1)):
        MeetingFactory(date=day, region=iwakuni)
    MeetingFactory(date=date(2022, 7, 1), region=hagi)
    MeetingFactory(date=date(2022, 8, 1), region=hagi, deleted_at=timezone.now())  # deleted: not counted
    MeetingFactory(date=date(2022, 9, 1), region=hagi, status="planned")  # not held
    MeetingFactory(date=date(2021, 9, 1), region=hagi)  # another 年度
    discharged = CaseReviewFactory(
        meeting__date=date(2022, 5, 20),
        meeting__region=iwakuni,
        status=CaseStatus.IN_COMMUNITY,
        discharge_month=date(2022, 8, 1),
    )
    CaseFollowUp.objects.create(case=discharged, months=6, status="in_community")
    CaseReviewFactory(
        meeting=discharged.meeting,
        status=CaseStatus.READMITTED,
        discharge_month=date(2022, 9, 1),
        sequence=90,
    )
    CaseReviewFactory(meeting=discharged.meeting, sequence=91)
    ActionItemFactory(meeting=discharged.meeting, due_date=today - timedelta(days=1))
    ActionItemFactory(meeting=discharged.meeting, due_date=today + timedelta(days=5))
    TrainingSessionFactory(
        start_date=date(2022, 10, 1), region=iwakuni, attendees={"hospital_nurse": 6, "peer": 2}
    )
    TrainingSessionFactory(start_date=date(2022, 10, 2), region=None)

    response = client_for(viewer).get(URL, {"fiscal_year": 2022})
    activity = response.context["overview"].activity
    rows = {(r.region.code if r.region else None): r for r in activity.rows}
    i = rows["3501"]
    assert (i.regional_meetings, i.case_meetings, i.cases_reviewed) == (2, 1, 3)
    assert (i.discharges, i.six_months_passed, i.in_community) == (2, 2, 1)
    assert (i.training_sessions, i.training_attendees, i.overdue_actions) == (1, 8, 1)
    assert i.meeting_status == "met"
    assert rows["3508"].regional_meetings == 1 and rows["3508"].meeting_status == "close"  # 年度 is over
    assert rows[None].training_sessions == 1
    assert activity.total.regional_meetings == 3 and activity.total.training_sessions == 2
    assert MeetingKind.REGIONAL_COORDINATION  # the kind counted as 圏域連絡調整会議
    page = response.content.decode()
    assert "2 / 2回" in page and "1 / 2回" in page and 'id="figure-activity"' in page


def test_other_prefectures_never_leak_into_the_dashboard(client_for, official, sheet):
    other = Prefecture.objects.create(code="131008", name="東京都")
    region = Region.objects.create(prefecture=other, code="1301", name="区中央部")
    Municipality.objects.create(prefecture=other, region=region, code="131016", name="千代田区", kind="ward")
    rate = Indicator.objects.get(code="discharge_rate_3m")
    plan = Plan.objects.create(
        name="東京都障害福祉計画", issuer="prefecture", first_fiscal_year=2021, last_fiscal_year=2023
    )
    target_record(
        by=official, indicator=rate, plan=plan, prefecture=other, fiscal_year=2023, value=99, comparator="gte"
    )
    for kwargs in ({}, {"region": region}):
        observation_record(
            by=official,
            indicator=rate,
            prefecture=other,
            period_text="R3年度",
            value=Decimal("99.9"),
            **kwargs,
        )
    venue = Indicator.objects.get(code="consultation_venue")
    observation_record(
        by=official,
        indicator=venue,
        prefecture=other,
        municipality=Municipality.objects.get(code="131016"),
        period_text="R4年4月",
        value=0,
    )
    response = client_for(official).get(URL, {"fiscal_year": 2022})
    overview = response.context["overview"]
    assert plan not in overview.plans
    assert [r.code for r in overview.regions] == [f"350{n}" for n in range(1, 9)]
    assert status_row(response, "discharge_rate_3m").latest.value == Decimal("48.6")
    assert len(overview.coverage.municipalities_unknown) == 19
    page = response.content.decode()
    assert "99.9" not in page and "区中央部" not in page and "千代田区" not in page and "東京都" not in page


def test_csv_and_excel_exports_with_formulas_neutralised(client_for, official, viewer, sheet):
    observation_record(
        by=official,
        indicator=Indicator.objects.get(code="discharge_rate_3m"),
        prefecture=Prefecture.objects.get(code="350001"),
        period_text="R2年度",
        value=Decimal("50.0"),
        provenance='=HYPERLINK("http://example.com","NDB")',
    )
    client = client_for(viewer)
    response = client.get(f"{URL}export/status.csv", {"fiscal_year": 2022})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "filename*=utf-8''" in response["Content-Disposition"]
    stamp = timezone.localdate().strftime("%Y%m%d")
    assert f"_{quote('山口県')}_{quote('令和4年度')}_{stamp}.csv" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:6] == ["指標", "地域", "最新値", "単位", "時点", "出典"]
    rate = next(r for r in rows if r[0] == "入院後３か月時点の退院率")
    assert rate[2] == "50" and rate[5] == '\'=HYPERLINK("http://example.com","NDB")'
    assert "7.4ポイント不足" not in rate  # R2 value 50.0 is now the latest: 6.0 short
    assert "6.0ポイント不足" in rate

    response = client.get(f"{URL}export/chart-discharge-rate-3m.xlsx", {"fiscal_year": 2022})
    sheet_rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert sheet_rows[0] == (
        "時点",
        "入院後３か月時点の退院率（％）",
        "入院後６か月時点の退院率（％）",
        "入院後１年時点の退院率（％）",
    )
    assert sheet_rows[1] == ("平成29年度", 48.6, 69.6, 78.7)
    for key in ("matrix", "coverage", "activity", "pace", "chart-inpatients-1y-plus"):
        assert client.get(f"{URL}export/{key}.csv").status_code == 200, key
    assert client.get(f"{URL}export/nothing.csv").status_code == 404
    assert client.get(f"{URL}export/status.pdf").status_code == 404


def test_a_new_indicator_with_its_targets_appears_without_code_changes(client_for, official, sheet):
    client = client_for(official)
    response = client.post(
        "/indicators/definitions/new/",
        {
            "code": "readmission_rate_1y",
            "name_ja": "退院後１年以内の再入院率",
            "unit": "％",
            "value_type": "percent",
            "decimal_places": 1,
            "direction": "lower",
            "definition": "退院後１年以内に精神病床へ再入院した者の割合。",
            "usual_source": "NDB",
            "chart_group": "再入院率",
            "display_order": 300,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()
    response = client.post(
        "/indicators/plans/new/",
        {
            "name": "山口県障害福祉サービス実施計画（第8期）",
            "issuer": "prefecture",
            "first_fiscal_year": 2027,
            "last_fiscal_year": 2029,
            "is_draft": "on",
            "source": "山口県障害福祉サービス実施計画（第8期）素案",
        },
    )
    assert response.status_code == 302
    indicator = Indicator.objects.get(code="readmission_rate_1y")
    plan = Plan.objects.get(name="山口県障害福祉サービス実施計画（第8期）")
    assert plan.is_draft and plan.source == "山口県障害福祉サービス実施計画（第8期）素案"
    response = client.post(
        "/indicators/targets/new/",
        {
            "indicator": indicator.pk,
            "plan": plan.pk,
            "area": "350001",
            "fiscal_year": "R11年度",
            "value": "10.0",
            "comparator": "lte",
            "note": "",
        },
    )
    assert response.status_code == 302
    target = Target.objects.get(indicator=indicator)
    assert (target.fiscal_year, target.value, target.area_key) == (2029, Decimal("10.000"), "pref:350001")
    for period, value in (("R2年度", "15.0"), ("R4年度", "13.0")):
        response = client.post(
            "/indicators/values/new/",
            {
                "indicator": indicator.pk,
                "area": "350001",
                "period": period,
                "value": value,
                "provenance": "NDB",
            },
        )
        assert response.status_code == 302

    response = client.get(URL, {"fiscal_year": 2024, "plans": [plan.pk], "basis": plan.pk})
    row = status_row(response, "readmission_rate_1y")
    assert row.latest.value == Decimal("13.0")
    assert (row.basis.target_text, row.basis.gap, row.basis.status) == (
        "10％以下",
        "3.0ポイント超過",
        "close",
    )
    assert row.basis.progress.statement == "目標年度までに達成見込み（見込み 令和7年度）"
    assert any(c.title == "再入院率" for c in response.context["overview"].charts)
    assert "退院後１年以内の再入院率" in response.content.decode()
