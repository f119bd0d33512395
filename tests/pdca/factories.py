"""Indicators, targets, values and discussions for the PDCA pages' tests, dated from today's 年度.

Values and targets go through `indicators.services` (as officials record them); meetings and agenda
items are written by the meetings factories and then frozen with `meetings.agenda.sync_snapshots`, as
the meeting service does when a meeting is saved 開催済.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from core.fiscal import fiscal_year_label, fiscal_year_of
from indicators.areas import portal_prefecture
from indicators.models import Indicator, Plan
from indicators.services import observation_record, target_record
from meetings.agenda import sync_snapshots
from meetings.models import AgendaOrigin, MeetingStatus
from tests.factories import region
from tests.meetings.factories import ActionItemFactory, AgendaItemFactory, MeetingFactory


def rate(code: str, name: str, *, order: int = 0) -> Indicator:
    return Indicator.objects.create(
        code=code,
        name_ja=name,
        unit="％",
        value_type=Indicator.ValueType.PERCENT,
        decimal_places=1,
        direction=Indicator.Direction.HIGHER,
        display_order=order,
    )


def observe(by, indicator: Indicator, area, fiscal_year: int, value) -> None:
    """The value of `indicator` for a region (or the prefecture: area None) in a 年度."""
    observation_record(
        by=by,
        indicator=indicator,
        prefecture=portal_prefecture(),
        region=area,
        period_text=fiscal_year_label(fiscal_year, short=True),
        value=Decimal(str(value)),
    )


def discuss(indicator: Indicator | None, area, day: date, *, status=MeetingStatus.HELD, notes="", title=""):
    """A meeting of `area` on `day` with an agenda item about `indicator` (frozen when held)."""
    meeting = MeetingFactory(date=day, region=area, status=status, agenda="", title=title or f"会議 {day}")
    item = AgendaItemFactory(meeting=meeting, indicator=indicator, notes=notes, title=f"{indicator}について")
    sync_snapshots(meeting)
    item.refresh_from_db()
    return item


@dataclass
class Scenario:
    """Region 3501 (岩国) and 3508 (萩), four rates with the prefecture's target 56％以上 (inherited):

    - A: 48.6 three 年度 ago, discussed two 年度 ago (two actions: one done, one overdue), then 53.0
      last 年度 (added by `newer_value`) — not met, improved, not on an agenda in the counted 年度;
    - B: 40.0, discussed last 年度 (one action) and two 年度 ago, and planned again next month;
    - C: 60.0 — met;
    - D: 30.0, never discussed, proposed from the dashboard and waiting for a meeting.
    In 3508: A at 50.0 (not met, never discussed), C at 60.0.
    """

    today: date
    fy: int
    own: object
    other: object
    a: Indicator
    b: Indicator
    c: Indicator
    d: Indicator
    official: object

    def newer_value(self):
        observe(self.official, self.a, self.own, self.fy - 1, "53.0")


def scenario(official) -> Scenario:
    today = timezone.localdate()
    fy = fiscal_year_of(today)
    own, other = region("3501"), region("3508")
    plan = Plan.objects.create(
        name="山口県障害福祉計画（試験）",
        issuer=Plan.Issuer.PREFECTURE,
        first_fiscal_year=fy - 4,
        last_fiscal_year=fy + 1,
    )
    a = rate("pdca_a", "退院率A", order=1)
    b = rate("pdca_b", "退院率B", order=2)
    c = rate("pdca_c", "退院率C", order=3)
    d = rate("pdca_d", "退院率D", order=4)
    for indicator in (a, b, c, d):
        target_record(
            by=official,
            indicator=indicator,
            plan=plan,
            prefecture=portal_prefecture(),
            fiscal_year=fy + 1,
            value=Decimal(56),
            comparator="gte",
        )
    for indicator, value in ((a, "48.6"), (b, "40.0"), (c, "60.0"), (d, "30.0")):
        observe(official, indicator, own, fy - 3, value)
    observe(official, a, other, fy - 3, "50.0")
    observe(official, c, other, fy - 3, "60.0")

    first_a = discuss(a, own, date(fy - 2, 10, 5), notes="退院支援の状況を共有した", title="第1回 圏域会議")
    ActionItemFactory(
        meeting=first_a.meeting,
        agenda_item=first_a,
        description="病院訪問の計画を立てる",
        responsible="岩国健康福祉センター",
        due_date=date(fy - 2, 12, 1),
        status="done",
        completed_on=date(fy - 2, 11, 20),
    )
    ActionItemFactory(
        meeting=first_a.meeting,
        agenda_item=first_a,
        description="ピアサポーターの派遣を調整する",
        responsible="相談支援事業所",
        due_date=today - timedelta(days=10),
        status="in_progress",
    )
    later_b = discuss(b, own, date(fy - 1, 11, 10), title="第3回 圏域会議")
    ActionItemFactory(meeting=later_b.meeting, agenda_item=later_b, due_date=today + timedelta(days=60))
    discuss(b, own, date(fy - 2, 6, 1), title="第1回 B会議")
    discuss(b, own, today + timedelta(days=30), status=MeetingStatus.PLANNED, title="次回 圏域会議")
    AgendaItemFactory(
        meeting=None, region=own, indicator=d, origin=AgendaOrigin.PROPOSED, title="退院率Dについて"
    )
    return Scenario(today, fy, own, other, a, b, c, d, official)
