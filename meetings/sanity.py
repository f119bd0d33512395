"""Sanity checks on what the meeting page records: the impossible is refused, the unlikely is asked about.

Decided per rule (the forms put each message beside its field or row; the services refuse the
impossible ones again, so that no other path stores them):

- 「開催済」 with a date after today (Asia/Tokyo, `timezone.localdate()`): **impossible, refused** — a
  meeting that has not taken place cannot have been held. 「予定」 is the status of a future meeting.
- An action item's 期限 before its meeting's date: **impossible, refused** — an action decided at a
  meeting cannot fall due before the meeting. The message names the row (its 対応事項).
- An action item's 完了日 before its meeting's date: **impossible, refused**, for the same reason.
  Both are checked on every row kept when the meeting is saved (moving the meeting after its actions'
  期限 is refused too), and on the action item's own page.
- 「開催済」 with no participants at all: **unlikely, warned** — a held meeting had people in it, but the
  counts may really not be known (an old record entered afterwards). Saved once the user ticks
  「参加者0人のまま登録する」 (`core.forms.ConfirmableMixin`). Not asked again on edits of a meeting
  already stored as held with no participants (it was confirmed, or it predates the rule, and asking on
  every edit of its minutes would teach people to tick without reading).
- Case rows on a kind that takes no cases (`models.CASE_KINDS`): refused unless the user ticks
  「入力した事例を破棄して保存する」 — never dropped silently (the form, `meetings.forms.MeetingEditor`).
- Follow-ups (追跡調査) of a case with no 退院年月: not offered (the case page says why, and a posted
  follow-up is refused with the same words): they are counted from the discharge month.
"""

from __future__ import annotations

from datetime import date

from core.fiscal import wareki_date
from meetings.models import MeetingStatus

NO_DISCHARGE_MONTH = "退院月が未登録のため追跡調査は登録できません。"
NO_PARTICIPANTS = (
    "「開催済」の会議の参加者数がすべて0人です。参加者数を入力してください。"
    "参加者数が分からないなど0人のままでよいときは「参加者0人のまま登録する」にチェックして、もう一度保存してください。"
)
NO_PARTICIPANTS_CONFIRM = "参加者0人のまま登録する"
CASES_NOT_TAKEN = "この種別では事例を登録しません。入力した事例は保存されません。"
CASES_DISCARD_CONFIRM = "入力した事例を破棄して保存する"


def held_in_future(*, status: str, day: date | None, today: date) -> str | None:
    """The refusal of a meeting marked 開催済 whose date has not come yet, or None."""
    if status != MeetingStatus.HELD or day is None or day <= today:
        return None
    return (
        f"開催日（{wareki_date(day)}）が今日（{wareki_date(today)}）より後のため「開催済」にできません。"
        "まだ開かれていない会議は「予定」にしてください。"
    )


def action_dates(*, description: str, due: date | None, completed: date | None, meeting_day: date | None):
    """{field: refusal} for an action item's dates that fall before the meeting that decided it."""
    if meeting_day is None:
        return {}
    name = f"対応事項「{description[:30]}」" if description else "対応事項"
    held = wareki_date(meeting_day)
    problems = {}
    if due is not None and due < meeting_day:
        problems["due_date"] = (
            f"{name}の期限（{wareki_date(due)}）が会議の開催日（{held}）より前です。"
            "会議で決めた対応事項の期限は開催日以降にしてください。"
        )
    if completed is not None and completed < meeting_day:
        problems["completed_on"] = (
            f"{name}の完了日（{wareki_date(completed)}）が会議の開催日（{held}）より前です。"
            "会議で決めた対応事項は開催日より前に完了できません。"
        )
    return problems


def held_without_participants(*, status: str, total: int) -> bool:
    return status == MeetingStatus.HELD and total == 0
