"""Bulk writers for the records the portal itself keeps: meetings (participants, action items, case
reviews, follow-ups) and training (sessions, attendance, the peer-supporter programme).

Each writer first plans every record as a small tuple (seeded), then builds and inserts them in
chunks of `CHUNK` with bulk_create, children after parents, and the history record
(core.ChangeRecord) the service function would have written, computed with that service's own
state functions. Yamaguchi's eight regions get realistic numbers (two 圏域連絡調整会議 a year,
a prefecture council twice a year since H28, …); the rest of the quota is spread over the other
327 regions.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from zoneinfo import ZoneInfo

from bench import texts
from bench.dataset import AS_OF, CHUNK, FIRST_ACTIVITY_FY, FULL, LAST_ACTIVITY_FY, YAMAGUCHI
from core import fiscal

TOKYO = ZoneInfo("Asia/Tokyo")


def meetings_available() -> bool:
    from django.apps import apps

    try:
        apps.get_model("meetings", "Meeting")
    except LookupError:
        return False
    return True


def _aware(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, clock(hour, 0), tzinfo=TOKYO)


def _random_day(rng: random.Random, fiscal_year: int) -> date:
    return date(fiscal_year, 4, 1) + timedelta(days=rng.randrange(365))


@dataclass
class Plan:
    region: object | None  # Region, or None for 県全域 (Yamaguchi's prefecture-wide records)
    fiscal_year: int
    kind: str
    day: date
    cases: int = 0


class _Writer:
    def __init__(self, generator):
        from django.contrib.auth import get_user_model

        from regions.models import HealthCentre, Prefecture, Region

        self.g = generator
        # Prefecture-wide (region None) records are Yamaguchi's, the prefecture the portal serves.
        self.yamaguchi_id = Prefecture.objects.get(code=YAMAGUCHI).pk
        self.regions = list(Region.objects.select_related("prefecture").order_by("code"))
        self.yamaguchi_regions = [r for r in self.regions if r.prefecture.code == YAMAGUCHI]
        self.other_regions = [r for r in self.regions if r.prefecture.code != YAMAGUCHI]
        self.centre_of: dict[int, HealthCentre] = {}
        for centre in HealthCentre.objects.prefetch_related("regions").order_by("display_order", "code"):
            for region in centre.regions.all():
                self.centre_of.setdefault(region.pk, centre)
        users = {u.username: u for u in get_user_model().objects.filter(username__startswith="bench-")}
        self.official = users["bench-official"]
        self.staff_of = {
            region_id: users[f"bench-staff-{centre.code}"] for region_id, centre in self.centre_of.items()
        }

    def prefecture_id(self, region) -> int:
        """What the services set: the region's prefecture, or the portal's for a prefecture-wide record."""
        return region.prefecture_id if region is not None else self.yamaguchi_id

    def author(self, region):
        return self.staff_of[region.pk] if region is not None else self.official

    def fill(
        self, rng, yamaguchi: list[Plan], total: int, other_kinds: list[tuple[str, float]]
    ) -> list[Plan]:
        """Yamaguchi's realistic plan (trimmed to a tenth of the total when the scale is tiny), then
        the rest of `total` spread over the other regions and fiscal years."""

        quota = max(1, total // 10)
        if len(yamaguchi) > quota:
            yamaguchi = rng.sample(yamaguchi, quota)
        kinds, weights = zip(*other_kinds, strict=True)
        plans = list(yamaguchi)
        for _ in range(total - len(plans)):
            fiscal_year = rng.randint(FIRST_ACTIVITY_FY, LAST_ACTIVITY_FY)
            plans.append(
                Plan(
                    region=rng.choice(self.other_regions),
                    fiscal_year=fiscal_year,
                    kind=rng.choices(kinds, weights)[0],
                    day=_random_day(rng, fiscal_year),
                )
            )
        # Records are entered roughly in the order they happen.
        plans.sort(key=lambda p: (p.day, p.region.code if p.region else "", p.kind))
        return plans

    def chunks(self, items):

        for start in range(0, len(items), CHUNK):
            yield items[start : start + CHUNK]


class MeetingWriter(_Writer):
    def plan(self, rng) -> list[Plan]:

        yamaguchi = []
        for fy in range(FIRST_ACTIVITY_FY, LAST_ACTIVITY_FY + 1):
            for region in self.yamaguchi_regions:
                per_year = [("regional_coordination", 2), ("case_review", 4), ("independence_council", 3)]
                per_year += [("training_planning", 1)]
                if fy >= 2019:
                    per_year += [("venue_region", 2)]
                if fy >= 2020:
                    per_year += [("venue_municipality", 1)]
                for kind, count in per_year:
                    yamaguchi += [Plan(region, fy, kind, _random_day(rng, fy)) for _ in range(count)]
            if fy >= 2016:  # 県地域生活移行推進会議, twice a year since H28
                yamaguchi += [Plan(None, fy, "prefecture_council", _random_day(rng, fy)) for _ in range(2)]
            yamaguchi += [Plan(None, fy, "training_planning", _random_day(rng, fy))]
        other_kinds = [
            ("regional_coordination", 0.12),
            ("case_review", 0.35),
            ("venue_region", 0.08),
            ("venue_municipality", 0.10),
            ("independence_council", 0.20),
            ("training_planning", 0.08),
            ("other", 0.07),
        ]
        plans = self.fill(rng, yamaguchi, self.g.n(FULL["meetings"]), other_kinds)
        # Case reviews: held regional 事例検討会, Yamaguchi's first, one to three cases each.

        candidates = [p for p in plans if p.kind == "case_review" and p.region is not None and p.day <= AS_OF]
        rng.shuffle(candidates)
        candidates.sort(key=lambda p: p.region.prefecture.code != "350001")
        remaining = self.g.n(FULL["cases"])
        while remaining and candidates:
            for plan in candidates:
                if not remaining:
                    break
                extra = min(remaining, rng.choice((1, 1, 2, 3)))
                plan.cases += extra
                remaining -= extra
        return plans

    def write(self) -> dict[str, int]:
        from django.contrib.contenttypes.models import ContentType

        from core import history
        from core.categories import OrganisationType
        from core.fiscal import fiscal_year_label, fiscal_year_of
        from core.models import ChangeRecord
        from core.search import search_text
        from meetings import services
        from meetings.models import (
            ActionItem,
            AgeBand,
            AgendaItem,
            Barrier,
            CaseFollowUp,
            CaseReview,
            CaseStatus,
            DiagnosisGroup,
            Meeting,
            MeetingKind,
            MeetingStatus,
            Participation,
            StayBand,
            Support,
        )
        from regions.models import PrefectureDivision

        rng = random.Random(self.g.seed + 3)
        plans = self.plan(rng)
        content_type = ContentType.objects.get_for_model(Meeting)
        kind_labels = dict(MeetingKind.choices)
        categories = list(OrganisationType.values)
        numbering = defaultdict(int)
        case_sequence = defaultdict(int)
        counts = defaultdict(int)
        for chunk in self.chunks(plans):
            meetings, agenda_titles = [], []
            for plan in chunk:
                region = plan.region
                numbering[(region.pk if region else None, plan.fiscal_year, plan.kind)] += 1
                number = numbering[(region.pk if region else None, plan.fiscal_year, plan.kind)]
                label = f"{fiscal_year_label(plan.fiscal_year)}第{number}回"
                title = f"{kind_labels[plan.kind]}（{label}）"
                held = plan.day <= AS_OF
                start = rng.choice((clock(10, 0), clock(13, 30), clock(14, 0), clock(18, 30)))
                centre = self.centre_of.get(region.pk) if region else None
                meeting = Meeting(
                    kind=plan.kind,
                    title=f"{region.name}圏域 {title}" if region else title,
                    date=plan.day,
                    start_time=start,
                    end_time=clock(start.hour + 2, start.minute),
                    place="Web会議"
                    if rng.random() < 0.1
                    else (f"{centre.name} 会議室" if centre else "県庁 会議室"),
                    region=region,
                    prefecture_id=self.prefecture_id(region),
                    organiser_centre=centre,
                    organiser_division="" if centre else rng.choice(PrefectureDivision.values),
                    minutes=" ".join(rng.sample(texts.MINUTES, rng.randint(2, 4))) if held else "",
                    decisions="\n".join(rng.sample(texts.DECISIONS, rng.randint(1, 2))) if held else "",
                    status=MeetingStatus.HELD if held else MeetingStatus.PLANNED,
                    fiscal_year=fiscal_year_of(plan.day),
                    version=1,
                    created_by=self.author(region),
                )
                if held and rng.random() < 0.003:
                    meeting.deleted_at = _aware(min(plan.day + timedelta(days=14), AS_OF))
                    meeting.deleted_by = self.official
                    meeting.version = 2
                agenda_titles.append(rng.sample(texts.AGENDA, rng.randint(1, 3)))
                # as the service derives it: the title and the agenda items' titles (notes are empty)
                meeting.search_text = search_text(meeting.title, *agenda_titles[-1])
                meetings.append(meeting)
            Meeting.objects.bulk_create(meetings)
            AgendaItem.objects.bulk_create(
                AgendaItem(meeting=meeting, region=meeting.region, position=i, title=title)
                for meeting, titles in zip(meetings, agenda_titles, strict=True)
                for i, title in enumerate(titles, 1)
            )

            participations, actions, cases = {}, {}, {}
            for plan, meeting in zip(chunk, meetings, strict=True):
                if meeting.status != MeetingStatus.HELD:
                    participations[meeting.pk], actions[meeting.pk], cases[meeting.pk] = [], [], []
                    continue
                participations[meeting.pk] = [
                    Participation(meeting=meeting, category=category, count=rng.randint(1, 6))
                    for category in sorted(rng.sample(categories, rng.randint(3, 7)), key=categories.index)
                ]
                items = []
                for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
                    description, responsible = rng.choice(texts.ACTIONS)
                    due = plan.day + timedelta(days=rng.randint(30, 150))
                    # Items get done; the older an item's due date, the likelier (a quarter of
                    # every item since H21 still open, as a first draft had it, is not a portal in use).
                    age = (AS_OF - due).days
                    still_open = 1.0 if age < 0 else 0.35 if age < 180 else 0.12 if age < 365 else 0.03
                    if rng.random() >= still_open:
                        status = "done"
                        completed = max(plan.day, due - timedelta(days=rng.randint(0, 20)))
                    else:
                        status, completed = rng.choice(("in_progress", "not_started")), None
                    items.append(
                        ActionItem(
                            meeting=meeting,
                            description=description,
                            responsible=responsible,
                            due_date=due,
                            status=status,
                            completed_on=completed,
                        )
                    )
                actions[meeting.pk] = items
                meeting_cases = []
                for _ in range(plan.cases):
                    key = (meeting.region_id, meeting.fiscal_year)
                    case_sequence[key] += 1
                    sequence = case_sequence[key]
                    elapsed = (AS_OF - plan.day).days
                    if elapsed < 90:
                        status = rng.choice((CaseStatus.REVIEWING, CaseStatus.PREPARING))
                    else:
                        status = rng.choices(list(CaseStatus.values), weights=(15, 15, 15, 35, 8, 12))[0]
                    discharge = None
                    if status in ("discharged", "in_community", "readmitted"):
                        discharge = min(fiscal.add_months(plan.day, rng.randint(1, 6)), AS_OF.replace(day=1))
                    meeting_cases.append(
                        CaseReview(
                            meeting=meeting,
                            region=meeting.region,
                            fiscal_year=meeting.fiscal_year,
                            sequence=sequence,
                            case_number=f"{meeting.region.name}-{meeting.fiscal_year}-{sequence:03d}",
                            age_band=rng.choices(AgeBand.values, weights=(1, 3, 6, 10, 14, 16, 12, 6))[0],
                            stay_band=rng.choices(StayBand.values, weights=(5, 30, 25, 20, 20))[0],
                            diagnosis_group=rng.choices(
                                DiagnosisGroup.values, weights=(8, 4, 60, 10, 3, 1, 2, 6, 2, 1, 3)
                            )[0],
                            barriers=sorted(
                                rng.sample(Barrier.values, rng.randint(1, 3)), key=Barrier.values.index
                            ),
                            supports=sorted(
                                rng.sample(Support.values, rng.randint(1, 3)), key=Support.values.index
                            ),
                            status=status,
                            discharge_month=discharge,
                            summary=rng.choice(texts.CASE_SUMMARIES),
                        )
                    )
                cases[meeting.pk] = meeting_cases
            Participation.objects.bulk_create([p for rows in participations.values() for p in rows])
            ActionItem.objects.bulk_create([a for rows in actions.values() for a in rows])
            CaseReview.objects.bulk_create([c for rows in cases.values() for c in rows])

            followups = {}
            for meeting_cases in cases.values():
                for case in meeting_cases:
                    items = []
                    if case.discharge_month:
                        for months in (3, 6, 12):
                            if fiscal.add_months(case.discharge_month, months) > AS_OF:
                                break
                            status = "in_community"
                            if case.status == "readmitted" and months >= 6:
                                status = "readmitted"
                            elif case.status == "discharged" and rng.random() < 0.2:
                                status = "other"
                            items.append(
                                CaseFollowUp(
                                    case=case,
                                    months=months,
                                    status=status,
                                    note=rng.choice(texts.FOLLOWUP_NOTES),
                                )
                            )
                    followups[case.pk] = items
            CaseFollowUp.objects.bulk_create([f for rows in followups.values() for f in rows])

            # History, as meeting_create / case_followups_update / meeting_delete write it.
            changes = []
            for meeting in meetings:
                counts_by_category = {p.category: p.count for p in participations[meeting.pk]}
                state, labels = services._state(
                    meeting, counts_by_category, actions[meeting.pk], cases[meeting.pk], {}
                )
                if meeting.deleted_at:
                    state["version"] = 1
                by = self.author(meeting.region)
                changes.append(
                    self._record(
                        content_type,
                        meeting,
                        by,
                        ChangeRecord.Action.CREATE,
                        history.diff({}, state, labels=labels),
                    )
                )
                for case in cases[meeting.pk]:
                    if not followups[case.pk]:
                        continue
                    after, after_labels = services._state(
                        meeting,
                        counts_by_category,
                        actions[meeting.pk],
                        cases[meeting.pk],
                        {case.pk: followups[case.pk]},
                    )
                    diff = history.diff(state, after, labels={**labels, **after_labels})
                    changes.append(self._record(content_type, meeting, by, ChangeRecord.Action.UPDATE, diff))
                if meeting.deleted_at:
                    changes.append(
                        self._record(
                            content_type,
                            meeting,
                            self.official,
                            ChangeRecord.Action.DELETE,
                            {"deleted": {"label": "削除", "old": None, "new": "削除済み"}},
                        )
                    )
            ChangeRecord.objects.bulk_create(changes)
            counts["meetings"] += len(meetings)
            counts["participations"] += sum(len(v) for v in participations.values())
            counts["action_items"] += sum(len(v) for v in actions.values())
            counts["cases"] += sum(len(v) for v in cases.values())
            counts["followups"] += sum(len(v) for v in followups.values())
            counts["meeting_history"] += len(changes)
        return dict(counts)

    @staticmethod
    def _record(content_type, instance, by, action, changes):
        from core.models import ChangeRecord

        return ChangeRecord(
            content_type=content_type,
            object_id=str(instance.pk),
            object_repr=str(instance)[:300],
            action=action,
            changes=changes,
            user=by,
            username=by.username,
        )


class TrainingWriter(_Writer):
    def plan(self, rng) -> list[Plan]:

        yamaguchi = []
        for fy in range(FIRST_ACTIVITY_FY, LAST_ACTIVITY_FY + 1):
            for region in self.yamaguchi_regions:
                yamaguchi.append(Plan(region, fy, "transition", _random_day(rng, fy)))
                if fy >= 2015:
                    yamaguchi.append(Plan(region, fy, "multidisciplinary", _random_day(rng, fy)))
                if rng.random() < 0.5:
                    yamaguchi.append(Plan(region, fy, "awareness", _random_day(rng, fy)))
            for course in ("consultation_specialist", "transition", "awareness"):
                yamaguchi.append(Plan(None, fy, course, _random_day(rng, fy)))
            if fy >= 2019:
                yamaguchi.append(Plan(None, fy, "peer_supporter", _random_day(rng, fy)))
        other = [
            ("transition", 0.35),
            ("consultation_specialist", 0.1),
            ("multidisciplinary", 0.2),
            ("peer_supporter", 0.1),
            ("awareness", 0.2),
            ("other", 0.05),
        ]
        return self.fill(rng, yamaguchi, self.g.n(FULL["training"]), other)

    def write(self) -> dict[str, int]:
        from django.contrib.contenttypes.models import ContentType

        from core import history
        from core.categories import OrganisationType
        from core.fiscal import fiscal_year_label, fiscal_year_of
        from core.models import ChangeRecord
        from training import services
        from training.models import OrganiserKind, PeerSupportProgramme, TrainingAttendance, TrainingSession

        rng = random.Random(self.g.seed + 4)
        plans = self.plan(rng)
        content_type = ContentType.objects.get_for_model(TrainingSession)
        labels = services._session_labels()
        categories = list(OrganisationType.values)
        counts = defaultdict(int)
        for chunk in self.chunks(plans):
            sessions, attendance = [], []
            for plan in chunk:
                region = plan.region
                centre = self.centre_of.get(region.pk) if region else None
                hours = Decimal(rng.choice(("1.5", "2", "2.5", "3", "3.5", "6")))
                two_days = rng.random() < 0.1
                place = f"{centre.name} 研修室" if centre else "山口県セミナーパーク"
                session = TrainingSession(
                    course=plan.kind,
                    title=f"{fiscal_year_label(plan.fiscal_year)} "
                    + (f"{region.name}圏域 " if region else "")
                    + texts.TRAINING_TITLES[plan.kind],
                    start_date=plan.day,
                    end_date=plan.day + timedelta(days=1 if two_days else 0),
                    hours=(hours * 2 if two_days else hours).quantize(Decimal("0.01")),
                    organiser_kind=OrganiserKind.HEALTH_CENTRE
                    if centre
                    else rng.choice((OrganiserKind.DISABILITY_SUPPORT, OrganiserKind.HEALTH_PROMOTION)),
                    organiser_health_centre=centre,
                    organiser_other="",
                    region=region,
                    prefecture_id=self.prefecture_id(region),
                    place=place,
                    requests=rng.choice(texts.TRAINING_REQUESTS),
                    fiscal_year=fiscal_year_of(plan.day),
                    version=1,
                )
                rows = [
                    TrainingAttendance(session=session, organisation_type=category, count=rng.randint(1, 25))
                    for category in sorted(rng.sample(categories, rng.randint(3, 6)), key=categories.index)
                ]
                total = sum(a.count for a in rows)
                session.respondents = round(total * rng.uniform(0.5, 0.95)) if plan.day <= AS_OF else 0
                session.satisfied = round(session.respondents * rng.uniform(0.6, 0.98))
                if plan.day > AS_OF:
                    rows = []  # a planned session has nobody recorded yet
                if rng.random() < 0.003:
                    session.is_deleted, session.version = True, 2
                sessions.append(session)
                attendance.append(rows)
            TrainingSession.objects.bulk_create(sessions)
            for session, rows in zip(sessions, attendance, strict=True):
                for row in rows:
                    row.session = session
            TrainingAttendance.objects.bulk_create([a for rows in attendance for a in rows])
            changes = []
            for session, rows in zip(sessions, attendance, strict=True):
                by = self.author(session.region)
                state = services._session_snapshot(session, {a.organisation_type: a.count for a in rows})
                changes.append(
                    MeetingWriter._record(
                        content_type,
                        session,
                        by,
                        ChangeRecord.Action.CREATE,
                        history.diff({}, state, labels=labels),
                    )
                )
                if session.is_deleted:
                    changes.append(
                        MeetingWriter._record(
                            content_type, session, self.official, ChangeRecord.Action.DELETE, {}
                        )
                    )
            ChangeRecord.objects.bulk_create(changes)
            counts["training_sessions"] += len(sessions)
            counts["training_attendances"] += sum(len(rows) for rows in attendance)
            counts["training_history"] += len(changes)

        # The peer-supporter programme of every region since R1 (small: one row per region and year).
        programmes = []
        for fy in range(max(FIRST_ACTIVITY_FY, 2019), LAST_ACTIVITY_FY + 1):
            for region in self.regions:
                hospitals = rng.randint(2, 8)
                offices = rng.randint(5, 20)
                registered = rng.randint(0, 15)
                programmes.append(
                    PeerSupportProgramme(
                        region=region,
                        fiscal_year=fy,
                        hospitals_surveyed=hospitals,
                        hospitals_wanting=rng.randint(0, hospitals),
                        offices_surveyed=offices,
                        offices_wanting=rng.randint(0, offices),
                        needs_purpose="病院訪問での体験談、退院後の同行支援",
                        trained=rng.randint(0, 10),
                        registered=registered,
                        active=rng.randint(0, registered),
                        hospital_visits=rng.randint(0, 24),
                        meeting_participations=rng.randint(0, 12),
                    )
                )
        PeerSupportProgramme.objects.bulk_create(programmes, batch_size=1000)
        programme_type = ContentType.objects.get_for_model(PeerSupportProgramme)
        programme_labels = history.field_labels(PeerSupportProgramme)
        ChangeRecord.objects.bulk_create(
            [
                MeetingWriter._record(
                    programme_type,
                    programme,
                    self.author(programme.region),
                    ChangeRecord.Action.CREATE,
                    history.diff(
                        {},
                        history.snapshot(programme, exclude=services._HISTORY_EXCLUDE),
                        labels=programme_labels,
                    ),
                )
                for programme in programmes
            ],
            batch_size=1000,
        )
        counts["peer_support_programmes"] = len(programmes)
        return dict(counts)
