"""The agenda items and action items of a list of meetings, with their indicator, as export rows.

One row per action item, under its agenda item (an agenda item without actions: one row with the
action columns empty; an action that belongs to no agenda item: a row with the agenda columns empty).
The indicator's standing is the snapshot frozen when the meeting was held; a planned meeting's item
shows the live standing, marked as such; a small count is 「＊」 for everyone, with the legend as the
last row. Never any case detail. Read in chunks, so the download streams whatever the number of
meetings.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from itertools import islice

from django.db.models import Prefetch

from indicators import small_counts
from meetings.agenda import item_standings
from meetings.models import ActionItem, AgendaItem

CHUNK = 500

HEADER = [
    "年度",
    "開催日",
    "会議名",
    "種別",
    "圏域",
    "状況",
    "順番",
    "議題",
    "関連する指標",
    "開催時の値（時点）",
    "目標",
    "開催時の状況",
    "対応事項",
    "担当機関",
    "期限",
    "対応状況",
    "完了日",
]
LIVE_MARK = "（現在の状況：開催前）"


def with_items(meetings):
    """`meetings` with what the rows read, prefetched per chunk."""
    return meetings.select_related("region").prefetch_related(
        Prefetch(
            "agenda_items",
            queryset=AgendaItem.objects.select_related("indicator", "region").order_by("position", "pk"),
        ),
        Prefetch("action_items", queryset=ActionItem.objects.order_by("due_date", "pk")),
    )


def _standing_cells(item, standing) -> list:
    if item is None or standing is None:
        return ["", "", ""]
    value = small_counts.public(standing.value_cell)  # an export is read as the public reads it
    if standing.period_label:
        value = f"{value}（{standing.period_label}）"
    target = standing.target_text
    if standing.target_value is not None and standing.inherited:
        target = f"{target}（県の目標）"
    status = standing.status_label if item.is_frozen else f"{standing.status_label}{LIVE_MARK}"
    return [value, target, status]


def _action_cells(action) -> list:
    if action is None:
        return ["", "", "", "", ""]
    return [
        action.description,
        action.responsible,
        action.due_date,
        action.get_status_display(),
        action.completed_on,
    ]


def _meeting_rows(meeting, standings) -> Iterator[list]:
    head = [
        meeting.fiscal_year,
        meeting.date,
        meeting.title,
        meeting.get_kind_display(),
        meeting.region_label,
        meeting.get_status_display(),
    ]
    actions = list(meeting.action_items.all())
    items = list(meeting.agenda_items.all())
    item_ids = {item.pk for item in items}
    groups = [(item, [a for a in actions if a.agenda_item_id == item.pk]) for item in items]
    loose = [a for a in actions if a.agenda_item_id not in item_ids]
    if loose:
        groups.append((None, loose))
    for item, item_actions in groups:
        agenda = (
            [item.position, item.title, item.indicator.name_ja if item.indicator_id else ""]
            if item is not None
            else ["", "", ""]
        )
        cells = head + agenda + _standing_cells(item, standings.get(item.pk) if item else None)
        for action in item_actions or [None]:
            yield cells + _action_cells(action)


def rows(meetings, *, today: date) -> Iterator[list]:
    """The export's rows for `meetings` (a queryset in its export order; see `with_items`)."""
    iterator = meetings.iterator(chunk_size=CHUNK)
    hidden = False
    while chunk := list(islice(iterator, CHUNK)):
        standings = item_standings([i for m in chunk for i in m.agenda_items.all()], today=today)
        hidden = hidden or any(s.hidden for s in standings.values())
        for meeting in chunk:
            yield from _meeting_rows(meeting, standings)
    if hidden:  # the small counts' legend, under the rows (indicators.small_counts)
        yield [small_counts.legend()]
