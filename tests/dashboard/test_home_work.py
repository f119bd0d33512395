"""The home page as a work page (#15 item 6): staff see their region's indicators not met and whether
each is on an agenda, the next planned meetings, open actions and the case follow-ups falling due;
officials see the same counted per region in one table; both in a fixed number of queries."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.fiscal import add_months, fiscal_year_of, wareki_date
from indicators.models import Indicator
from meetings.followups import follow_ups_due
from meetings.models import AgendaOrigin, CaseReview, MeetingKind, MeetingStatus
from regions.models import Region
from tests.indicators.helpers import fill_prefecture_seventh_plan, observe
from tests.meetings.factories import (
    ActionItemFactory,
    AgendaItemFactory,
    CaseFollowUpFactory,
    CaseReviewFactory,
    MeetingFactory,
)

# The session, the user and their profile (3, officials also their TOTP device) and the session's save
# (3) come on top of the page's own queries, which do not grow with the data; so does the header's count
# of the user's due items (reminders.due: the user's days, the action items, the follow-ups: 3).
HEADER_DUE_QUERIES = 3
STAFF_QUERIES = 18 + HEADER_DUE_QUERIES  # centre's regions; prefecture, targets, indicators, values,
# agenda items (5); the regions the user may see cases of, follow-ups (2); next meetings and their items
# (2); actions (2)
OFFICIAL_QUERIES = 17 + HEADER_DUE_QUERIES  # regions with their next meeting; prefecture, targets,
# indicators, values, agenda items (5); waiting proposals; action counts; follow-ups; the next
# prefecture-wide meeting


def _region(code):
    return Region.objects.get(code=code)


def _home(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def behind(sheet, today):
    """岩国: 3-month discharge rate 遅れ (40% against ≥56%, the prefecture's target), 6-month 目標に近い
    (70% against ≥74%), 12-month met; 萩: 3-month 遅れ. The prefecture's targets are those of its plan in
    force today (its 第7期 plan, filled in)."""
    fill_prefecture_seventh_plan()
    year = fiscal_year_of(today) - 2
    observe("discharge_rate_3m", "3501", 40, fiscal_year=year)
    observe("discharge_rate_6m", "3501", 70, fiscal_year=year)
    observe("discharge_rate_12m", "3501", 90, fiscal_year=year)
    observe("discharge_rate_3m", "3508", 41, fiscal_year=year)
    return {code: Indicator.objects.get(code=code) for code in ("discharge_rate_3m", "discharge_rate_6m")}


@pytest.fixture
def planned(behind, today):
    """岩国's next 圏域連絡調整会議 with the 3-month rate proposed on it; a later one; 萩's own."""
    meeting = MeetingFactory(
        title="岩国圏域連絡調整会議（次回）",
        date=today + timedelta(days=10),
        status=MeetingStatus.PLANNED,
        agenda="前回の振り返り",
    )
    AgendaItemFactory(
        meeting=meeting,
        title="3か月時点の退院率",
        indicator=behind["discharge_rate_3m"],
        origin=AgendaOrigin.PROPOSED,
        position=2,
    )
    later = MeetingFactory(
        title="岩国 事例検討会（予定）",
        kind=MeetingKind.CASE_REVIEW,
        date=today + timedelta(days=40),
        status=MeetingStatus.PLANNED,
        agenda="",
    )
    MeetingFactory(
        title="萩の予定会議", region=_region("3508"), date=today + timedelta(days=5), status="planned"
    )
    MeetingFactory(title="過去の予定のまま", date=today - timedelta(days=1), status=MeetingStatus.PLANNED)
    MeetingFactory(
        title="削除した予定", date=today + timedelta(days=3), status="planned", deleted_at=timezone.now()
    )
    return {"next": meeting, "later": later}


# --- follow-ups: which are due, at the boundaries ---------------------------------------------------

DUE = date(2024, 7, 1)  # a follow-up's due date is the first of a month: discharge month + n months


def _case(discharge_month, region="3501", **kwargs):
    return CaseReviewFactory(
        meeting__region=_region(region), status="discharged", discharge_month=discharge_month, **kwargs
    )


@pytest.mark.parametrize(
    ("today", "listed", "overdue"),
    [
        (DUE, True, False),  # due today
        (DUE - timedelta(days=30), True, False),  # due in 30 days
        (DUE - timedelta(days=31), False, False),  # in 31 days: not yet
        (DUE + timedelta(days=1), True, True),  # a day late
        (date(2026, 7, 1), True, True),  # two years late: still listed
        (date(2026, 7, 2), False, False),  # past two years: no longer listed
    ],
    ids=["due-today", "in-30-days", "in-31-days", "overdue", "two-years-late", "past-two-years"],
)
def test_a_follow_up_is_listed_from_30_days_before_it_is_due(reference_data, today, listed, overdue):
    case = _case(add_months(DUE, -3))
    CaseFollowUpFactory(case=case, months=6)
    CaseFollowUpFactory(case=case, months=12)
    found = follow_ups_due(CaseReview.objects.all(), today=today)
    assert [(f.case_number, f.months, f.due, f.overdue) for f in found] == (
        [(case.case_number, 3, DUE, overdue)] if listed else []
    )


def test_each_missing_follow_up_of_a_case_is_listed_soonest_first(reference_data):
    case = _case(date(2023, 6, 1), sequence=1)
    CaseFollowUpFactory(case=case, months=6)  # recorded: not listed
    second = _case(
        date(2023, 9, 1), sequence=2
    )  # 3 months: 2023-12-01; 6: 2024-03-01; 12: 2024-09-01 (not yet)
    _case(None, sequence=3)  # not discharged: nothing falls due
    found = follow_ups_due(CaseReview.objects.all(), today=date(2024, 6, 15))
    assert [(f.case_number, f.label, f.due, f.overdue) for f in found] == [
        (case.case_number, "退院後3か月", date(2023, 9, 1), True),
        (second.case_number, "退院後3か月", date(2023, 12, 1), True),
        (second.case_number, "退院後6か月", date(2024, 3, 1), True),
        (case.case_number, "退院後12か月", date(2024, 6, 1), True),
    ]


# --- the staff's page ---------------------------------------------------------------------------


def test_staff_see_their_regions_indicators_not_met_and_their_agenda(client_for, iwakuni_staff, planned):
    response = _home(client_for(iwakuni_staff))
    work = response.context["work"]
    rows = {row.indicator.code: row for row in work.not_met}
    assert set(rows) == {"discharge_rate_3m", "discharge_rate_6m"}  # 12-month met; 萩's not here
    assert rows["discharge_rate_3m"].standing.status_label == "遅れ"
    assert rows["discharge_rate_3m"].planned.meeting == planned["next"]
    assert rows["discharge_rate_6m"].standing.status_label == "目標に近い"
    assert not rows["discharge_rate_6m"].on_agenda
    assert work.not_on_agenda == 1
    day = planned["next"].date
    page = response.content.decode()
    assert f'<a href="/meetings/{planned["next"].pk}/">{day.month}月{day.day}日の会議で議題予定</a>' in page
    assert "議題になっていない" in page
    assert "40.0％" in page and "56.0％以上" in page
    assert 'href="/indicators/?region=3501"' in page


def test_staff_see_their_next_planned_meetings_with_proposed_items_marked(client_for, iwakuni_staff, planned):
    response = _home(client_for(iwakuni_staff))
    meetings = response.context["work"].meetings
    assert [m.title for m in meetings] == ["岩国圏域連絡調整会議（次回）", "岩国 事例検討会（予定）"]
    page = response.content.decode()
    assert '3か月時点の退院率 <span class="badge text-bg-info">提案</span>' in page
    assert "前回の振り返り</li>" in page
    assert "萩の予定会議" not in page and "過去の予定のまま" not in page and "削除した予定" not in page
    assert 'href="/meetings/new/"' in page and 'href="/meetings/cases/"' in page


def test_staff_see_their_follow_ups_due_by_case_number_only(client_for, iwakuni_staff, today):
    late = _case(add_months(today, -5), sequence=1, summary="退院先のグループホームで生活")
    CaseFollowUpFactory(case=late, months=6)
    CaseFollowUpFactory(case=late, months=12)
    hagi = _case(add_months(today, -5), region="3508", sequence=2)
    gone = _case(add_months(today, -5), sequence=3, meeting__deleted_at=timezone.now())
    response = _home(client_for(iwakuni_staff))
    work = response.context["work"]
    assert [(f.case_number, f.months, f.overdue) for f in work.follow_ups] == [(late.case_number, 3, True)]
    assert (work.follow_ups_due, work.follow_ups_overdue) == (0, 1)
    page = response.content.decode()
    assert f'<a href="/meetings/cases/{late.pk}/">{late.display_number}</a>' in page
    assert wareki_date(add_months(today, -2)) in page and "期限超過" in page
    assert hagi.display_number not in page and gone.display_number not in page
    assert "グループホームで生活" not in page and "統合失調症" not in page


def test_hagi_staff_see_hagi_only(client_for, hagi_staff, planned, today):
    iwakuni_case = _case(add_months(today, -5), sequence=1)
    hagi_case = _case(add_months(today, -5), region="3508", sequence=2)
    page = _home(client_for(hagi_staff)).content.decode()
    assert hagi_case.display_number in page and iwakuni_case.display_number not in page
    assert "萩の予定会議" in page and "岩国圏域連絡調整会議（次回）" not in page
    assert "3か月時点の退院率" not in page


def test_viewers_keep_the_welcome_only(client_for, viewer, planned):
    response = _home(client_for(viewer))
    assert "work" not in response.context and "region_rows" not in response.context
    page = response.content.decode()
    assert "会議を登録" not in page and "目標を達成していない指標" not in page


# --- the officials' table ---------------------------------------------------------------------------


def test_officials_see_every_region_in_one_table(client_for, official, planned, behind, today):
    AgendaItemFactory(
        meeting=None, region=_region("3508"), indicator=behind["discharge_rate_3m"], origin="proposed"
    )
    ActionItemFactory(meeting=planned["next"], due_date=today - timedelta(days=1))
    ActionItemFactory(meeting=planned["next"], due_date=today + timedelta(days=1))
    _case(add_months(today, -5), sequence=1)  # 3 months: overdue
    _case(add_months(today, -3), region="3508", sequence=2, meeting__date=date(2022, 4, 5))
    council = MeetingFactory(
        region=None,
        organiser_centre=None,
        organiser_division="disability_support",
        kind=MeetingKind.PREFECTURE_COUNCIL,
        date=today + timedelta(days=60),
        status=MeetingStatus.PLANNED,
    )
    response = _home(client_for(official))
    rows = {row.region.code if row.region else None: row for row in response.context["region_rows"]}
    assert len(rows) == 9
    iwakuni, hagi, ube = rows["3501"], rows["3508"], rows["3502"]
    assert (len(iwakuni.not_met), iwakuni.not_on_agenda) == (2, 1)
    assert (iwakuni.next_meeting_id, iwakuni.next_meeting_date) == (planned["next"].pk, planned["next"].date)
    assert (iwakuni.open_actions, iwakuni.overdue_actions) == (2, 1)
    assert (iwakuni.follow_ups_due, iwakuni.follow_ups_overdue) == (0, 1)
    assert (len(hagi.not_met), hagi.not_on_agenda, hagi.waiting) == (1, 0, 1)
    assert hagi.follow_ups_due + hagi.follow_ups_overdue == 1
    assert (len(ube.not_met), ube.next_meeting_id, ube.waiting, ube.open_actions) == (0, None, 0, 0)
    assert rows[None].next_meeting_id == council.pk
    page = response.content.decode()
    assert f'<a href="/meetings/{planned["next"].pk}/">{wareki_date(planned["next"].date)}</a>' in page
    assert 'href="/indicators/?region=3508"' in page
    assert "岩国-" not in page  # counts only: no case numbers


# --- queries ------------------------------------------------------------------------------------------


def _grow(today):
    """More of everything the page reads, in both regions and prefecture-wide."""
    for code in ("3501", "3508", "3502"):
        region = _region(code)
        for n in range(4):
            meeting = MeetingFactory(
                region=region, date=today + timedelta(days=n + 1), status=MeetingStatus.PLANNED, agenda="a\nb"
            )
            ActionItemFactory(meeting=meeting, due_date=today - timedelta(days=n))
            _case(add_months(today, -n - 3), region=code)
        AgendaItemFactory(meeting=None, region=region, origin="proposed", title="提案")
    MeetingFactory(
        region=None,
        organiser_centre=None,
        organiser_division="disability_support",
        status="planned",
        date=today + timedelta(days=2),
    )
    observe("discharge_rate_6m", "3508", 10, fiscal_year=fiscal_year_of(today) - 1)


@pytest.mark.parametrize(
    ("persona", "expected"), [("iwakuni_staff", STAFF_QUERIES), ("official", OFFICIAL_QUERIES)]
)
def test_the_home_page_reads_in_a_fixed_number_of_queries(
    request, client_for, planned, today, django_assert_num_queries, persona, expected
):
    client = client_for(request.getfixturevalue(persona))
    _home(client)  # the session row exists from here on
    with django_assert_num_queries(expected):
        _home(client)
    _grow(today)
    with django_assert_num_queries(expected):
        _home(client)
