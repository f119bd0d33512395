"""The export of agenda items and actions with their indicator (#15 item 8): one row per action item,
the standing frozen when the meeting was held (live, marked, for a planned one), the meeting list's
filters, formulas neutralised, never case detail, a constant number of queries."""

import csv
import io
from datetime import date, timedelta
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from indicators.models import Indicator
from meetings.agenda import sync_snapshots
from meetings.agenda_export import HEADER
from meetings.models import ActionStatus, MeetingStatus
from regions.models import Region
from tests.indicators.helpers import fill_prefecture_seventh_plan, observe
from tests.meetings.factories import (
    ActionItemFactory,
    AgendaItemFactory,
    CaseReviewFactory,
    MeetingFactory,
)


def _url(fmt="csv"):
    return reverse("meetings:agenda_export", args=[fmt])


def _csv(response):
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == HEADER
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.fixture
def held(sheet):
    """岩国's meeting of 5 Oct 2023, held: the 3-month discharge rate (40%, 遅れ) with two actions, an
    item with none, an action of no item; a newer value arrives after the meeting."""
    observe("discharge_rate_3m", "3501", 40, fiscal_year=2022)
    meeting = MeetingFactory(title="令和5年度 第2回 岩国圏域連絡調整会議", date=date(2023, 10, 5), agenda="")
    rate = AgendaItemFactory(
        meeting=meeting,
        position=1,
        title="3か月時点の退院率",
        indicator=Indicator.objects.get(code="discharge_rate_3m"),
    )
    AgendaItemFactory(meeting=meeting, position=2, title="=1+1 その他")
    sync_snapshots(meeting)
    observe("discharge_rate_3m", "3501", 60, fiscal_year=2023)  # after the meeting: not in its snapshot
    ActionItemFactory(
        meeting=meeting, agenda_item=rate, description="病院への説明会", due_date=date(2023, 12, 1)
    )
    ActionItemFactory(
        meeting=meeting,
        agenda_item=rate,
        description="家族会への周知",
        due_date=date(2023, 11, 1),
        status=ActionStatus.DONE,
        completed_on=date(2023, 10, 30),
    )
    ActionItemFactory(meeting=meeting, description="議題に属さない対応", responsible="保健所", due_date=None)
    CaseReviewFactory(meeting=meeting, summary="退院先のグループホームで生活を始めた")
    return meeting


def test_one_row_per_action_under_its_agenda_item_with_the_frozen_standing(client_for, iwakuni_staff, held):
    rows = _csv(client_for(iwakuni_staff).get(_url()))
    assert [(r["順番"], r["議題"], r["対応事項"]) for r in rows] == [
        ("1", "3か月時点の退院率", "家族会への周知"),
        ("1", "3か月時点の退院率", "病院への説明会"),
        ("2", "'=1+1 その他", ""),
        ("", "", "議題に属さない対応"),
    ]
    first = rows[0]
    assert first["年度"] == "2023" and first["開催日"] == "2023-10-05"
    assert first["会議名"] == "令和5年度 第2回 岩国圏域連絡調整会議"
    assert (first["種別"], first["圏域"], first["状況"]) == ("圏域連絡調整会議", "岩国圏域", "開催済")
    assert first["関連する指標"] == "入院後３か月時点の退院率"
    assert first["開催時の値（時点）"] == "40.0％（令和4年度）"  # not the newer 60%
    assert first["目標"] == "56.0％以上（県の目標）"
    assert first["開催時の状況"] == "遅れ"
    assert (first["担当機関"], first["期限"], first["対応状況"], first["完了日"]) == (
        "相談支援事業所",
        "2023-11-01",
        "完了",
        "2023-10-30",
    )
    assert rows[1]["完了日"] == "" and rows[1]["対応状況"] == "未着手"
    assert [rows[2][k] for k in ("関連する指標", "開催時の値（時点）", "目標", "開催時の状況")] == [
        "",
        "",
        "",
        "",
    ]
    assert rows[3]["期限"] == "" and rows[3]["関連する指標"] == ""


def test_a_planned_meetings_item_shows_the_live_standing_marked(client_for, viewer, held):
    fill_prefecture_seventh_plan()  # today's plan in force: 70 % is 4 points short of its 74 %
    observe("discharge_rate_6m", "3501", 70, fiscal_year=2022)
    planned = MeetingFactory(
        title="次回の会議",
        date=timezone.localdate() + timedelta(days=10),
        status=MeetingStatus.PLANNED,
        agenda="",
    )
    AgendaItemFactory(
        meeting=planned, title="6か月", indicator=Indicator.objects.get(code="discharge_rate_6m")
    )
    rows = _csv(client_for(viewer).get(_url()))
    assert rows[0]["会議名"] == "次回の会議"  # newest first
    assert rows[0]["状況"] == "予定"
    assert rows[0]["開催時の値（時点）"] == "70.0％（令和4年度）"
    assert rows[0]["開催時の状況"] == "目標に近い（現在の状況：開催前）"
    assert rows[0]["対応事項"] == ""


def test_no_case_detail_whoever_downloads(client_for, official, iwakuni_staff, viewer, held):
    case = held.cases.get()
    for user in (official, iwakuni_staff, viewer):
        body = b"".join(client_for(user).get(_url()).streaming_content).decode("utf-8-sig")
        assert case.case_number not in body and case.display_number not in body
        assert "グループホームで生活" not in body


def test_the_meeting_lists_filters_apply(client_for, official, viewer, held):
    hagi = MeetingFactory(title="萩の会議", region=Region.objects.get(code="3508"), date=date(2022, 6, 1))
    MeetingFactory(title="消した会議", date=date(2023, 6, 1), deleted_at=timezone.now())
    client = client_for(viewer)

    def titles(**params):
        return {r["会議名"] for r in _csv(client.get(_url(), params))}

    assert titles() == {held.title, "萩の会議"}  # a meeting with no agenda item and no action: no row
    assert titles(fiscal_year="2023") == {held.title}
    assert titles(region=str(hagi.region_id)) == {"萩の会議"}
    assert titles(q="萩") == {"萩の会議"}
    assert titles(deleted="on") == {held.title, "萩の会議"}  # viewers cannot ask for deleted meetings
    assert titles(fiscal_year="not a year") == {held.title, "萩の会議"}  # refused input filters nothing
    client = client_for(official)
    assert titles(deleted="on") == {"消した会議"}


def test_excel_and_the_file_name(client_for, iwakuni_staff, held):
    response = client_for(iwakuni_staff).get(_url("xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    stamp = timezone.localdate().strftime("%Y%m%d")
    assert quote(f"議題と対応事項_{stamp}.xlsx") in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "議題と対応事項"
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER and len(rows) == 5
    other = dict(zip(rows[0], rows[3], strict=True))
    assert other["議題"] == "'=1+1 その他" and sheet.cell(row=4, column=8).data_type == "s"
    assert dict(zip(rows[0], rows[1], strict=True))["完了日"].date() == date(2023, 10, 30)
    csv_name = client_for(iwakuni_staff).get(_url("csv"))["Content-Disposition"]
    assert quote(f"議題と対応事項_{stamp}.csv") in csv_name
    assert client_for(iwakuni_staff).get(_url("pdf")).status_code == 404


def test_the_meeting_list_links_to_it_with_its_filters(client_for, viewer, held):
    page = client_for(viewer).get(reverse("meetings:index"), {"fiscal_year": "2023"}).content.decode()
    assert 'href="/meetings/agenda-export.csv?fiscal_year=2023"' in page
    assert 'href="/meetings/agenda-export.xlsx?fiscal_year=2023"' in page


def test_the_queries_do_not_grow_with_the_meetings(client_for, official, held):
    client = client_for(official)
    indicator = Indicator.objects.get(code="discharge_rate_3m")
    planned = MeetingFactory(date=date(2023, 11, 1), status=MeetingStatus.PLANNED, agenda="")
    AgendaItemFactory(meeting=planned, indicator=indicator)  # a live standing is read (once per chunk)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            _csv(client.get(_url()))
        return len(ctx.captured_queries)

    few = count()
    for n in range(15):
        meeting = MeetingFactory(date=date(2023, 5, n + 1), status=MeetingStatus.PLANNED if n % 2 else "held")
        item = AgendaItemFactory(meeting=meeting, indicator=indicator)
        ActionItemFactory(meeting=meeting, agenda_item=item)
        ActionItemFactory(meeting=meeting)
        sync_snapshots(meeting)
    assert count() == few
