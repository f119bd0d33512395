"""Factories for meetings, participants, action items, case reviews and follow-ups.

They write rows directly (fast test setup); behaviour under test goes through meetings.services.
"""

from datetime import date

import factory

from core.fiscal import fiscal_year_of, fiscal_year_range
from core.search import search_text
from indicators.models import Indicator, Observation, area_key_for
from meetings.models import (
    ActionItem,
    ActionStatus,
    AgeBand,
    AgendaItem,
    CaseFollowUp,
    CaseReview,
    CaseStatus,
    DiagnosisGroup,
    FollowUpStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Participation,
    StayBand,
)
from regions.models import HealthCentre, Region
from tests.factories import owning_prefecture


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting
        skip_postgeneration_save = True  # the agenda hook saves what it changes

    kind = MeetingKind.REGIONAL_COORDINATION
    title = factory.Sequence(lambda n: f"圏域連絡調整会議 第{n}回")
    date = date(2022, 10, 5)
    region = factory.LazyFunction(lambda: Region.objects.get(code="3501"))
    # As meetings.services sets it: the region's prefecture, or the portal's for a prefecture-wide meeting.
    prefecture = factory.LazyAttribute(lambda o: owning_prefecture(o.region))
    organiser_centre = factory.LazyFunction(lambda: HealthCentre.objects.get(code="iwakuni"))
    organiser_division = ""
    place = "岩国健康福祉センター 会議室"
    status = MeetingStatus.HELD
    fiscal_year = factory.LazyAttribute(lambda o: fiscal_year_of(o.date))
    search_text = factory.LazyAttribute(lambda o: search_text(o.title))

    @factory.post_generation
    def agenda(obj, create, extracted, **kwargs):
        """`agenda="a\nb"`: one agenda item per line (as meetings.services stores them), search text updated."""
        text = "地域移行の進捗について" if extracted is None else extracted
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if not create or not lines:
            return
        AgendaItem.objects.bulk_create(
            AgendaItem(meeting=obj, region=obj.region, position=i, title=line)
            for i, line in enumerate(lines, 1)
        )
        obj.search_text = search_text(obj.title, *lines)
        obj.save(update_fields=["search_text"])


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    meeting = factory.SubFactory(MeetingFactory)
    category = "health_centre"
    count = 3


class AgendaItemFactory(factory.django.DjangoModelFactory):
    """An item on a meeting's agenda (a waiting proposal: meeting=None, origin="proposed")."""

    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory, agenda="")
    region = factory.LazyAttribute(lambda o: o.meeting.region if o.meeting else None)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"議題 {n}")


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    meeting = factory.SubFactory(MeetingFactory)
    description = factory.Sequence(lambda n: f"グループホームの空き状況を確認する（{n}）")
    responsible = "相談支援事業所"
    due_date = date(2022, 12, 1)
    status = ActionStatus.NOT_STARTED


class CaseReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseReview

    meeting = factory.SubFactory(MeetingFactory, kind=MeetingKind.CASE_REVIEW, title="地域移行事例検討会")
    region = factory.SelfAttribute("meeting.region")
    fiscal_year = factory.SelfAttribute("meeting.fiscal_year")
    sequence = factory.Sequence(lambda n: n + 1)
    case_number = factory.LazyAttribute(lambda o: f"{o.region.name}-{o.fiscal_year}-{o.sequence:03d}")
    age_band = AgeBand.AGE_60S
    stay_band = StayBand.Y10_20
    diagnosis_group = DiagnosisGroup.F2
    barriers = factory.LazyFunction(lambda: ["housing", "family"])
    supports = factory.LazyFunction(lambda: ["transition", "group_home"])
    status = CaseStatus.REVIEWING
    summary = "退院後の住まいとしてグループホームを検討した。"


class CaseFollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseFollowUp

    case = factory.SubFactory(
        CaseReviewFactory, status=CaseStatus.IN_COMMUNITY, discharge_month=date(2022, 4, 1)
    )
    months = 6
    status = FollowUpStatus.IN_COMMUNITY


def meeting_form_data(
    *,
    meeting: Meeting | None = None,
    region: Region | str | None = None,
    organiser: str = "centre:iwakuni",
    actions: list[dict] | None = None,
    cases: list[dict] | None = None,
    participants: dict[str, int] | None = None,
    agenda_items: list[dict] | None = None,
    **fields,
) -> dict:
    """POST data for the meeting page (meeting, participant counts, action item and case formsets).

    `agenda="a\nb"` adds one agenda row per line (after the stored ones); `agenda_items` adds rows as dicts.
    `region=""` means prefecture-wide. With `meeting`, its current values, version and existing child rows (by id) are included, so a
    test changes only what it passes. `organiser` is "centre:<code>" or "division:<value>".
    """
    kind, _, key = organiser.partition(":")
    if kind == "centre":
        organiser = f"centre:{HealthCentre.objects.get(code=key).pk}"
    data = {
        "kind": MeetingKind.REGIONAL_COORDINATION,
        "title": "令和4年度 第2回 岩国圏域連絡調整会議",
        "date": "2022-10-05",
        "start_time": "14:00",
        "end_time": "16:00",
        "place": "岩国健康福祉センター",
        "region": "" if region == "" else str((region or Region.objects.get(code="3501")).pk),
        "organiser": organiser,
        "minutes": "",
        "decisions": "",
        "status": MeetingStatus.HELD,
    }
    existing_actions, existing_cases, existing_agenda = [], [], []
    if meeting is not None:
        data.update(
            {
                "kind": meeting.kind,
                "title": meeting.title,
                "date": meeting.date.isoformat(),
                "start_time": meeting.start_time.strftime("%H:%M") if meeting.start_time else "",
                "end_time": meeting.end_time.strftime("%H:%M") if meeting.end_time else "",
                "place": meeting.place,
                "region": str(meeting.region_id or ""),
                "organiser": f"centre:{meeting.organiser_centre_id}"
                if meeting.organiser_centre_id
                else f"division:{meeting.organiser_division}",
                "minutes": meeting.minutes,
                "decisions": meeting.decisions,
                "status": meeting.status,
                "version": str(meeting.version),
            }
        )
        stored = dict(meeting.participations.values_list("category", "count"))
        for category, count in stored.items():
            data[f"p-{category}"] = str(count)
        existing_actions = [
            {
                "id": a.pk,
                "description": a.description,
                "responsible": a.responsible,
                "due_date": a.due_date.isoformat() if a.due_date else "",
                "status": a.status,
                "completed_on": a.completed_on.isoformat() if a.completed_on else "",
                "agenda_position": a.agenda_item.position if a.agenda_item else "",
            }
            for a in meeting.action_items.select_related("agenda_item").order_by("pk")
        ]
        existing_agenda = [
            {
                "id": a.pk,
                "position": a.position,
                "title": a.title,
                "notes": a.notes,
                "indicator": a.indicator_id or "",
            }
            for a in meeting.agenda_items.order_by("position", "pk")
        ]
        existing_cases = [
            {
                "id": c.pk,
                "age_band": c.age_band,
                "stay_band": c.stay_band,
                "diagnosis_group": c.diagnosis_group,
                "barriers": c.barriers,
                "supports": c.supports,
                "status": c.status,
                "discharge_month": c.discharge_month.strftime("%Y-%m") if c.discharge_month else "",
                "summary": c.summary,
            }
            for c in meeting.cases.order_by("pk")
        ]
    agenda_text = fields.pop("agenda", None if meeting is not None else "長期入院者の地域移行について")
    new_agenda = list(agenda_items or [])
    if agenda_text:
        start = max((a["position"] for a in existing_agenda), default=0)
        lines = [line.strip() for line in agenda_text.splitlines() if line.strip()]
        new_agenda += [{"position": start + i, "title": line} for i, line in enumerate(lines, 1)]
    data.update(fields)
    if meeting is None and participants is None and data["status"] == MeetingStatus.HELD:
        # A held meeting had people in it: with none the page asks 「参加者0人のまま登録する」 (meetings.sanity).
        participants = {"health_centre": 3}
    for category, count in (participants or {}).items():
        data[f"p-{category}"] = str(count)

    def add_formset(prefix, rows, initial_count):
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = str(initial_count)
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
        for index, row in enumerate(rows):
            for name, value in row.items():
                if isinstance(value, list):
                    data[f"{prefix}-{index}-{name}"] = value
                elif isinstance(value, bool):
                    if value:
                        data[f"{prefix}-{index}-{name}"] = "on"
                else:
                    data[f"{prefix}-{index}-{name}"] = "" if value is None else str(value)

    add_formset("agenda", existing_agenda + new_agenda, len(existing_agenda))
    add_formset("actions", existing_actions + (actions or []), len(existing_actions))
    add_formset("cases", existing_cases + (cases or []), len(existing_cases))
    return data


CASE_ROW = {
    "age_band": AgeBand.AGE_60S,
    "stay_band": StayBand.Y10_20,
    "diagnosis_group": DiagnosisGroup.F2,
    "barriers": ["housing", "family"],
    "supports": ["transition", "group_home"],
    "status": CaseStatus.PREPARING,
    "discharge_month": "",
    "summary": "グループホームの体験利用を計画した。",
}

ACTION_ROW = {
    "description": "グループホームの空き状況を確認する",
    "responsible": "相談支援事業所",
    "due_date": "2022-12-01",
    "status": ActionStatus.NOT_STARTED,
    "completed_on": "",
}


def region_value(code: str, region: Region, value, *, fiscal_year: int = 2024) -> Observation:
    """A region's value of indicator `code` for one 年度 (written directly, as the import stores it), e.g.
    岩国's 3-month discharge rate at 40.0 — behind the prefecture's 56.0% target, which applies to regions."""
    return Observation.objects.create(
        indicator=Indicator.objects.get(code=code),
        prefecture=region.prefecture,
        region=region,
        area_key=area_key_for(prefecture=region.prefecture, region=region),
        period_kind="fiscal_year",
        fiscal_year=fiscal_year,
        period_end=fiscal_year_range(fiscal_year)[1],
        period_key=f"fy:{fiscal_year}",
        value=value,
    )
