"""core.changes: the shared history display and edit-conflict rows."""

import pytest
from django.template.loader import render_to_string

from core import history
from core.changes import ConflictRow, conflict_rows, history_for
from core.models import ChangeRecord
from tests.meetings.factories import MeetingFactory


@pytest.mark.django_db
def test_history_for_can_hide_keys_and_lists_model_fields_first(reference_data):
    meeting = MeetingFactory(title="旧")
    history.record_change(
        by=None,
        instance=meeting,
        action=ChangeRecord.Action.UPDATE,
        changes={
            "participants.peer": {"label": "参加者数：当事者", "old": None, "new": 2},
            "version": {"label": "版", "old": 1, "new": 2},
            "title": {"label": "会議名", "old": "旧", "new": "新"},
            "case.1.status": {"label": "事例：状況", "old": "検討中", "new": "退院"},
            "minutes": {"label": "議事要旨", "old": None, "new": ""},
        },
    )
    (entry,) = history_for(meeting)
    assert [f.label for f in entry.fields] == ["版", "会議名", "事例：状況", "参加者数：当事者"]
    assert entry.fields[-1].old == "（なし）"  # 議事要旨 None → "" reads the same and is left out

    (entry,) = history_for(meeting, hide=lambda key: key == "version" or key.startswith("case."))
    assert [f.label for f in entry.fields] == ["会議名", "参加者数：当事者"]


def test_conflict_rows_list_only_others_changes_that_differ_from_the_input_in_label_order():
    labels = {"title": "会議名", "place": "場所", "date": "開催日", "participants.peer": "参加者数"}
    rows = conflict_rows(
        changed={"participants.peer", "title", "date"},
        current={"title": "Aの名前", "place": "岩国", "date": "2022-06-01", "participants.peer": 5},
        proposed={"title": "Bの名前", "place": "萩", "date": "2022-06-01", "participants.peer": None},
        labels=labels,
    )
    assert rows == [
        ConflictRow(label="会議名", theirs="Aの名前", yours="Bの名前"),
        ConflictRow(label="参加者数", theirs="5", yours="（なし）"),
    ]  # place: changed by the editor only; date: the same on both sides


def test_conflict_rows_ignore_browser_line_endings():
    rows = conflict_rows(
        changed={"agenda"},
        current={"agenda": "現状の共有\n事例検討"},
        proposed={"agenda": "現状の共有\r\n事例検討"},
        labels={"agenda": "議題"},
    )
    assert rows == []


def test_conflict_table_renders_rows_or_says_nothing_differs():
    html = render_to_string(
        "includes/conflict_table.html",
        {"conflict_rows": [ConflictRow(label="会議名", theirs="Aの名前", yours="Bの名前")]},
    )
    assert 'data-testid="conflict"' in html
    assert "保存済みの値（他の利用者）" in html and "Aの名前" in html and "Bの名前" in html
    assert "内容の違いはありませんでした" in render_to_string(
        "includes/conflict_table.html", {"conflict_rows": []}
    )
    assert render_to_string("includes/conflict_table.html", {"conflict_rows": None}).strip() == ""


@pytest.mark.parametrize(
    "stored, shown",
    [
        ("2026-11-18", "令和8年11月18日"),
        ("14:00:00", "14:00"),
        ("09:30", "09:30"),
        ("2026-11-18T05:00:00+00:00", "令和8年11月18日 14:00"),  # UTC stored, Asia/Tokyo read
        (["2019-05-01", "会議"], "令和元年5月1日、会議"),
        ("2026-13-45", "2026-13-45"),  # not a date: shown as stored, never an error
        ("第2回 14:00 開始", "第2回 14:00 開始"),  # text that merely contains a time stays text
    ],
)
def test_history_values_read_as_japanese_dates_and_times(stored, shown):
    from core.changes import display_value

    assert display_value(stored) == shown


@pytest.mark.django_db
def test_history_page_shows_a_changed_meeting_date_in_wareki(reference_data):
    meeting = MeetingFactory()
    history.record_change(
        by=None,
        instance=meeting,
        action=ChangeRecord.Action.UPDATE,
        changes={
            "held_on": {"label": "開催日", "old": "2026-11-18", "new": "2026-11-25"},
            "start_time": {"label": "開始時刻", "old": "14:00:00", "new": "13:30:00"},
        },
    )
    html = render_to_string("includes/change_history.html", {"entries": history_for(meeting)})
    assert "令和8年11月18日" in html and "令和8年11月25日" in html and "13:30" in html
    assert "2026-11-18" not in html and "14:00:00" not in html
