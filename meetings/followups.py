"""Case follow-ups (追跡調査) that fall due: 3, 6 and 12 months after discharge, not recorded yet.

The home page lists those due in the next 30 days or overdue; the reminders use the user's own
number of days. A case is known by its number only here: nothing else of it is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q

from core import fiscal
from core.fiscal import add_months
from meetings.models import CaseFollowUp

FOLLOW_UP_HORIZON_DAYS = 30  # a follow-up is listed from 30 days before it falls due …
FOLLOW_UP_LISTED_YEARS = 2  # … until two years after (then nobody will record it any more)
FOLLOW_UP_MONTHS = tuple(CaseFollowUp.Months.values)  # 3, 6, 12
FOLLOW_UP_LABELS = dict(CaseFollowUp.Months.choices)


@dataclass(frozen=True)
class FollowUpDue:
    """A follow-up not recorded yet that falls due soon or is overdue: the case is known by its number only."""

    case_id: int
    case_number: str
    region_id: int
    months: int
    due: date
    overdue: bool

    @property
    def label(self) -> str:
        return FOLLOW_UP_LABELS[self.months]

    @property
    def display_number(self) -> str:
        return fiscal.case_number_display(self.case_number)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def follow_up_window(today: date, horizon_days: int = FOLLOW_UP_HORIZON_DAYS) -> tuple[date, date]:
    """(earliest, latest) due date of a follow-up listed on `today`."""
    return _years_before(today, FOLLOW_UP_LISTED_YEARS), today + timedelta(days=horizon_days)


def follow_ups_due(cases, *, today: date, horizon_days: int = FOLLOW_UP_HORIZON_DAYS) -> list[FollowUpDue]:
    """The follow-ups of `cases` (a CaseReview queryset, already restricted) not recorded yet whose due
    date — the discharge month plus 3, 6 or 12 months — is at most `horizon_days` ahead and at most two
    years past; overdue when before today. Soonest due first (so overdue first). One query."""
    earliest, latest = follow_up_window(today, horizon_days)
    recorded = {
        n: Exists(CaseFollowUp.objects.filter(case=OuterRef("pk"), months=n)) for n in FOLLOW_UP_MONTHS
    }
    # The candidates in SQL (a superset at the months' edges: a discharge month is stored as its first
    # day, but the exact test is below); each follow-up's due date is add_months(discharge month, n).
    window = Q()
    for n in FOLLOW_UP_MONTHS:
        window |= Q(
            Q(
                discharge_month__gte=add_months(earliest, -n - 1),
                discharge_month__lt=add_months(latest, 1 - n),
            ),
            ~recorded[n],
        )
    rows = (
        cases.filter(discharge_month__isnull=False)
        .filter(window)
        .annotate(**{f"has_{n}": recorded[n] for n in FOLLOW_UP_MONTHS})
        .order_by()
        .values("pk", "case_number", "region_id", "discharge_month", *(f"has_{n}" for n in FOLLOW_UP_MONTHS))
    )
    found = []
    for row in rows:
        for n in FOLLOW_UP_MONTHS:
            due = add_months(row["discharge_month"], n)
            if row[f"has_{n}"] or not earliest <= due <= latest:
                continue
            found.append(
                FollowUpDue(
                    case_id=row["pk"],
                    case_number=row["case_number"],
                    region_id=row["region_id"],
                    months=n,
                    due=due,
                    overdue=due < today,
                )
            )
    found.sort(key=lambda f: (f.due, f.case_number, f.months))
    return found
