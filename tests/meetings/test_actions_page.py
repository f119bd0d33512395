"""An action item on its own (issue #15, item 3: "closing them stays on the action item itself"): its page
shows the meeting, the agenda item and its indicator and the meetings it was carried into; the region's
editors change its status, completion date and due date there, versioned with the meeting; and the list
of open action items."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.models import ChangeRecord
from indicators.models import Indicator
from meetings import services
from meetings.models import ActionItem, ActionStatus, Meeting
from tests.factories import region
from tests.htmlcheck import error_beside
from tests.meetings.factories import ActionItemFactory, AgendaItemFactory, MeetingFactory, region_value


@pytest.fixture
def action(sheet):
    """An open action of 岩国's second meeting, against its agenda item about the 3-month discharge rate,
    carried into the third meeting's 「前回からの継続」."""
    region_value("discharge_rate_3m", region("3501"), Decimal("40.0"))
    meeting = MeetingFactory(date=date(2022, 6, 1), title="第2回 岩国圏域連絡調整会議", agenda="")
    item = AgendaItemFactory(
        meeting=meeting, position=1, title="退院率が目標に届いていない", indicator=_rate()
    )
    action = ActionItemFactory(
        meeting=meeting,
        agenda_item=item,
        description="病院へ地域移行支援の説明に行く",
        due_date=date(2022, 9, 30),
        status=ActionStatus.IN_PROGRESS,
    )
    later = MeetingFactory(date=date(2022, 10, 5), title="第3回 岩国圏域連絡調整会議", agenda="")
    carry = AgendaItemFactory(meeting=later, title="前回からの継続", origin="carry_over")
    carry.carried_actions.add(action)
    return action


def _rate():
    return Indicator.objects.get(code="discharge_rate_3m")


def _url(action) -> str:
    return f"/meetings/actions/{action.pk}/"


def _post(client, action, *, version=None, **fields):
    data = {"status": action.status, "completed_on": "", "due_date": action.due_date.isoformat()}
    data.update(fields)
    data["version"] = Meeting.objects.get(pk=action.meeting_id).version if version is None else version
    return client.post(_url(action), data)


# --- the page --------------------------------------------------------------------------------------


def test_the_page_shows_the_item_its_meeting_agenda_item_indicator_and_where_it_was_carried(
    client_for, viewer, action
):
    response = client_for(viewer).get(_url(action))

    assert response.status_code == 200
    html = response.content.decode()
    assert "病院へ地域移行支援の説明に行く" in html and "相談支援事業所" in html
    assert f'href="/meetings/{action.meeting_id}/"' in html
    assert "1. 退院率が目標に届いていない" in html
    indicator = re.search(r'data-testid="action-indicator">(.*?)</dd>', html, re.S).group(1)
    assert f'href="/indicators/definitions/{_rate().code}/"' in indicator
    assert "遅れ" in indicator and "40.0％" in indicator and "現在の状況" in indicator
    carried = re.search(r'data-testid="carried-into">(.*?)</dd>', html, re.S).group(1)
    assert "第3回 岩国圏域連絡調整会議" in carried
    assert "令和4年9月30日" in html and "期限超過" in html
    assert "状況を更新" not in html  # viewers read only


@pytest.mark.parametrize(
    ("persona", "form_shown"), [("official", True), ("iwakuni_staff", True), ("hagi_staff", False)]
)
def test_only_the_regions_editors_get_the_form(request, client_for, action, persona, form_shown):
    html = client_for(request.getfixturevalue(persona)).get(_url(action)).content.decode()
    assert ('name="status"' in html) is form_shown


def test_closing_an_item_saves_it_as_a_step_of_its_meeting(client_for, iwakuni_staff, action):
    meeting = action.meeting
    version = Meeting.objects.get(pk=meeting.pk).version

    response = _post(client_for(iwakuni_staff), action, status="done", completed_on="2022-10-20")

    assert response.status_code == 302 and response["Location"] == _url(action)
    action.refresh_from_db()
    assert (action.status, action.completed_on) == ("done", date(2022, 10, 20))
    assert Meeting.objects.get(pk=meeting.pk).version == version + 1
    record = ChangeRecord.objects.for_object(meeting).newest_first().first()
    assert record.user == iwakuni_staff
    assert record.changes[f"action.{action.pk}.status"] == {
        "label": "対応事項「病院へ地域移行支援の説明に行く」：状況",
        "old": "対応中",
        "new": "完了",
    }


def test_the_due_date_can_be_moved(client_for, official, action):
    assert _post(client_for(official), action, due_date="2023-03-31").status_code == 302
    action.refresh_from_db()
    assert action.due_date == date(2023, 3, 31)


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        ({"status": "done"}, "id_completed_on", "状況が「完了」のときは完了日を入力してください。"),
        (
            {"status": "in_progress", "completed_on": "2022-10-01"},
            "id_completed_on",
            "完了日は状況が「完了」のときだけ入力してください。",
        ),
        (
            {"status": "done", "completed_on": "2099-01-01"},
            "id_completed_on",
            "以前の日付を入力してください。",
        ),
        ({"status": "finished"}, "id_status", "状況の選択肢が正しくありません。選び直してください。"),
        ({"due_date": "2022-13-40"}, "id_due_date", "期限は正しい日付で入力してください。"),
    ],
)
def test_input_errors_are_said_beside_the_field_and_nothing_is_saved(
    client_for, iwakuni_staff, action, fields, field_id, message
):
    version = Meeting.objects.get(pk=action.meeting_id).version

    response = _post(client_for(iwakuni_staff), action, **fields)

    assert response.status_code == 200
    assert message in error_beside(response.content.decode(), field_id)
    stored = ActionItem.objects.get(pk=action.pk)
    assert (stored.status, stored.completed_on) == ("in_progress", None)
    assert Meeting.objects.get(pk=action.meeting_id).version == version


def test_a_stale_page_shows_the_conflict_and_saves_nothing_until_posted_again(
    client_for, official, iwakuni_staff, action
):
    loaded = Meeting.objects.get(pk=action.meeting_id).version
    services.action_update(  # someone else moves the due date meanwhile
        by=official, action=action, fields={"due_date": date(2022, 12, 31)}, expected_version=loaded
    )
    client = client_for(iwakuni_staff)

    response = _post(
        client, action, version=loaded, status="done", completed_on="2022-10-20", due_date="2022-11-30"
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="conflict"' in html
    rows = response.context["conflict_rows"]
    assert [(r.label, r.theirs, r.yours) for r in rows] == [
        ("対応事項「病院へ地域移行支援の説明に行く」：期限", "令和4年12月31日", "令和4年11月30日")
    ]
    stored = ActionItem.objects.get(pk=action.pk)
    assert (stored.status, stored.due_date) == ("in_progress", date(2022, 12, 31))
    current = Meeting.objects.get(pk=action.meeting_id).version
    assert f'name="version" value="{current}"' in html
    assert 'value="2022-11-30"' in html  # the input is kept

    again = _post(
        client, action, version=current, status="done", completed_on="2022-10-20", due_date="2022-11-30"
    )
    assert again.status_code == 302
    stored.refresh_from_db()
    assert (stored.status, stored.due_date) == ("done", date(2022, 11, 30))


def test_another_regions_staff_and_viewers_cannot_change_it(client_for, hagi_staff, viewer, action):
    for user in (hagi_staff, viewer):
        assert _post(client_for(user), action, status="done", completed_on="2022-10-20").status_code == 403
    assert ActionItem.objects.get(pk=action.pk).status == "in_progress"


def test_a_deleted_meetings_item_is_shown_to_officials_only_and_changed_by_nobody(
    client_for, official, iwakuni_staff, action
):
    services.meeting_delete(by=official, meeting=action.meeting)

    page = client_for(official).get(_url(action))
    assert page.status_code == 200
    assert "この対応事項の会議は削除されています" in page.content.decode()
    assert page.context["form"] is None
    assert _post(client_for(official), action, status="done", completed_on="2022-10-20").status_code == 404
    assert client_for(iwakuni_staff).get(_url(action)).status_code == 404


def test_an_unknown_item_is_404(client_for, official, reference_data):
    assert client_for(official).get("/meetings/actions/999999/").status_code == 404


def test_the_meeting_page_links_each_action_to_its_page(client_for, iwakuni_staff, viewer, action):
    url = f"/meetings/{action.meeting_id}/"
    staff_html = client_for(iwakuni_staff).get(url).content.decode()
    row = re.search(r'<tr data-testid="action"[^>]*>(.*?)</tr>', staff_html, re.S).group(1)
    assert f'href="{_url(action)}"' in row and "状況を更新" in row

    viewer_html = client_for(viewer).get(url).content.decode()
    row = re.search(r'<tr data-testid="action"[^>]*>(.*?)</tr>', viewer_html, re.S).group(1)
    assert f'href="{_url(action)}"' in row and "状況を更新" not in row


# --- the list of open action items -----------------------------------------------------------------


@pytest.fixture
def actions(reference_data):
    today = timezone.localdate()
    iwakuni, hagi = region("3501"), region("3508")
    own = MeetingFactory(region=iwakuni, date=date(2022, 6, 1))
    other = MeetingFactory(region=hagi, date=date(2022, 6, 1))
    prefecture_wide = MeetingFactory(
        region=None, organiser_centre=None, organiser_division="disability_support"
    )
    return {
        "own_overdue": ActionItemFactory(
            meeting=own, description="岩国の期限超過", due_date=today - timedelta(days=3)
        ),
        "own_later": ActionItemFactory(
            meeting=own, description="岩国の先の期限", due_date=today + timedelta(days=30)
        ),
        "own_no_due": ActionItemFactory(meeting=own, description="岩国の期限なし", due_date=None),
        "own_done": ActionItemFactory(
            meeting=own, description="岩国の完了", status=ActionStatus.DONE, completed_on=date(2022, 7, 1)
        ),
        "other": ActionItemFactory(
            meeting=other, description="萩の対応事項", due_date=today - timedelta(days=1)
        ),
        "prefecture": ActionItemFactory(meeting=prefecture_wide, description="県全域の対応事項"),
        "deleted": ActionItemFactory(
            meeting=MeetingFactory(region=iwakuni, deleted_at=timezone.now()), description="削除された会議の"
        ),
    }


def _listed(response) -> list[str]:
    return [item.description for item, _, _ in response.context["actions"]]


def test_staff_start_on_their_regions_open_items_nearest_due_first(client_for, iwakuni_staff, actions):
    response = client_for(iwakuni_staff).get("/meetings/actions/")

    assert _listed(response) == ["岩国の期限超過", "岩国の先の期限", "岩国の期限なし"]
    html = response.content.decode()
    assert html.count("状況を更新") == 3
    assert "期限超過</span>" in html


def test_staff_may_list_every_region_and_edit_only_their_own(client_for, iwakuni_staff, actions):
    response = client_for(iwakuni_staff).get("/meetings/actions/", {"region": ""})

    listed = _listed(response)
    assert set(listed) == {
        "岩国の期限超過",
        "岩国の先の期限",
        "岩国の期限なし",
        "萩の対応事項",
        "県全域の対応事項",
    }
    editable = {item.description for item, _, can_edit in response.context["actions"] if can_edit}
    assert editable == {"岩国の期限超過", "岩国の先の期限", "岩国の期限なし"}


def test_officials_see_every_region_and_filter_by_region_and_overdue(client_for, official, actions):
    client = client_for(official)
    assert len(_listed(client.get("/meetings/actions/"))) == 5
    assert _listed(client.get("/meetings/actions/", {"region": region("3508").pk})) == ["萩の対応事項"]
    assert _listed(client.get("/meetings/actions/", {"region": "prefecture"})) == ["県全域の対応事項"]
    assert _listed(client.get("/meetings/actions/", {"overdue": "on"})) == [
        "県全域の対応事項",  # due 2022-12-01
        "岩国の期限超過",
        "萩の対応事項",
    ]
    assert _listed(client.get("/meetings/actions/", {"overdue": "on", "region": region("3501").pk})) == [
        "岩国の期限超過"
    ]


def test_viewers_read_the_list_without_buttons(client_for, viewer, actions):
    response = client_for(viewer).get("/meetings/actions/")
    assert len(_listed(response)) == 5
    assert "状況を更新" not in response.content.decode()


@pytest.mark.parametrize(
    "query", [{"region": "own"}, {"region": "abc"}, {"region": "99999999999999999999"}, {"page": "x"}]
)
def test_input_the_filters_refuse_lists_everything_for_an_official(client_for, official, actions, query):
    response = client_for(official).get("/meetings/actions/", query)
    assert response.status_code == 200
    assert len(_listed(response)) == 5


def test_the_list_is_paged(client_for, official, reference_data):
    meeting = MeetingFactory()
    ActionItemFactory.create_batch(30, meeting=meeting)
    client = client_for(official)

    first = client.get("/meetings/actions/")
    second = client.get("/meetings/actions/", {"page": 2})
    beyond = client.get("/meetings/actions/", {"page": 5})

    assert (len(first.context["actions"]), first.context["has_next"]) == (25, True)
    assert (len(second.context["actions"]), second.context["has_next"]) == (5, False)
    assert "26〜30件目を表示" in second.content.decode()
    assert beyond.context["actions"] == [] and "1ページ目に戻る" in beyond.content.decode()


@pytest.mark.parametrize("persona", ["official", "iwakuni_staff"])
def test_the_list_uses_a_fixed_number_of_queries(
    request, client_for, persona, reference_data, django_assert_num_queries
):
    client = client_for(request.getfixturevalue(persona))
    ActionItemFactory(meeting=MeetingFactory())
    client.get("/meetings/actions/")
    # session and user (7, the staff's regions among them), the region choices, the page's items with
    # their meetings, regions and agenda items; the header's count of due items (reminders.due: the
    # user's days, the action items, the follow-ups: 3)
    expected = 9 + 3
    with django_assert_num_queries(expected):
        client.get("/meetings/actions/")
    for code in ("3501", "3502", "3508"):
        meeting = MeetingFactory(region=region(code))
        item = AgendaItemFactory(meeting=meeting)
        ActionItemFactory.create_batch(10, meeting=meeting, agenda_item=item)
    with django_assert_num_queries(expected):
        response = client.get("/meetings/actions/")
    assert len(response.context["actions"]) == (25 if persona == "official" else 11)


def test_done_and_deleted_are_never_listed(client_for, official, actions):
    listed = _listed(client_for(official).get("/meetings/actions/"))
    assert "岩国の完了" not in listed and "削除された会議の" not in listed
