"""The region sheet's PDCA section (#15 item 7) 「目標に届いていない指標と取組」, and the share of meetings
with 当事者 (#15 item 5) in the region sheet and in the status sheet."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.models import Indicator
from indicators.services import observation_record
from meetings import agenda
from meetings.models import ActionStatus, MeetingKind
from regions.models import Region
from sheets.regional import region_sheet_for
from tests.meetings.factories import (
    ActionItemFactory,
    AgendaItemFactory,
    CaseReviewFactory,
    MeetingFactory,
    ParticipationFactory,
)
from tests.pdfutils import embedded_font_names, pdf_text

pytestmark = pytest.mark.django_db

SECTION = "２ 目標に届いていない指標と取組"
NEXT_SECTION = "３ 会議の記録"


def _rate(official, loaded, code: str, region: Region, value: str, period="R3年度"):
    observation_record(
        by=official,
        indicator=Indicator.objects.get(code=code),
        prefecture=loaded.prefecture,
        region=region,
        period_text=period,
        value=Decimal(value),
    )


@pytest.fixture
def pdca(loaded, official):
    """岩国 behind on the 3-month discharge rate (44.0％ against the prefecture's target), met on the
    6-month one; a held meeting discussed the first and decided two actions, one done; 萩 behind too."""
    iwakuni, hagi = Region.objects.get(code="3501"), Region.objects.get(code="3508")
    _rate(official, loaded, "discharge_rate_3m", iwakuni, "44.0")
    _rate(official, loaded, "discharge_rate_6m", iwakuni, "95.0")
    _rate(official, loaded, "discharge_rate_3m", hagi, "40.0")
    rate = Indicator.objects.get(code="discharge_rate_3m")

    meeting = MeetingFactory(
        title="岩国 第2回 圏域連絡調整会議",
        date=date(2022, 10, 5),
        agenda="",
        decisions="退院支援委員会への相談支援事業所の参加を病院に依頼する",
    )
    ParticipationFactory(meeting=meeting, category="peer", count=2)
    item = AgendaItemFactory(
        meeting=meeting, indicator=rate, title="3か月時点の退院率", notes="入院初期からの退院支援を話し合った"
    )
    agenda.sync_snapshots(meeting)  # held: what the meeting saw is frozen
    ActionItemFactory(
        meeting=meeting,
        agenda_item=item,
        description="岩国 退院支援委員会に参加する",
        due_date=date(2022, 12, 1),
    )
    ActionItemFactory(
        meeting=meeting,
        agenda_item=item,
        description="岩国 病院向けの説明会を開く",
        due_date=date(2023, 6, 30),
    )
    ActionItemFactory(
        meeting=meeting,
        agenda_item=item,
        description="岩国 済んだ対応",
        status=ActionStatus.DONE,
        completed_on=date(2022, 11, 1),
    )
    ActionItemFactory(meeting=meeting, description="岩国 議題のない対応")
    # the same indicator on a 協議の場 without 当事者, and a case review whose details never appear here
    venue = MeetingFactory(
        title="岩国市 協議の場", kind=MeetingKind.VENUE_MUNICIPALITY, date=date(2022, 11, 10), agenda=""
    )
    AgendaItemFactory(meeting=venue, indicator=rate, title="退院率の共有", notes="市の取組を報告")
    CaseReviewFactory(meeting__date=date(2022, 9, 1), summary="事例の詳細な経過（ここには出ない）")
    # a planned meeting's item is not a discussion; 萩's never shows on 岩国's sheet
    planned = MeetingFactory(title="岩国 第3回（予定）", date=date(2023, 2, 1), status="planned", agenda="")
    AgendaItemFactory(meeting=planned, indicator=rate, title="予定の議題")
    hagi_meeting = MeetingFactory(
        title="萩 圏域連絡調整会議", region=hagi, organiser_centre=hagi.health_centres.first(), agenda=""
    )
    AgendaItemFactory(meeting=hagi_meeting, indicator=rate, title="萩 退院率", notes="萩の協議")
    return iwakuni


def _section(text: str) -> str:
    assert SECTION in text and NEXT_SECTION in text
    return text.split(SECTION, 1)[1].split(NEXT_SECTION, 1)[0]


def region_pdf_text(client, code="3501"):
    response = client.get(f"/sheets/2022/regions/{code}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return response, pdf_text(response.content).replace("\n", "")


def test_the_section_lists_the_indicators_not_met_with_decisions_and_open_actions(pdca, viewer, client_for):
    response, text = region_pdf_text(client_for(viewer))
    section = _section(text)
    assert text.index("１ 圏域の概要") < text.index(SECTION) < text.index(NEXT_SECTION)

    assert "入院後３か月時点の退院率（遅れ）" in section
    assert "現在の値 44.0％（令和3年度）" in section  # the current value and its period
    assert "目標 56.0％以上（県の目標）" in section  # the basis plan's target: the prefecture's, for a rate
    assert "12.0ポイント不足" in section
    assert "入院後６か月時点の退院率" not in section and "95.0％" not in section  # met: not listed
    for decided in (
        "令和4年10月5日",
        "岩国 第2回 圏域連絡調整会議",
        "議題：3か月時点の退院率",
        "入院初期からの退院支援を話し合った",
        "退院支援委員会への相談支援事業所の参加を病院に依頼する",
        "令和4年11月10日",
        "岩国市 協議の場",
        "市の取組を報告",
        "協議済み（令和4年11月10日）",  # the agenda state: the latest held meeting
    ):
        assert decided in section, decided
    assert section.index("令和4年10月5日 岩国 第2回") < section.index("令和4年11月10日 岩国市 協議の場")
    assert "開催時：遅れ（44.0％）" in section  # the frozen standing of the held meeting
    # open actions of the indicator's agenda items, overdue flagged as of the 年度's last day
    assert "岩国 退院支援委員会に参加する" in section and "岩国 病院向けの説明会を開く" in section
    assert "相談支援事業所" in section  # 担当機関
    assert section.count("期限超過") == 1
    assert (
        section.index("令和4年12月1日")
        < section.index("期限超過")
        < section.index("岩国 病院向けの説明会を開く")
    )
    for absent in (
        "岩国 済んだ対応",
        "岩国 議題のない対応",
        "予定の議題",
        "萩",
        "事例の詳細な経過",
        "岩国-2022-",
        "岩国-R4-",
    ):
        assert absent not in section, absent
    assert "IPAexGothic" in embedded_font_names(response.content)


def test_no_case_detail_even_for_the_regions_staff(pdca, iwakuni_staff, client_for):
    _, text = region_pdf_text(client_for(iwakuni_staff))
    assert "事例の詳細な経過" in text  # the staff see the case part ...
    section = _section(text)
    assert (
        "事例の詳細な経過" not in section and "岩国-2022-" not in section and "岩国-R4-" not in section
    )  # ... never in this section


def test_a_region_with_every_indicator_met_or_without_data_says_so(loaded, viewer, client_for):
    _, text = region_pdf_text(client_for(viewer), "3505")
    assert "目標に届いていない指標はありません" in _section(text)


def test_the_day_the_section_is_read_on(pdca, viewer):
    region = pdca
    during = region_sheet_for(region=region, fiscal_year=2022, user=viewer, today=date(2022, 11, 1))
    assert during.as_of == date(2022, 11, 1)
    (line,) = during.not_met
    assert [d.meeting.title for d in line.discussions] == ["岩国 第2回 圏域連絡調整会議"]  # 11/10 not yet
    assert [(a.description, overdue) for a, overdue in line.actions] == [
        ("岩国 退院支援委員会に参加する", False),
        ("岩国 病院向けの説明会を開く", False),
    ]
    after = region_sheet_for(region=region, fiscal_year=2022, user=viewer, today=date(2024, 5, 1))
    assert after.as_of == date(2023, 3, 31)  # a past 年度: its last day
    (line,) = after.not_met
    assert line.standing.indicator.code == "discharge_rate_3m" and line.standing.status == "behind"
    assert [overdue for _, overdue in line.actions] == [True, False]
    assert len(line.discussions) == 2 and line.discussions[0].standing.status == "behind"


def test_the_sections_queries_do_not_grow_with_discussions_and_actions(pdca, viewer):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            region_sheet_for(region=pdca, fiscal_year=2022, user=viewer, today=date(2024, 5, 1))
        return len(ctx.captured_queries)

    count()  # the first call reads what is kept for the process (the portal's prefecture)
    before = count()
    rate = Indicator.objects.get(code="discharge_rate_3m")
    for day in (date(2022, 12, 5), date(2023, 1, 5)):
        meeting = MeetingFactory(date=day, agenda="")
        item = AgendaItemFactory(meeting=meeting, indicator=rate)
        agenda.sync_snapshots(meeting)
        ActionItemFactory(meeting=meeting, agenda_item=item)
    assert count() == before


def test_the_share_of_meetings_with_peers_in_the_region_sheet(pdca, viewer, client_for):
    _, text = region_pdf_text(client_for(viewer))
    # 岩国's held meetings of the expected kinds in R4: the 圏域 meeting (当事者 2) and the 協議の場 (none);
    # the case review is not of an expected kind, the planned meeting not held
    assert "当事者が参加した会議 1／2回（50.0％）" in text
    _, text = region_pdf_text(client_for(viewer), "3505")
    assert "当事者が参加した会議 —" in text


def test_the_share_of_meetings_with_peers_in_the_status_sheet(pdca, viewer, client_for):
    page = client_for(viewer).get("/sheets/2022/").content.decode()
    table = page.split('data-testid="peer-share"')[1].split("</table>")[0]
    assert "当事者が参加した会議" in table
    assert "1／3回（33.3％）" in table  # 岩国 1 of 2, 萩 0 of 1: the dashboard's total
    text = pdf_text(client_for(viewer).get("/sheets/2022.pdf").content).replace("\n", "")
    assert "1／3回（33.3％）" in text
