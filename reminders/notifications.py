"""The in-portal notification: who sees a count of due items in the navigation bar, and what it says.

The count is `reminders.due.due_for(user).count` (and its overdue part) — the definition the digest and
the due page share. Only staff and officials have due work; a viewer is asked nothing, so their pages
pay no query for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from accounts import roles
from reminders.due import Due, due_for

# A page that has computed due_for(request.user) passes it under this name; the header's count reads
# it instead of computing the same thing again.
PAGE_DUE_KEY = "reminders_due"


def has_due_items(user) -> bool:
    """Staff and officials have due items; viewers (and signed-in users with no role) have none."""
    return user is not None and getattr(user, "is_authenticated", False) and roles.can_write(user)


@dataclass(frozen=True)
class Count:
    count: int
    overdue: int


def due_count(user, *, today: date, due: Due | None = None) -> Count | None:
    """The navigation bar's numbers for `user` (None: no count at all). Three queries — the user's
    days, the action items, the follow-ups — whatever the data, none when `due` is given."""
    if not has_due_items(user):
        return None
    if due is None:
        due = due_for(user, today=today)
    return Count(count=due.count, overdue=due.overdue_count)
