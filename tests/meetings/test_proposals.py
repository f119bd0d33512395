"""「次の会議の議題にする」 (issue #15, item 2): a proposal goes on the region's next planned 圏域連絡調整会議,
or waits on the region's list until a meeting is created, where it is offered with the carry-over of
open action items (item 3). Through the views, as the dashboard's button and the meeting page post."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from core.models import ChangeRecord
from core.templatetags.wareki import wareki_datetime
from indicators.models import Indicator
from meetings.models import ActionStatus, AgendaItem, Meeting, MeetingKind, MeetingStatus
from tests.factories import region
from tests.indicators.helpers import fill_prefecture_seventh_plan
from tests.meetings.factories import (
    ActionItemFactory,
    AgendaItemFactory,
    MeetingFactory,
    meeting_form_data,
    region_value,
)

URL = "/meetings/proposals/new/"
WAITING_MESSAGE = (
    "次の圏域連絡調整会議がまだ計画されていないため、岩国圏域の提案一覧に加えました。"
    "会議を登録するときに議題として選べます。"
)


@pytest.fixture
def behind(sheet):
    """岩国 at 40.0% on the 3-month discharge rate: behind the prefecture's 56.0% (applied to regions) of
    its plan in force today (its 第7期 plan, filled in)."""
    fill_prefecture_seventh_plan()
    region_value("discharge_rate_3m", region("3501"), Decimal("40.0"))
    return Indicator.objects.get(code="discharge_rate_3m")


def _messages(response) -> list[str]:
    """The messages this response added (the test client keeps earlier unread ones in its cookie)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1:]


def _propose(client, indicator, region_code="3501", next_url="/indicators/?region=3501"):
    return client.post(URL, {"indicator": indicator.pk, "region": region(region_code).pk, "next": next_url})


def _planned(days=30, agenda="", **kwargs) -> Meeting:
    day = timezone.localdate() + timedelta(days=days)
    return MeetingFactory(status=MeetingStatus.PLANNED, date=day, agenda=agenda, **kwargs)


def _proposal(region_code="3501", **kwargs) -> AgendaItem:
    return AgendaItemFactory(
        meeting=None, region=region(region_code), origin="proposed", proposed_at=timezone.now(), **kwargs
    )


def _titles(meeting) -> list[tuple[int, str, str]]:
    return [(a.position, a.title, a.origin) for a in meeting.agenda_items.order_by("position", "pk")]


# --- proposing --------------------------------------------------------------------------------------


def test_it_puts_the_proposal_on_the_regions_next_planned_meeting(client_for, iwakuni_staff, behind):
    _planned(days=60, agenda="年度末の振り返り")  # a later one
    meeting = _planned(days=30, agenda="地域移行の進捗")
    _planned(days=10, region=region("3508"))  # another region's, sooner
    _planned(days=5, kind=MeetingKind.CASE_REVIEW)  # another kind, sooner
    version = meeting.version

    response = _propose(client_for(iwakuni_staff), behind)

    assert response.status_code == 302
    assert response["Location"] == "/indicators/?region=3501"
    item = AgendaItem.objects.get(indicator=behind)
    assert (item.meeting, item.region, item.origin, item.proposed_by) == (
        meeting,
        region("3501"),
        "proposed",
        iwakuni_staff,
    )
    assert _titles(meeting) == [(1, "地域移行の進捗", "entered"), (2, item.title, "proposed")]
    assert "40.0" in item.title and "56.0" in item.title
    meeting.refresh_from_db()
    assert meeting.version == version + 1
    record = ChangeRecord.objects.for_object(meeting).newest_first().first()
    assert record.user == iwakuni_staff
    assert record.changes[f"agenda.{item.pk}.title"]["new"] == item.title
    day = meeting.date
    assert _messages(response) == [
        f"岩国圏域の「{behind.name_ja}」を{day.month}月{day.day}日の圏域連絡調整会議の議題に加えました。"
    ]


def test_without_a_planned_meeting_it_waits_then_is_offered_and_attached_when_one_is_created(
    client_for, iwakuni_staff, behind
):
    MeetingFactory(date=timezone.localdate() - timedelta(days=10))  # held already: takes no proposal
    _planned(region=region("3508"))
    _planned(kind=MeetingKind.CASE_REVIEW)
    client = client_for(iwakuni_staff)

    response = _propose(client, behind)

    item = AgendaItem.objects.waiting().get()
    assert (item.region, item.indicator, item.origin) == (region("3501"), behind, "proposed")
    assert _messages(response) == [f"岩国圏域の「{behind.name_ja}」を提案しました。{WAITING_MESSAGE}"]
    assert ChangeRecord.objects.for_object(item).get().action == ChangeRecord.Action.CREATE

    iwakuni = region("3501")
    page = client.get(
        "/meetings/new/", {"region": iwakuni.pk, "kind": "regional_coordination", "status": "planned"}
    )
    offers = page.context["editor"].offers
    assert offers.fields["proposals"].choices == [(item.pk, item.title)]
    html = page.content.decode()
    assert re.search(rf'name="offer-proposals" value="{item.pk}"[^>]*checked', html)

    day = timezone.localdate() + timedelta(days=20)
    data = meeting_form_data(region=iwakuni, status="planned", date=day.isoformat(), agenda="事例の共有")
    data["offer-proposals"] = [str(item.pk)]
    response = client.post("/meetings/new/", data)

    assert response.status_code == 302
    meeting = Meeting.objects.get(title=data["title"])
    assert _titles(meeting) == [(1, "事例の共有", "entered"), (2, item.title, "proposed")]
    assert not AgendaItem.objects.waiting().exists()
    # and the next proposal of that indicator finds it already on the planned meeting
    again = _propose(client, behind)
    assert _messages(again) == [
        f"岩国圏域の「{behind.name_ja}」は既に提案されています（{day.month}月{day.day}日の圏域連絡調整会議の議題）。"
    ]


def test_proposing_twice_adds_nothing(client_for, iwakuni_staff, official, behind):
    _propose(client_for(iwakuni_staff), behind)
    response = _propose(client_for(official), behind)  # someone else, the same indicator and region

    assert AgendaItem.objects.count() == 1
    assert _messages(response) == [
        f"岩国圏域の「{behind.name_ja}」は既に提案されています（岩国圏域の提案一覧（会議の計画待ち））。"
    ]


def test_proposing_twice_leaves_the_planned_meeting_as_it_was(client_for, iwakuni_staff, behind):
    meeting = _planned()
    client = client_for(iwakuni_staff)
    _propose(client, behind)
    meeting.refresh_from_db()
    version, records = meeting.version, ChangeRecord.objects.for_object(meeting).count()

    response = _propose(client, behind)

    meeting.refresh_from_db()
    assert (meeting.version, ChangeRecord.objects.for_object(meeting).count()) == (version, records)
    assert meeting.agenda_items.count() == 1
    assert "既に提案されています" in _messages(response)[0]


def test_an_indicator_not_behind_target_is_refused(client_for, iwakuni_staff, sheet):
    region_value("discharge_rate_6m", region("3501"), Decimal("90.0"))  # target: 74.0% or more
    met = Indicator.objects.get(code="discharge_rate_6m")

    response = _propose(client_for(iwakuni_staff), met)

    assert response.status_code == 302
    assert not AgendaItem.objects.exists()
    [message] = _messages(response)
    assert "目標を下回っていないため、議題として提案できません（現在の状況：達成）" in message


def test_staff_of_another_region_cannot_propose_for_it(client_for, hagi_staff, behind):
    meeting = _planned()
    response = _propose(client_for(hagi_staff), behind)

    assert response.status_code == 403
    assert not AgendaItem.objects.exists()
    assert Meeting.objects.get(pk=meeting.pk).version == meeting.version


def test_viewers_cannot_propose(client_for, viewer, behind):
    assert _propose(client_for(viewer), behind).status_code == 403
    assert not AgendaItem.objects.exists()


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/indicators/", "javascript:alert(1)", ""]
)
def test_it_goes_back_only_to_a_page_of_this_site(client_for, iwakuni_staff, behind, next_url):
    response = _propose(client_for(iwakuni_staff), behind, next_url=next_url)

    assert response.status_code == 302
    assert response["Location"] == "/indicators/"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"indicator": "abc", "region": "{region}"}, "指標が見つかりません。"),
        ({"indicator": "99999999999999999999", "region": "{region}"}, "指標が見つかりません。"),
        ({"region": "{region}"}, "指標を指定してください。"),
        ({"indicator": "{rate}", "region": "999999"}, "圏域が見つかりません。"),
        ({"indicator": "{rate}", "region": "\x00"}, "圏域が見つかりません。"),
    ],
)
def test_an_unknown_indicator_or_region_is_said_and_nothing_is_saved(
    client_for, official, behind, data, message
):
    ids = {"{rate}": str(behind.pk), "{region}": str(region("3501").pk)}
    data = {key: ids.get(value, value) for key, value in data.items()}
    response = client_for(official).post(URL, data)

    assert response.status_code == 302
    assert message in _messages(response)
    assert not AgendaItem.objects.exists()


def test_the_proposal_url_only_takes_posts(client_for, official):
    assert client_for(official).get(URL).status_code == 405


# --- the list of waiting proposals, withdrawing one ------------------------------------------------


def test_the_list_shows_each_reader_the_waiting_proposals_they_may_see(
    client_for, official, iwakuni_staff, viewer, behind
):
    region_value("discharge_rate_3m", region("3508"), Decimal("45.0"))
    _propose(client_for(iwakuni_staff), behind)
    _propose(client_for(official), behind, "3508")
    on_meeting = AgendaItemFactory(meeting=_planned(), indicator=behind)  # not waiting: not listed
    iwakuni = region("3501")
    create_link = f"/meetings/new/?region={iwakuni.pk}&amp;kind=regional_coordination&amp;status=planned"

    staff_page = client_for(iwakuni_staff).get("/meetings/proposals/")
    groups = staff_page.context["groups"]
    assert [g["region"].code for g in groups] == ["3501"]
    html = staff_page.content.decode()
    item = AgendaItem.objects.waiting().get(region=iwakuni)
    assert create_link in html
    assert f'action="/meetings/proposals/{item.pk}/withdraw/"' in html
    assert "iwakuni-staff" in html and wareki_datetime(item.proposed_at) in html
    assert "遅れ" in html and "40.0％" in html and "56.0％以上" in html
    assert on_meeting.title not in html

    official_page = client_for(official).get("/meetings/proposals/")
    assert [g["region"].code for g in official_page.context["groups"]] == ["3501", "3508"]
    assert official_page.content.decode().count("取り下げる") == 2

    viewer_page = client_for(viewer).get("/meetings/proposals/")
    html = viewer_page.content.decode()
    assert [g["region"].code for g in viewer_page.context["groups"]] == ["3501", "3508"]
    assert "取り下げる" not in html and "この圏域の会議を登録" not in html


def test_the_list_uses_a_fixed_number_of_queries(client_for, official, behind, django_assert_num_queries):
    client = client_for(official)
    _proposal(indicator=behind)
    client.get("/meetings/proposals/")
    # session and user (7 with the TOTP device and profile), the proposals, the portal prefecture, the
    # basis' targets with their plans and the values: the same for one proposal or many; the header's
    # count of due items (reminders.due: the user's days, the action items, the follow-ups: 3)
    expected = 11 + 3
    with django_assert_num_queries(expected):
        client.get("/meetings/proposals/")
    for code in ("3502", "3503", "3508"):
        region_value("discharge_rate_3m", region(code), Decimal("50.0"))
        _proposal(code, indicator=behind)
        _proposal(code, title="指標に関しない提案")
    with django_assert_num_queries(expected):
        response = client.get("/meetings/proposals/")
    assert sum(len(g["rows"]) for g in response.context["groups"]) == 7


def test_withdrawing_a_waiting_proposal(client_for, iwakuni_staff, behind):
    client = client_for(iwakuni_staff)
    _propose(client, behind)
    item = AgendaItem.objects.waiting().get()

    response = client.post(f"/meetings/proposals/{item.pk}/withdraw/")

    assert response.status_code == 302 and response["Location"] == "/meetings/proposals/"
    assert not AgendaItem.objects.exists()
    assert ChangeRecord.objects.for_object(item).newest_first().first().action == ChangeRecord.Action.DELETE
    assert _messages(response) == [f"岩国圏域の提案「{item.title}」を取り下げました。"]
    # withdrawn, the indicator may be proposed again
    _propose(client, behind)
    assert AgendaItem.objects.waiting().count() == 1


def test_another_regions_staff_cannot_withdraw(client_for, hagi_staff):
    item = _proposal()
    assert client_for(hagi_staff).post(f"/meetings/proposals/{item.pk}/withdraw/").status_code == 403
    assert AgendaItem.objects.filter(pk=item.pk).exists()


def test_an_item_on_a_meeting_is_not_withdrawn_here(client_for, official):
    item = AgendaItemFactory(meeting=_planned(), origin="proposed")
    assert client_for(official).post(f"/meetings/proposals/{item.pk}/withdraw/").status_code == 404
    assert AgendaItem.objects.filter(pk=item.pk, meeting__isnull=False).exists()


# --- the meeting page: starting values from a link, the offers -------------------------------------


def test_the_create_page_starts_from_a_links_region_kind_and_status(client_for, official, reference_data):
    hagi = region("3508")
    page = client_for(official).get(
        "/meetings/new/", {"region": hagi.pk, "kind": "regional_coordination", "status": "planned"}
    )

    form = page.context["editor"].form
    assert (form["region"].value(), form["kind"].value(), form["status"].value()) == (
        hagi.pk,
        "regional_coordination",
        "planned",
    )
    assert page.context["editor"].offers.region == hagi


@pytest.mark.parametrize(
    "query",
    [
        {"region": "abc", "kind": "meeting", "status": "done"},
        {"region": "99999999999999999999"},
        {"region": "-1", "kind": "", "status": ""},
        {"region": "0"},
        {"region": "3501\x00", "kind": "regional_coordination\x00"},
    ],
)
def test_starting_values_that_are_not_choices_are_ignored(client_for, official, reference_data, query):
    page = client_for(official).get("/meetings/new/", query)

    assert page.status_code == 200
    form = page.context["editor"].form
    assert (form["region"].value(), form["kind"].value(), form["status"].value()) == (None, "", "held")


def test_staff_cannot_start_a_meeting_of_another_region(client_for, iwakuni_staff):
    page = client_for(iwakuni_staff).get("/meetings/new/", {"region": region("3508").pk})

    assert page.context["editor"].form["region"].value() is None  # the select shows their own region
    assert page.context["editor"].offers.region == region("3501")


def test_staff_are_offered_only_their_regions_proposals(client_for, iwakuni_staff):
    own = _proposal(title="岩国の提案")
    _proposal("3508", title="萩の提案")

    page = client_for(iwakuni_staff).get("/meetings/new/")

    assert page.context["editor"].offers.fields["proposals"].choices == [(own.pk, "岩国の提案")]
    html = page.content.decode()
    assert "岩国の提案" in html and "萩の提案" not in html


def test_an_official_is_offered_the_links_regions_proposals_or_all_by_region(client_for, official):
    own = _proposal(title="岩国の提案")
    other = _proposal("3508", title="萩の提案")
    client = client_for(official)

    every = client.get("/meetings/new/").context["editor"].offers
    assert every.fields["proposals"].choices == [
        (own.pk, "岩国圏域：岩国の提案"),
        (other.pk, "萩圏域：萩の提案"),
    ]
    assert every.fields["proposals"].initial == []  # several regions: none ticked
    linked = client.get("/meetings/new/", {"region": region("3508").pk}).context["editor"].offers
    assert linked.fields["proposals"].choices == [(other.pk, "萩の提案")]
    assert linked.fields["proposals"].initial == [other.pk]


def test_the_chosen_proposals_follow_the_entered_items_in_the_order_proposed(client_for, official):
    first = _proposal(title="一つ目の提案")
    second = _proposal(title="二つ目の提案")
    unchosen = _proposal(title="選ばなかった提案")
    data = meeting_form_data(region=region("3501"), agenda="会議で決めた議題")
    data["offer-proposals"] = [str(second.pk), str(first.pk)]

    response = client_for(official).post("/meetings/new/", data)

    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert _titles(meeting) == [
        (1, "会議で決めた議題", "entered"),
        (2, "一つ目の提案", "proposed"),
        (3, "二つ目の提案", "proposed"),
    ]
    assert list(AgendaItem.objects.waiting()) == [unchosen]


def test_a_proposal_of_another_region_is_refused_with_the_reason_and_nothing_is_saved(client_for, official):
    other = _proposal("3508", title="萩の提案")
    data = meeting_form_data(region=region("3501"))
    data["offer-proposals"] = [str(other.pk)]

    response = client_for(official).post("/meetings/new/", data)

    assert response.status_code == 200
    assert (
        "提案された議題は、その圏域の会議にだけ加えられます（圏域を確認してください）。"
        in response.content.decode()
    )
    assert not Meeting.objects.exists()
    assert list(AgendaItem.objects.all()) == [other]
    assert AgendaItem.objects.get().meeting is None


def test_staff_cannot_attach_another_regions_proposal(client_for, iwakuni_staff):
    other = _proposal("3508", title="萩の提案")
    data = meeting_form_data(region=region("3501"))
    data["offer-proposals"] = [str(other.pk)]

    response = client_for(iwakuni_staff).post("/meetings/new/", data)

    assert response.status_code == 200
    assert "提案されている議題の選択肢が正しくありません" in response.content.decode()  # named (core.forms)
    assert not Meeting.objects.exists()
    assert AgendaItem.objects.get().meeting is None


# --- 前回からの継続 ----------------------------------------------------------------------------------


@pytest.fixture
def earlier_actions(reference_data):
    iwakuni, hagi = region("3501"), region("3508")
    first = MeetingFactory(date=date(2022, 4, 20), region=iwakuni, title="第1回 岩国圏域連絡調整会議")
    second = MeetingFactory(date=date(2022, 6, 1), region=iwakuni, title="第2回 岩国圏域連絡調整会議")
    case_review = MeetingFactory(date=date(2022, 6, 1), region=iwakuni, kind=MeetingKind.CASE_REVIEW)
    deleted = MeetingFactory(date=date(2022, 6, 1), region=iwakuni, deleted_at=timezone.now())
    return {
        "open": [
            ActionItemFactory(
                meeting=first, description="病院へ制度の説明に行く", status=ActionStatus.NOT_STARTED
            ),
            ActionItemFactory(
                meeting=second,
                description="グループホームの空き状況を確認する",
                status=ActionStatus.IN_PROGRESS,
                due_date=date(2022, 9, 30),
            ),
        ],
        "excluded": [
            ActionItemFactory(
                meeting=second,
                description="済んだ対応事項",
                status=ActionStatus.DONE,
                completed_on=date(2022, 7, 1),
            ),
            ActionItemFactory(meeting=case_review, description="事例検討会の対応事項"),
            ActionItemFactory(
                meeting=MeetingFactory(region=hagi, date=date(2022, 6, 1)), description="萩の対応事項"
            ),
            ActionItemFactory(meeting=deleted, description="削除された会議の対応事項"),
            ActionItemFactory(
                meeting=MeetingFactory(region=iwakuni, date=date(2022, 11, 1)),
                description="後の会議の対応事項",
            ),
        ],
    }


def test_the_carry_over_lists_the_open_actions_of_earlier_meetings_of_the_same_kind_and_region(
    client_for, iwakuni_staff, earlier_actions
):
    client = client_for(iwakuni_staff)
    data = meeting_form_data(region=region("3501"), date="2022-10-05", agenda="長期入院者の状況")
    data["offer-carry_over"] = "on"

    response = client.post("/meetings/new/", data)

    assert response.status_code == 302
    meeting = Meeting.objects.get(title=data["title"])
    assert _titles(meeting) == [(1, "長期入院者の状況", "entered"), (2, "前回からの継続", "carry_over")]
    item = meeting.agenda_items.get(origin="carry_over")
    assert set(item.carried_actions.all()) == set(earlier_actions["open"])
    assert "・病院へ制度の説明に行く（相談支援事業所、期限 2022-12-01、未着手）" in item.notes
    assert "・グループホームの空き状況を確認する（相談支援事業所、期限 2022-09-30、対応中）" in item.notes
    for excluded in earlier_actions["excluded"]:
        assert excluded.description not in item.notes

    detail = client.get(f"/meetings/{meeting.pk}/").content.decode()
    rows = re.findall(r'<tr data-testid="carried-action">(.*?)</tr>', detail)
    assert len(rows) == 2
    assert "対応中" in next(r for r in rows if "グループホームの空き状況" in r)
    assert "状況を更新" in rows[0]  # the region's staff close them from the item's own page


def test_the_detail_shows_the_carried_items_current_status(client_for, iwakuni_staff, earlier_actions):
    client = client_for(iwakuni_staff)
    data = meeting_form_data(region=region("3501"), date="2022-10-05")
    data["offer-carry_over"] = "on"
    client.post("/meetings/new/", data)
    meeting = Meeting.objects.get(title=data["title"])
    carried = earlier_actions["open"][1]
    version = carried.meeting.version

    response = client.post(
        f"/meetings/actions/{carried.pk}/",
        {"version": version, "status": "done", "completed_on": "2022-10-20", "due_date": "2022-09-30"},
    )

    assert response.status_code == 302
    detail = client.get(f"/meetings/{meeting.pk}/").content.decode()
    row = next(
        r
        for r in re.findall(r'<tr data-testid="carried-action">(.*?)</tr>', detail)
        if carried.description in r
    )
    assert "完了（令和4年10月20日）" in row
    assert f'href="/meetings/actions/{carried.pk}/"' in row


def test_without_the_tick_there_is_no_carry_over(client_for, iwakuni_staff, earlier_actions):
    client = client_for(iwakuni_staff)
    data = meeting_form_data(region=region("3501"), date="2022-10-05")

    client.post("/meetings/new/", data)

    assert not Meeting.objects.get(title=data["title"]).agenda_items.filter(origin="carry_over").exists()


def test_the_carry_over_preview_lists_the_items_of_the_meetings_region_and_kind(
    client_for, iwakuni_staff, official, earlier_actions
):
    page = client_for(iwakuni_staff).get("/meetings/new/", {"kind": "regional_coordination"})
    preview = page.context["editor"].offers.carry_over_items()
    descriptions = {a.description for a in preview}
    assert {a.description for a in earlier_actions["open"]} <= descriptions
    assert not descriptions & {
        "済んだ対応事項",
        "事例検討会の対応事項",
        "萩の対応事項",
        "削除された会議の対応事項",
    }
    html = page.content.decode()
    assert "「前回からの継続」に載る対応事項（岩国圏域の圏域連絡調整会議・現在の状況）" in html
    assert "対応中" in html

    # an official who has not chosen the region yet sees the counts per region and kind
    page = client_for(official).get("/meetings/new/")
    assert page.context["editor"].offers.carry_over_items() is None
    assert ("岩国圏域", "圏域連絡調整会議", 3) in page.context["editor"].offers.carry_over_preview()
    assert "この会議と同じ圏域・種別の分だけが「前回からの継続」に載ります" in page.content.decode()


def test_the_offers_are_only_on_the_create_page(client_for, official, earlier_actions):
    _proposal(title="岩国の提案")
    meeting = earlier_actions["open"][0].meeting

    page = client_for(official).get(f"/meetings/{meeting.pk}/edit/")

    assert page.context["editor"].offers is None
    assert 'data-testid="agenda-offers"' not in page.content.decode()
