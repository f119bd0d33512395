from decimal import Decimal

import pytest
from django.core.management import call_command

from core.models import ChangeRecord
from indicators.models import DataSet, DataSetScope, Indicator, Observation
from indicators.services import observation_record
from sheets.models import Challenge, Edition, HistoryEntry, InitiativeHeading, ScheduleEntry, Strength
from sheets.reading import sheet_context
from sheets.services import edition_copy_to_year
from tests.factories import region
from tests.sheets.helpers import formset_post_data

pytestmark = pytest.mark.django_db

EDIT_URLS = [
    "/sheets/2022/edit/header/",
    "/sheets/2022/edit/part1/",
    "/sheets/2022/edit/part2/",
    "/sheets/2022/edit/part3/",
    "/sheets/2022/edit/part4/",
    "/sheets/2022/edit/part5/",
    "/sheets/2022/edit/part6/",
]

HEADINGS = [
    "１ 県又は政令市の基礎情報",
    "２ 精神障害にも対応した地域包括ケアシステムの構築に向けた取組概要（全体）",
    "３ 精神障害にも対応した地域包括ケアシステムの構築に向けた取組の経緯",
    "４ 精神障害にも対応した地域包括ケアシステム構築に資する取組の成果・効果",
    "５ 精神障害にも対応した地域包括ケアシステムの構築に向けた取組における強みと課題",
    "６ 精神障害にも対応した地域包括ケアシステムの構築に向けた今年度の取組スケジュール",
]


def test_it_renders_the_whole_sheet_in_the_seeds_order(loaded, viewer, client_for):
    response = client_for(viewer).get("/sheets/2022/")
    assert response.status_code == 200
    html = response.content.decode()
    positions = [html.index(heading) for heading in HEADINGS]
    assert positions == sorted(positions)
    for figure in [
        "1,315,949",
        "5,839",
        "5,111 人",
        "728 人",
        "14.2 ％",
        "17.4 ％",
        "68.4 ％",
        "2,463 人",
        "1,033 人",
        "48.6 ％",
        "69.6 ％",
        "78.7 ％",
        "有　12 ／ 19",
        "有　8 ／ 8",
        "56％以上",
        "74％以上",
        "85％以上",
        "3,906人",
        "2,855人",
        "2,036人",
        "819人",
        "令和3年度までの成果・効果",
        "～保健所圏域ですすめる顔の見えるネットワーク～",
        "ピアサポーターのニーズ等実態把握",
        "他機関主催の研修会、地域移行関連会議への積極的な参加",
        "平成２８年度～",
    ]:
        assert figure in html, figure
    assert "数値の検算で不一致" not in html
    assert "このシートを編集する" not in html


def test_computed_shares_equal_the_seeds_figures(loaded):
    facts = sheet_context(loaded).facts
    assert facts["inpatients_under_3m"].share == Decimal("14.2")
    assert facts["inpatients_3m_to_1y"].share == Decimal("17.4")
    assert facts["inpatients_1y_plus"].share == Decimal("68.4")


def test_sum_checks_pass_on_the_seed(loaded):
    sheet = sheet_context(loaded)
    totals = {(c.total.indicator.code, c.total.period_key): c for c in sheet.checks}
    assert totals[("inpatients_total", "month:2021-06")].ok
    assert totals[("inpatients_1y_plus", "month:2021-06")].ok
    assert totals[("inpatients_1y_plus", "year:2014")].ok
    assert sheet.warnings == []


def test_a_sum_mismatch_is_shown_on_the_page(loaded, official, client_for):
    observation_record(
        by=official,
        indicator=Indicator.objects.get(code="inpatients_1y_plus_65_over"),
        prefecture=loaded.prefecture,
        period_text="R3年6月",
        value=Decimal("2460"),
        provenance="テスト",
    )
    observation_record(
        by=official,
        indicator=Indicator.objects.get(code="inpatients_under_3m"),
        prefecture=loaded.prefecture,
        period_text="R3年6月",
        value=Decimal("729"),
    )
    html = client_for(official).get("/sheets/2022/").content.decode()
    assert "数値の検算で不一致があります" in html
    assert "内訳の合計 5,112 人 が合計 5,111 人 と一致しません" in html
    assert "内訳の合計 3,493 人 が合計 3,496 人 と一致しません" in html
    assert html.count("※内訳の合計と一致しません") == 2


def test_sheet_queries_do_not_grow_with_records(loaded, viewer, client_for, django_assert_num_queries):
    client = client_for(viewer)
    client.get("/sheets/2022/")
    # 17 for the sheet itself, +1 the share of meetings with 当事者, +2 for the charts, +1 published
    # editions, +1 regions (region sheet links), +1 the data sets of the figures' 年度 (approval marks)
    with django_assert_num_queries(23) as before:
        client.get("/sheets/2022/")
    for n in range(5):
        HistoryEntry.objects.create(edition=loaded, order=10 + n, years="令和４年度", content=f"追加 {n}")
        ScheduleEntry.objects.create(edition=loaded, order=10 + n, period="R4年度", item=f"項目 {n}")
        InitiativeHeading.objects.create(
            edition=loaded, section="overall", order=10 + n, heading=f"見出し {n}"
        )
        challenge = Challenge.objects.create(edition=loaded, order=10 + n, title=f"課題 {n}")
        challenge.roles.create(actor="administration", text="役割")
        DataSet.objects.create(
            prefecture=loaded.prefecture,
            scope=DataSetScope.REGION,
            region=region(f"350{n + 1}"),
            fiscal_year=2022,
            state=DataSet.State.APPROVED,
        )
    with django_assert_num_queries(len(before.captured_queries)):
        client.get("/sheets/2022/")


def test_list_shows_editions_by_fiscal_year(loaded, viewer, client_for, django_assert_num_queries):
    client = client_for(viewer)
    client.get("/sheets/")
    with django_assert_num_queries(8) as before:  # 7 + the published editions (one prefetch)
        client.get("/sheets/")
    Edition.objects.create(prefecture=loaded.prefecture, fiscal_year=2021, title="前年度")
    Edition.objects.create(prefecture=loaded.prefecture, fiscal_year=2020, title="前々年度")
    with django_assert_num_queries(len(before.captured_queries)):
        html = client.get("/sheets/").content.decode()
    assert "令和4年度（2022年度）" in html
    assert html.index("令和4年度") < html.index("令和3年度")


@pytest.mark.parametrize("url", EDIT_URLS)
@pytest.mark.parametrize("persona", ["iwakuni_staff", "hagi_staff", "viewer"])
def test_only_prefecture_officials_may_edit(loaded, persona, url, request, client_for):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403
    assert client.post("/sheets/2022/copy/", {"fiscal_year": 2023}).status_code == 403
    assert not Edition.objects.filter(fiscal_year=2023).exists()


@pytest.mark.parametrize("url", EDIT_URLS)
def test_officials_open_every_edit_page(loaded, official, client_for, url):
    assert client_for(official).get(url).status_code == 200


def test_others_read_the_sheet(loaded, iwakuni_staff, hagi_staff, viewer, client_for):
    for user in (iwakuni_staff, hagi_staff, viewer):
        assert client_for(user).get("/sheets/2022/").status_code == 200


@pytest.mark.parametrize(
    ("url", "field", "value", "check"),
    [
        (
            "/sheets/2022/edit/part2/",
            "items-0-heading",
            "【人材育成の取り組み（改）】",
            lambda e: e.initiatives.filter(heading="【人材育成の取り組み（改）】").exists(),
        ),
        (
            "/sheets/2022/edit/part3/",
            "history-0-organiser",
            "保健所・県",
            lambda e: e.history_entries.filter(organiser="保健所・県").exists(),
        ),
        (
            "/sheets/2022/edit/part4/",
            "outcomes-0-achievement",
            "成果を更新",
            lambda e: e.outcomes.filter(achievement="成果を更新").exists(),
        ),
        (
            "/sheets/2022/edit/part5/",
            "roles-3-text",
            "地域住民への普及啓発",
            lambda e: Challenge.objects.filter(edition=e, roles__text="地域住民への普及啓発").exists(),
        ),
        (
            "/sheets/2022/edit/part6/",
            "schedule-2-content",
            "○研修会の開催",
            lambda e: e.schedule.filter(content="○研修会の開催").exists(),
        ),
    ],
)
def test_an_official_edits_each_part(loaded, official, client_for, url, field, value, check):
    client = client_for(official)
    data = formset_post_data(client.get(url))
    data[field] = value
    response = client.post(url, data)
    assert response.status_code == 302
    assert check(loaded)
    loaded.refresh_from_db()
    assert loaded.edited_parts == [url.rstrip("/").rsplit("/", 1)[1]]
    assert ChangeRecord.objects.filter(action="update", username="official").exists()


def test_an_official_edits_part_1_figures(loaded, official, client_for):
    client = client_for(official)
    data = formset_post_data(client.get("/sheets/2022/edit/part1/"))
    index = next(i for i in range(50) if data.get(f"facts-{i}-code") == "population")
    data[f"facts-{index}-period"] = "R4年10月"
    data[f"facts-{index}-value"] = "1300000"
    assert client.post("/sheets/2022/edit/part1/", data).status_code == 302
    # a new observation at the new period; the R4 value stays
    assert Observation.objects.filter(indicator__code="population").count() == 2
    html = client.get("/sheets/2022/").content.decode()
    assert "1,300,000" in html and "令和4年10月時点" in html
    # a value after the end of 令和4年度 belongs to later editions, not to the R4 sheet
    data[f"facts-{index}-period"] = "R5年4月"
    data[f"facts-{index}-value"] = "1290000"
    assert client.post("/sheets/2022/edit/part1/", data).status_code == 302
    assert "1,290,000" not in client.get("/sheets/2022/").content.decode()


def test_bad_input_is_rejected_in_japanese_and_changes_nothing(loaded, official, client_for):
    client = client_for(official)
    data = formset_post_data(client.get("/sheets/2022/edit/part1/"))
    data["facts-0-period"] = "そのうち"
    data["facts-1-value"] = "たくさん"
    response = client.post("/sheets/2022/edit/part1/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "は期間として読めません" in html
    assert "値は数値で入力してください。" in html
    assert Observation.objects.filter(edited_at__isnull=False).count() == 0

    data = formset_post_data(client.get("/sheets/2022/edit/part6/"))
    data["schedule-0-item"] = ""
    response = client.post("/sheets/2022/edit/part6/", data)
    assert response.status_code == 400
    assert "実施する項目を入力してください。" in response.content.decode()
    assert ScheduleEntry.objects.filter(item="").count() == 0


def test_an_official_deletes_and_adds_rows(loaded, official, client_for):
    client = client_for(official)
    data = formset_post_data(client.get("/sheets/2022/edit/part5/"))
    data["strengths-1-DELETE"] = "on"
    data["strengths-2-order"] = "3"
    data["strengths-2-text"] = "ピアサポーターとの協働を始めた。"
    assert client.post("/sheets/2022/edit/part5/", data).status_code == 302
    assert (
        list(Strength.objects.filter(edition=loaded).values_list("text", flat=True))[-1]
        == "ピアサポーターとの協働を始めた。"
    )
    assert Strength.objects.filter(edition=loaded).count() == 2
    assert ChangeRecord.objects.filter(action="delete").count() == 1


def test_copy_into_the_next_fiscal_year(loaded, official, client_for):
    response = client_for(official).post("/sheets/2022/copy/", {"fiscal_year": 2023})
    assert response.status_code == 302
    assert response["Location"] == "/sheets/2023/"
    copy = Edition.objects.get(fiscal_year=2023)
    assert copy.status == Edition.Status.DRAFT and copy.copied_from == loaded
    assert copy.title == loaded.title and copy.edited_parts == []
    for related in ("initiatives", "history_entries", "outcomes", "strengths", "challenges", "schedule"):
        assert getattr(copy, related).count() == getattr(loaded, related).count() > 0, related
    assert Challenge.objects.get(edition=copy, order=2).roles.filter(same_as_above=True).count() == 3
    # editing the copy leaves the source alone
    Strength.objects.filter(edition=copy, order=1).update(text="R5の強み")
    assert Strength.objects.get(edition=loaded, order=1).text.startswith("地域移行を")
    html = client_for(official).get("/sheets/2023/").content.decode()
    assert "令和4年度までの成果・効果" in html
    assert "1,315,949" in html


def test_copy_refuses_an_existing_year(loaded, official, client_for):
    edition_copy_to_year(by=official, source=loaded, fiscal_year=2023)
    response = client_for(official).post("/sheets/2022/copy/", {"fiscal_year": 2023})
    assert response.status_code == 400
    assert "令和5年度のシートは既にあります" in response.content.decode()
    assert Edition.objects.count() == 2


def test_a_missing_year_is_404(loaded, viewer, client_for):
    assert client_for(viewer).get("/sheets/1999/").status_code == 404


def test_rerunning_the_loader_after_a_copy_leaves_the_copy(loaded, official):
    edition_copy_to_year(by=official, source=loaded, fiscal_year=2023)
    call_command("load_sheet", verbosity=0)
    assert Edition.objects.get(fiscal_year=2023).strengths.count() == 2


def _fact_index(data, code):
    return next(i for i in range(60) if data.get(f"facts-{i}-code") == code)


def test_part_1_runs_the_validation_rules_a_hard_finding_saves_nothing(loaded, official, client_for):
    client = client_for(official)
    data = formset_post_data(client.get("/sheets/2022/edit/part1/"))
    rate = _fact_index(data, "discharge_rate_3m")
    beds = _fact_index(data, "psychiatric_beds")
    data[f"facts-{rate}-value"] = "148.6"  # a rate above 100 %: refused
    data[f"facts-{beds}-value"] = "5840"  # a fine change, refused with it (all or nothing)
    response = client.post("/sheets/2022/edit/part1/", data)
    assert response.status_code == 400
    assert (
        "100" in response.content.decode()
        and 'data-testid="facts-questioned"' not in response.content.decode()
    )
    assert not Observation.objects.filter(edited_at__isnull=False).exists()


def test_part_1_asks_to_confirm_a_questioned_value_then_flags_it(loaded, official, client_for):
    from indicators.models import FlaggedValue

    observation_record(  # the year before the sheet's H29 value, for the rules to compare with
        by=official,
        indicator=Indicator.objects.get(code="discharge_rate_3m"),
        prefecture=loaded.prefecture,
        period_text="H28年度",
        value=Decimal("47.0"),
    )
    client = client_for(official)
    data = formset_post_data(client.get("/sheets/2022/edit/part1/"))
    rate = _fact_index(data, "discharge_rate_3m")
    data[f"facts-{rate}-value"] = "70.0"  # 47.0 % the year before: more than ±15 points is questioned
    response = client.post("/sheets/2022/edit/part1/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="facts-questioned"' in html and "確認のメモ" in html
    assert not FlaggedValue.objects.exists() and not Observation.objects.filter(value=70).exists()
    digest = response.context["confirm_form"].initial["confirmed_digest"]
    data["confirmed_digest"] = digest
    assert client.post("/sheets/2022/edit/part1/", data).status_code == 400  # no note: still not saved
    data["confirmation_note"] = "NDBの確定値で確認した"
    assert client.post("/sheets/2022/edit/part1/", data).status_code == 302
    flag = FlaggedValue.objects.get()
    assert flag.observation.value == 70 and flag.note == "NDBの確定値で確認した"
    assert flag.flagged_by == official


def test_part_1_refuses_a_locked_prefecture_data_set_before_any_rule(loaded, official, client_for):
    DataSet.objects.create(
        prefecture=loaded.prefecture,
        scope=DataSetScope.PREFECTURE,
        fiscal_year=2021,
        state=DataSet.State.APPROVED,
    )
    client = client_for(official)
    data = formset_post_data(client.get("/sheets/2022/edit/part1/"))
    long_stay = _fact_index(data, "inpatients_1y_plus")  # R3年6月: 令和3年度's set
    data[f"facts-{long_stay}-value"] = "34960"
    response = client.post("/sheets/2022/edit/part1/", data)
    assert response.status_code == 409
    assert "承認したため変更できません" in response.content.decode()
    assert not Observation.objects.filter(value=34960).exists()
