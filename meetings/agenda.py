"""Agenda rules the meeting services apply: snapshots, proposals put on a meeting, the carry-over item.

These run inside `meetings.services`' transactions (they do not check permissions or record history
themselves); the reads at the bottom serve the meeting pages, the PDCA page and the home page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone

from core.fiscal import wareki_date
from indicators import small_counts
from indicators.areas import portal_prefecture
from indicators.models import Indicator
from indicators.standing import Basis, Standing, standings
from meetings.models import (
    CARRY_OVER_TITLE,
    ActionItem,
    AgendaItem,
    AgendaOrigin,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from regions.models import Region

# The meetings a proposal from the dashboard goes to: the region's 圏域連絡調整会議.
PROPOSAL_KIND = MeetingKind.REGIONAL_COORDINATION


def basis_for() -> Basis:
    return Basis(portal_prefecture())


def next_position(meeting: Meeting) -> int:
    return (meeting.agenda_items.aggregate(m=Max("position"))["m"] or 0) + 1


def sync_snapshots(meeting: Meeting) -> None:
    """The items are about the meeting's area; a held meeting's items about an indicator keep
    what people saw on the day (frozen once), a planned meeting's items show the live standing."""
    items = list(meeting.agenda_items.select_related("indicator", "region"))
    for item in items:  # the meeting's area changed: the items follow, and their snapshots are retaken
        if item.region_id != meeting.region_id:
            item.region = meeting.region
            item.thaw()
            item.save()
    if meeting.status != MeetingStatus.HELD:
        for item in items:
            if item.is_frozen:
                item.thaw()
                item.save()
        return
    to_freeze = [i for i in items if i.indicator_id and not i.is_frozen]
    if not to_freeze:
        return
    found = standings([(i.indicator, i.region) for i in to_freeze], on=meeting.date, basis=basis_for())
    now = timezone.now()
    for item in to_freeze:
        item.freeze(found[(item.indicator_id, item.region_id)], at=now)
        item.save()


def attach_proposals(meeting: Meeting, proposal_ids: list[int]) -> list[AgendaItem]:
    """Put waiting proposals on `meeting`'s agenda (they must be of the meeting's region)."""
    if not proposal_ids:
        return []
    # In id order, not the model's (which joins the meetings: PostgreSQL locks no outer join's rows)
    waiting = list(
        AgendaItem.objects.waiting().filter(pk__in=proposal_ids).order_by("pk").select_for_update()
    )
    if len(waiting) != len(set(proposal_ids)):
        raise ValidationError("選んだ提案は既に他の会議の議題になったか、取り下げられました。")
    if meeting.region_id is None or any(item.region_id != meeting.region_id for item in waiting):
        raise ValidationError(
            "提案された議題は、その圏域の会議にだけ加えられます（圏域を確認してください）。"
        )
    position = next_position(meeting)
    for offset, item in enumerate(sorted(waiting, key=lambda i: i.pk)):
        item.meeting = meeting
        item.position = position + offset
        item.save(update_fields=["meeting", "position"])
    return waiting


def open_actions_before(*, region, kind: str, before: date, exclude_meeting: int | None = None):
    """Open action items of earlier meetings of the same kind and region (the carry-over's content)."""
    items = ActionItem.objects.alive().open().filter(meeting__kind=kind, meeting__date__lte=before)
    items = items.filter(meeting__region=region) if region else items.filter(meeting__region__isnull=True)
    if exclude_meeting:
        items = items.exclude(meeting_id=exclude_meeting)
    return items.select_related("meeting", "agenda_item").order_by("due_date", "pk")


def carry_over_notes(items) -> str:
    lines = []
    for item in items:
        due = f"期限 {item.due_date:%Y-%m-%d}" if item.due_date else "期限なし"
        lines.append(
            f"・{item.description}（{item.responsible}、{due}、{item.get_status_display()}）"
            f"― {item.meeting.date:%Y-%m-%d} {item.meeting.title}"
        )
    return "\n".join(lines)


def add_carry_over(meeting: Meeting) -> AgendaItem | None:
    """The 「前回からの継続」 item listing the open actions of earlier meetings (None when there are none)."""
    items = list(
        open_actions_before(
            region=meeting.region, kind=meeting.kind, before=meeting.date, exclude_meeting=meeting.pk
        )
    )
    if not items:
        return None
    item = AgendaItem.objects.create(
        meeting=meeting,
        region=meeting.region,
        position=next_position(meeting),
        title=CARRY_OVER_TITLE,
        notes=carry_over_notes(items),
        origin=AgendaOrigin.CARRY_OVER,
    )
    item.carried_actions.set(items)
    return item


# --- reads ---------------------------------------------------------------------------------------


def item_standings(items, *, today: date) -> dict[int, Standing]:
    """{item pk: Standing}: the frozen one of a held meeting's item, the live one (as of today) otherwise."""
    found: dict[int, Standing] = {}
    live = []
    frozen = {}
    for item in items:
        if item.indicator_id is None:
            continue
        standing = item.frozen_standing()
        if standing is not None:
            frozen[item.pk] = standing
        else:
            live.append(item)
    basis = basis_for() if live else None
    if live:
        current = standings([(i.indicator, i.region) for i in live], on=today, basis=basis)
        for item in live:
            found[item.pk] = current[(item.indicator_id, item.region_id)]
    # A snapshot's small count is judged against the stored table of its period (small_counts).
    judge = basis.judge if basis else small_counts.Judge()
    for pk, standing in frozen.items():
        found[pk] = judge(standing)
    return found


def next_planned_meeting(region, *, today: date) -> Meeting | None:
    """The region's next planned 圏域連絡調整会議 (today or later), where a proposal goes."""
    return (
        Meeting.objects.alive()
        .filter(region=region, kind=PROPOSAL_KIND, status=MeetingStatus.PLANNED, date__gte=today)
        .order_by("date", "pk")
        .first()
    )


@dataclass
class IndicatorOnAgenda:
    """An indicator not met in a region, and where it stands on the region's agendas."""

    standing: Standing
    region: Region
    waiting: AgendaItem | None = None  # proposed from the dashboard, waiting for a meeting
    planned: AgendaItem | None = None  # on the agenda of the region's next planned meeting
    discussed: AgendaItem | None = None  # the latest held meeting (of the counted 年度) that discussed it

    @property
    def indicator(self):
        return self.standing.indicator

    @property
    def on_agenda(self) -> bool:
        return any((self.waiting, self.planned, self.discussed))

    @property
    def agenda_label(self) -> str:
        if self.planned is not None:
            day = self.planned.meeting.date
            return f"{day.month}月{day.day}日の会議で議題予定"
        if self.waiting is not None:
            return "提案済み（会議の計画待ち）"
        if self.discussed is not None:
            return f"協議済み（{wareki_date(self.discussed.meeting.date)}）"
        return "議題になっていない"


def not_met_by_region(regions, *, today: date, since_fiscal_year: int) -> dict[int, list[IndicatorOnAgenda]]:
    """{region id: the indicators not met there today (遅れ, 目標に近い), each with its agenda state}.

    "Discussed" counts held meetings of `since_fiscal_year` or later (the PDCA page's 「議題になっていない
    遅れ」 uses the current and previous 年度). A fixed number of queries, whatever the number of regions.
    """
    regions = list(regions)
    basis = basis_for()
    indicators = list(Indicator.objects.filter(is_active=True).order_by("display_order", "code"))
    pairs = [(i, r) for r in regions for i in basis.indicators_for(r, indicators)]
    found = standings(pairs, on=today, basis=basis)
    rows: dict[int, list[IndicatorOnAgenda]] = {r.pk: [] for r in regions}
    by_key: dict[tuple[int, int], IndicatorOnAgenda] = {}
    for indicator, region in pairs:
        standing = found[(indicator.pk, region.pk)]
        if standing.is_not_met:
            row = IndicatorOnAgenda(standing=standing, region=region)
            rows[region.pk].append(row)
            by_key[(indicator.pk, region.pk)] = row
    if not by_key:
        return rows
    items = (
        AgendaItem.objects.alive()
        .filter(region__in=[r.pk for r in regions], indicator_id__in={i for i, _ in by_key})
        .select_related("meeting")
        .order_by("meeting__date", "pk")
    )
    for item in items:
        row = by_key.get((item.indicator_id, item.region_id))
        if row is None:
            continue
        meeting = item.meeting
        if meeting is None:
            row.waiting = row.waiting or item
        elif meeting.status == MeetingStatus.PLANNED and meeting.date >= today:
            row.planned = row.planned or item  # the earliest planned one
        elif meeting.status == MeetingStatus.HELD and meeting.fiscal_year >= since_fiscal_year:
            row.discussed = item  # ascending: the latest held one
    return rows
