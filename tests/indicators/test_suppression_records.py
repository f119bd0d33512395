"""Small counts beyond the dashboard's indicator tables: counts of reviewed cases by region (the
dashboard's activity section, its download, the region sheet), and a count of people on the PDCA
page, on agenda items (live and frozen when a meeting is held), in the agenda download, in a
proposal's title and on the staff's home page."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from core.fiscal import fiscal_year_label, fiscal_year_of
from indicators.areas import portal_prefecture
from indicators.models import Indicator, Plan
from indicators.services import target_record
from meetings import services as meeting_services
from meetings.models import AgendaItem, CaseStatus, MeetingKind
from sheets.models import Edition
from tests.factories import region
from tests.meetings.factories import CaseReviewFactory, MeetingFactory
from tests.pdca.factories import discuss, observe
from tests.pdfutils import pdf_text

pytestmark = pytest.mark.django_db

LEGEND = "＊: 10人未満のため秘匿（他の値から逆算できないよう一部の値も秘匿）"


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


# --- cases reviewed by region ----------------------------------------------------------------------

# 岩国 3, 柳井 12, 周南 20: the total 35 less 柳井 and 周南 would give 岩国's 3, so 柳井's 12 is hidden too.
CASES = {"3501": 3, "3502": 12, "3503": 20}


@pytest.fixture
def cases(reference_data):
    Edition.objects.create(prefecture=portal_prefecture(), fiscal_year=2022, title="試験")  # region sheets
    for code, n in CASES.items():
        area = region(code)
        meeting = MeetingFactory(
            kind=MeetingKind.CASE_REVIEW,
            region=area,
            date=date(2022, 6, 1),
            organiser_centre=area.health_centres.first(),
        )
        for _ in range(n):
            CaseReviewFactory(meeting=meeting, status=CaseStatus.REVIEWING)


def _activity_row(html: str, name: str) -> str:
    table = html.split('data-testid="table-activity"')[1].split("</table>")[0]
    return next(row for row in table.split("<tr>") if f">{name}圏域<" in row)


def test_a_viewer_sees_stars_for_small_case_counts_and_the_one_that_would_give_them_back(
    cases, viewer, client_for
):
    html = client_for(viewer).get("/indicators/", {"fiscal_year": 2022}).content.decode()
    cell = '<td class="text-end" data-testid="cases-reviewed">{}</td>'
    assert cell.format("＊") in _activity_row(html, "岩国")
    assert cell.format("＊") in _activity_row(html, "柳井")  # 12, hidden so that 35 − 20 − 12 is not 3
    assert cell.format("20件") in _activity_row(html, "周南")
    assert cell.format("0件") in _activity_row(html, "萩")  # zero is shown
    assert '<td class="text-end">35件</td>' in html.split('data-testid="table-activity"')[1]  # the total
    assert LEGEND in html


def test_an_official_and_the_regions_staff_see_the_counts_with_a_mark(
    cases, official, iwakuni_staff, client_for
):
    html = client_for(official).get("/indicators/", {"fiscal_year": 2022}).content.decode()
    assert '3件<sup class="small-count"' in _activity_row(html, "岩国")
    assert '12件<sup class="small-count"' in _activity_row(html, "柳井")
    staff = (
        client_for(iwakuni_staff).get("/indicators/", {"fiscal_year": 2022, "region": ""}).content.decode()
    )
    assert '3件<sup class="small-count"' in _activity_row(staff, "岩国")
    assert 'data-testid="cases-reviewed">＊</td>' in _activity_row(staff, "柳井")


def test_one_region_shown_alone_hides_what_the_table_of_all_regions_hides(cases, viewer, client_for):
    html = client_for(viewer).get("/indicators/", {"fiscal_year": 2022, "region": "3502"}).content.decode()
    assert 'data-testid="cases-reviewed">＊</td>' in _activity_row(html, "柳井")


def test_the_activity_download_has_stars_for_everyone(cases, official, client_for):
    rows = _csv(client_for(official).get("/indicators/export/activity.csv", {"fiscal_year": 2022}))
    column = rows[0].index("検討した事例（件）")
    by_region = {row[0]: row[column] for row in rows[1:-1]}
    assert by_region["岩国圏域"] == "＊" and by_region["柳井圏域"] == "＊"
    assert by_region["周南圏域"] == "20" and by_region["萩圏域"] == "0" and by_region["合計"] == "35"
    assert rows[-1] == [LEGEND]


def test_the_region_sheet_hides_the_count_the_dashboard_hides(cases, official, client_for):
    client = client_for(official)
    text = pdf_text(client.get("/sheets/2022/regions/3502.pdf").content).replace("\n", "")
    assert "事例検討 ＊ 件" in text  # 12, but the table of all regions hides it
    assert "事例 ＊ 件：検討中 ＊ 件" in text  # its only status is the total again
    assert LEGEND in text
    shown = pdf_text(client.get("/sheets/2022/regions/3503.pdf").content).replace("\n", "")
    assert "事例検討 20 件" in shown and "事例 20 件：検討中 20 件" in shown
    assert LEGEND not in shown


# --- a count of people on the PDCA loop's pages ------------------------------------------------------


@pytest.fixture
def counted(official):
    """A count of people with regional targets (3人以下) in 岩国 and 萩, values three 年度 ago and last
    年度; 岩国's first was 8 (small) when its meeting discussed it, and last 年度 萩 had 8 (small) and
    柳井 12 (hidden so that the prefecture's 70 less the others does not give 萩's 8)."""
    fy = fiscal_year_of(date.today())
    indicator = Indicator.objects.create(
        code="long_stay_test",
        name_ja="長期在院者数（試験）",
        unit="人",
        direction=Indicator.Direction.LOWER,
        counts_people=True,
    )
    plan = Plan.objects.create(
        name="山口県計画（試験）",
        issuer=Plan.Issuer.PREFECTURE,
        first_fiscal_year=fy - 4,
        last_fiscal_year=fy + 1,
    )
    for code in ("3501", "3508"):
        target_record(
            by=official,
            indicator=indicator,
            plan=plan,
            prefecture=portal_prefecture(),
            region=region(code),
            fiscal_year=fy + 1,
            value=Decimal(3),
            comparator="lte",
        )
    for area, old, new in ((None, 48, 70), ("3501", 8, 50), ("3502", 0, 12), ("3508", 40, 8)):
        observe(official, indicator, region(area) if area else None, fy - 3, old)
        observe(official, indicator, region(area) if area else None, fy - 1, new)
    item = discuss(indicator, region("3501"), date(fy - 2, 10, 5), title="岩国 圏域会議（試験）")
    return {"indicator": indicator, "item": item, "fy": fy}


def test_the_pdca_page_shows_the_change_without_the_hidden_side(counted, viewer, official, client_for):
    html = client_for(viewer).get("/pdca/regions/3501/").content.decode()
    assert "＊ → 50人" in html
    assert "8人" not in html and "42人" not in html  # neither the old value nor the change
    assert 'data-testid="hidden-points"' in html  # the chart leaves the hidden value out
    assert LEGEND in html
    official_html = client_for(official).get("/pdca/regions/3501/").content.decode()
    assert "8人 → 50人（42人悪化）<sup" in official_html


def test_a_frozen_snapshot_is_hidden_on_the_meeting_page_and_in_the_agenda_download(
    counted, viewer, official, client_for
):
    meeting = counted["item"].meeting
    html = client_for(viewer).get(f"/meetings/{meeting.pk}/").content.decode()
    standing = html.split('data-testid="agenda-standing"')[1].split("</li>")[0]
    period = fiscal_year_label(counted["fy"] - 3)
    # the period through the freshness mark (indicators/templatetags/period_marks.py)
    assert f'<div>＊<span class="period-mark"><span class="period-label">（{period}）</span>' in standing
    assert LEGEND in html
    official_html = client_for(official).get(f"/meetings/{meeting.pk}/").content.decode()
    assert "8人<sup" in official_html.split('data-testid="agenda-standing"')[1]
    rows = _csv(client_for(official).get("/meetings/agenda-export.csv"))
    value = rows[0].index("開催時の値（時点）")
    assert any(row[value] == f"＊（{period}）" for row in rows[1:-1])
    assert rows[-1] == [LEGEND]


def test_a_proposals_title_keeps_a_small_count_as_the_public_reads_it(
    counted, hagi_staff, viewer, client_for
):
    proposal = meeting_services.agenda_propose(
        by=hagi_staff, indicator=counted["indicator"], region=region("3508"), today=date.today()
    )
    assert proposal.item.title == "長期在院者数（試験）が目標に届いていない（＊、目標 3人以下）"
    html = client_for(viewer).get("/meetings/proposals/").content.decode()
    assert "8人" not in html and "＊" in html
    assert LEGEND in html
    assert AgendaItem.objects.filter(title__contains="8人").count() == 0


def test_the_staff_home_shows_their_regions_small_count_with_its_mark(counted, hagi_staff, client_for):
    html = client_for(hagi_staff).get("/").content.decode()
    row = next(r for r in html.split('data-testid="not-met-row"')[1:] if "長期在院者数（試験）" in r)
    assert '8人<sup class="small-count"' in row
    assert "上付きの＊" in html


def test_the_region_sheet_hides_a_small_count_not_met_and_its_gap(counted, official, client_for):
    Edition.objects.create(prefecture=portal_prefecture(), fiscal_year=counted["fy"], title="試験")
    text = pdf_text(client_for(official).get(f"/sheets/{counted['fy']}/regions/3508.pdf").content)
    text = text.replace("\n", "")
    assert f"現在の値 ＊（{fiscal_year_label(counted['fy'] - 1)}）" in text
    assert "目標との差 ＊" in text
    assert "8人" not in text and "5人超過" not in text  # the value, and the gap that would give it
    assert LEGEND in text
