"""Freshness (issue #17, item 4): when the next figure is expected after a value, whether the value shown
as latest is 「古いデータ」, and the one mark every page draws it with."""

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import timezone

from indicators import freshness
from indicators.models import Indicator
from indicators.services import observation_record
from meetings import services as meeting_services
from meetings.models import AgendaItem, MeetingKind, MeetingStatus
from meetings.services import ChildChange
from regions.models import Prefecture, Region
from sheets.models import Edition
from sheets.reading import sheet_context
from tests.pdfutils import pdf_text


def survey_630(**kwargs):
    """An unsaved 630調査-like definition: yearly, its tally out six months after the survey day."""
    return Indicator(code="inpatients", name_ja="入院者数", cycle_months=12, release_lag_months=6, **kwargs)


def ndb_rate():
    """An unsaved NDB discharge rate: yearly, published three years after the 年度 ends."""
    return Indicator(code="rate", name_ja="退院率", cycle_months=12, release_lag_months=36)


# --- the rule ------------------------------------------------------------------------------------


def test_the_next_figure_is_expected_a_cycle_and_a_lag_after_the_period_ends():
    june_survey = date(2021, 6, 30)  # R3年6月 630調査
    assert freshness.next_expected(survey_630(), june_survey) == date(2022, 12, 1)
    h29 = date(2018, 3, 31)  # 平成29年度 NDB
    assert freshness.next_expected(ndb_rate(), h29) == date(2022, 3, 1)
    mark = freshness.freshness(ndb_rate(), h29, "平成29年度", on=date(2026, 1, 1))
    assert mark.next_expected_text == "令和4年3月ごろ"
    assert mark.note == "古いデータ（次の値は令和4年3月ごろ）"


@pytest.mark.parametrize(
    ("on", "stale"),
    [
        (date(2022, 11, 30), False),
        (date(2022, 12, 1), False),  # the month the next figure is expected in: not late yet
        (date(2022, 12, 31), False),
        (date(2023, 1, 1), True),  # that month is over and this is still the latest
        (date(2030, 1, 1), True),
    ],
)
def test_a_value_is_stale_once_the_month_its_successor_was_due_is_over(on, stale):
    assert freshness.is_stale(survey_630(), date(2021, 6, 30), on=on) is stale


def test_the_lag_moves_the_boundary_by_years_for_ndb_figures():
    h29 = date(2018, 3, 31)
    assert not freshness.is_stale(ndb_rate(), h29, on=date(2022, 3, 31))
    assert freshness.is_stale(ndb_rate(), h29, on=date(2022, 4, 1))
    without_lag = Indicator(code="count", name_ja="数", cycle_months=12, release_lag_months=0)
    assert freshness.is_stale(without_lag, h29, on=date(2019, 4, 1))
    assert not freshness.is_stale(without_lag, h29, on=date(2019, 3, 31))


def test_an_indicator_without_a_cycle_is_never_judged():
    indicator = Indicator(code="x", name_ja="x", cycle_months=None, release_lag_months=24)
    mark = freshness.freshness(indicator, date(1990, 3, 31), "平成元年度", on=date(2030, 1, 1))
    assert (mark.stale, mark.next_expected, mark.next_expected_text, mark.note) == (False, None, "", "")


def test_the_cycle_in_words():
    assert freshness.cycle_text(ndb_rate()) == "毎年・期間の終わりから約3年後に公表"
    assert freshness.cycle_text(survey_630()) == "毎年・期間の終わりから約6か月後に公表"
    plan_cycle = Indicator(code="r", name_ja="r", cycle_months=36, release_lag_months=0)
    assert freshness.cycle_text(plan_cycle) == "3年ごと"
    assert freshness.cycle_text(Indicator(code="n", name_ja="n")).startswith("定めなし")


# --- the one mark --------------------------------------------------------------------------------


def render_mark(indicator, period_end, label, on=None, extra=""):
    template = Template("{% load period_marks %}{% period_mark indicator period_end label on" + extra + " %}")
    return template.render(
        Context({"indicator": indicator, "period_end": period_end, "label": label, "on": on})
    )


def test_the_mark_shows_the_period_and_only_a_stale_value_gets_the_badge():
    fresh = render_mark(survey_630(), date(2021, 6, 30), "令和3年6月30日", on=date(2022, 12, 31))
    assert "（令和3年6月30日）" in fresh and "古いデータ" not in fresh and "次の値は" not in fresh
    old = render_mark(survey_630(), date(2021, 6, 30), "令和3年6月30日", on=date(2023, 1, 1))
    assert "（令和3年6月30日）" in old
    assert "古いデータ" in old and "次の値は令和4年12月ごろ" in old
    as_of = render_mark(survey_630(), date(2021, 6, 30), "令和3年6月", date(2022, 1, 1), ' suffix="時点"')
    assert "（令和3年6月時点）" in as_of
    bare = render_mark(survey_630(), date(2021, 6, 30), "令和3年6月", date(2022, 1, 1), " brackets=False")
    assert "令和3年6月" in bare and "（" not in bare


def test_the_mark_is_judged_today_when_no_day_is_given():
    today = timezone.localdate()
    recent = render_mark(survey_630(), today, "今日")
    assert "古いデータ" not in recent
    old = render_mark(survey_630(), today - timedelta(days=3 * 366), "3年前")
    assert "古いデータ" in old


def test_no_value_no_mark():
    assert render_mark(survey_630(), None, "") == ""
    assert render_mark(None, date(2021, 6, 30), "令和3年6月") == ""


# --- the data ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_loaded_indicator_has_its_cycle(sheet):
    cycles = {i.code: (i.cycle_months, i.release_lag_months) for i in Indicator.objects.all()}
    assert all(cycle for cycle, _ in cycles.values()), cycles
    assert cycles["inpatients_1y_plus"] == (12, 6)  # 630調査, yearly
    assert cycles["discharge_rate_3m"] == (12, 36)  # NDB, years late
    assert cycles["community_days_after_discharge"] == (12, 36)
    assert cycles["psychiatric_beds"] == (12, 0)  # 県調べ, yearly
    assert cycles["region_count"] == (36, 0)  # set by the prefecture's 3-year plan


# --- the pages -----------------------------------------------------------------------------------


def status_cell(html: str, code: str) -> str:
    row = re.search(rf'<tr data-indicator="{code}">(.*?)</tr>', html, re.S)
    assert row, code
    return row.group(1)


@pytest.mark.django_db
def test_the_dashboard_marks_the_h29_rates_old_for_a_year_after_they_were_due(client_for, viewer, sheet):
    client = client_for(viewer)
    html = client.get("/indicators/", {"fiscal_year": 2022}).content.decode()
    cell = status_cell(html, "discharge_rate_3m")
    assert "平成29年度" in cell and "古いデータ" in cell and "次の値は令和4年3月ごろ" in cell
    # judged on the last day of a past 年度: at the end of 令和2年度 the 平成30年度 rates were not due yet
    html = client.get("/indicators/", {"fiscal_year": 2020}).content.decode()
    cell = status_cell(html, "discharge_rate_3m")
    assert "平成29年度" in cell and "古いデータ" not in cell
    # the download says it too
    for year, note in ((2022, "古いデータ（次の値は令和4年3月ごろ）"), (2020, "")):
        body = b"".join(client.get("/indicators/export/status.csv", {"fiscal_year": year}).streaming_content)
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        assert rows[0][4:7] == ["時点", "出典", "古いデータ"]
        rate = next(r for r in rows if r[0] == "入院後３か月時点の退院率")
        assert rate[4:7] == ["平成29年度", "NDB（H29年度）", note]


@pytest.mark.django_db
def test_the_region_matrix_marks_each_cell(client_for, official, viewer, sheet):
    rate = Indicator.objects.get(code="discharge_rate_3m")
    prefecture = Prefecture.objects.get(code="350001")
    this_year = timezone.localdate().year
    for code, period in (("3501", "H29年度"), ("3508", f"{this_year - 1}年度")):
        observation_record(
            by=official,
            indicator=rate,
            prefecture=prefecture,
            region=Region.objects.get(code=code),
            period_text=period,
            value=Decimal("50"),
        )
    html = client_for(viewer).get("/indicators/").content.decode()
    matrix = html[html.index('data-testid="matrix"') :]
    rows = {code: re.search(rf"region={code}\">.*?</tr>", matrix, re.S).group(0) for code in ("3501", "3508")}
    assert "平成29年度" in rows["3501"] and "古いデータ" in rows["3501"]
    assert "古いデータ" not in rows["3508"]


@pytest.mark.django_db
def test_the_sheet_marks_part_1_figures_old_as_of_its_year(client_for, official, sheet):
    edition = Edition.objects.get(fiscal_year=2022)
    context = sheet_context(edition, today=date(2030, 1, 1))
    assert context.judged_on == date(2023, 3, 31)  # the edition's 年度 end, not today
    html = client_for(official).get("/sheets/2022/").content.decode()
    part1 = html[html.index('id="part1"') : html.index('id="part2"')]
    # R3年6月 630調査 (next due R4年12月) and H29 NDB rates (R4年3月) were old by R4年度末 ...
    assert "次の値は令和4年12月ごろ" in part1 and "次の値は令和4年3月ごろ" in part1
    # ... the R4年4月 counts were not (the next, R5年4月, was not due yet)
    assert "（令和4年4月時点）" in part1
    assert (
        "（令和3年度）" in part1
    )  # 協議会 R3年度: the R4年度 count was due in R5年3月, the year's last month
    assert part1.count("古いデータ") == 2


@pytest.mark.django_db
def test_the_definitions_pages_state_the_cycle(client_for, viewer, sheet):
    client = client_for(viewer)
    html = client.get("/indicators/definitions/").content.decode()
    assert "更新の周期: 毎年・期間の終わりから約3年後に公表" in html
    assert "古いデータ" in html  # the latest prefecture values listed with their marks
    html = client.get("/indicators/definitions/discharge_rate_3m/").content.decode()
    assert re.search(r'data-testid="cycle">毎年・期間の終わりから約3年後に公表<', html)


@pytest.mark.django_db
def test_a_held_meeting_judges_what_it_saw_on_its_own_day(client_for, official, sheet):
    rate = Indicator.objects.get(code="discharge_rate_3m")
    iwakuni = Region.objects.get(code="3501")
    observation_record(
        by=official,
        indicator=rate,
        prefecture=Prefecture.objects.get(code="350001"),
        region=iwakuni,
        period_text="H29年度",  # the 平成30年度 figure was due in 令和4年3月
        value=Decimal("48.6"),
    )

    def meeting(day, status):
        return meeting_services.meeting_create(
            by=official,
            fields={
                "kind": MeetingKind.REGIONAL_COORDINATION,
                "title": f"岩国圏域連絡調整会議 {day}",
                "date": day,
                "start_time": None,
                "end_time": None,
                "place": "",
                "region": iwakuni,
                "organiser_centre": None,
                "organiser_division": "disability_support",
                "minutes": "",
                "decisions": "",
                "status": status,
            },
            agenda=[
                ChildChange(
                    pk=None, fields={"position": 1, "title": "退院率", "notes": "", "indicator": rate}
                )
            ],
        )

    held = meeting(date(2021, 10, 5), MeetingStatus.HELD)
    item = AgendaItem.objects.select_related("meeting").get(meeting=held)
    assert item.frozen_standing().on == date(2021, 10, 5)
    assert AgendaItem.objects.get(pk=item.pk).frozen_standing().on is None  # meeting not read: today

    client = client_for(official)
    html = client.get(f"/meetings/{held.pk}/").content.decode()
    agenda_html = html[html.index('data-testid="agenda"') :]
    assert "平成29年度" in agenda_html and "古いデータ" not in agenda_html

    planned = meeting(timezone.localdate() + timedelta(days=30), MeetingStatus.PLANNED)
    html = client.get(f"/meetings/{planned.pk}/").content.decode()
    agenda_html = html[html.index('data-testid="agenda"') :]
    assert "平成29年度" in agenda_html and "次の値は令和4年3月ごろ" in agenda_html


@pytest.mark.django_db
def test_the_staff_home_and_the_pdca_page_mark_old_values(client_for, official, iwakuni_staff, sheet):
    rate = Indicator.objects.get(code="discharge_rate_3m")
    observation_record(
        by=official,
        indicator=rate,
        prefecture=Prefecture.objects.get(code="350001"),
        region=Region.objects.get(code="3501"),
        period_text="H29年度",
        value=Decimal("40"),  # short of the prefecture's 56 %: on the staff's list of indicators not met
    )
    client = client_for(iwakuni_staff)
    html = client.get("/").content.decode()
    not_met = html[html.index('data-testid="not-met"') :]
    assert "平成29年度" in not_met and "次の値は令和4年3月ごろ" in not_met
    html = client.get("/pdca/regions/3501/").content.decode()
    assert "平成29年度" in html and "次の値は令和4年3月ごろ" in html


@pytest.mark.django_db
def test_a_new_indicator_gets_its_cycle_from_the_definition_form(client_for, official, sheet):
    response = client_for(official).post(
        "/indicators/definitions/new/",
        {
            "code": "peer_supporters",
            "name_ja": "ピアサポーター数",
            "unit": "人",
            "value_type": "number",
            "decimal_places": 0,
            "direction": "higher",
            "display_order": 500,
            "cycle_months": 12,
            "release_lag_months": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()
    indicator = Indicator.objects.get(code="peer_supporters")
    assert (indicator.cycle_months, indicator.release_lag_months) == (12, 0)


@pytest.mark.django_db
def test_the_sheet_pdf_and_the_region_pdf_carry_the_marks(client_for, official, sheet, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client = client_for(official)
    text = pdf_text(client.get("/sheets/2022.pdf").content).replace("\n", "")
    assert "古いデータ" in text and "次の値は令和4年12月ごろ" in text and "次の値は令和4年3月ごろ" in text
    observation_record(
        by=official,
        indicator=Indicator.objects.get(code="discharge_rate_3m"),
        prefecture=Prefecture.objects.get(code="350001"),
        region=Region.objects.get(code="3501"),
        period_text="H29年度",
        value=Decimal("40"),
    )
    text = pdf_text(client.get("/sheets/2022/regions/3501.pdf").content).replace("\n", "")
    assert "平成29年度" in text and "古いデータ" in text and "次の値は令和4年3月ごろ" in text
