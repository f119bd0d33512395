"""Writes for meetings, participants, action items, case reviews and follow-ups.

Every function is keyword-only, runs in one transaction, checks the writer's region through
`accounts.roles` and records what changed on the meeting's history (`core.history`), children
included, so the meeting's history page shows participant, action item and case changes too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts import roles
from accounts.roles import check_region
from core import fiscal, history, search
from core.categories import OrganisationType
from core.changes import ConflictRow, changed_since
from core.changes import conflict_rows as build_conflict_rows
from core.forms import StaleVersionError
from core.models import ChangeRecord
from core.records import insert_or_conflict, save_version_step
from indicators import small_counts
from meetings import agenda as agenda_rules
from meetings import sanity
from meetings.models import (
    CASE_KINDS,
    ActionItem,
    AgendaItem,
    AgendaOrigin,
    Barrier,
    CaseFollowUp,
    CaseReview,
    Meeting,
    MeetingStatus,
    Participation,
    Support,
    choice_labels,
)
from regions.models import Region, owning_prefecture_id

MEETING_FIELDS = (
    "kind",
    "title",
    "date",
    "start_time",
    "end_time",
    "place",
    "region",
    "organiser_centre",
    "organiser_division",
    "minutes",
    "decisions",
    "status",
)
ACTION_FIELDS = ("description", "responsible", "due_date", "status", "completed_on")
# An action item's 議題 is given by the item's 順番 (`agenda_position`): rows of a new meeting have no pk yet.
ACTION_INPUT_FIELDS = (*ACTION_FIELDS, "agenda_position")
AGENDA_FIELDS = (
    "position",
    "title",
    "notes",
    "indicator",
)  # the area is the meeting's (its region or 県全体)
CASE_FIELDS = (
    "age_band",
    "stay_band",
    "diagnosis_group",
    "barriers",
    "supports",
    "status",
    "discharge_month",
    "summary",
)


@dataclass
class ChildChange:
    """One row of the action-item or case formset: new (pk None), changed, or to be deleted."""

    pk: int | None
    fields: dict = field(default_factory=dict)
    delete: bool = False


class EditConflict(StaleVersionError):
    """Someone saved the meeting after the editor loaded it (the stored version moved on)."""

    message = "他の利用者が先にこの会議を保存しました。"

    def __init__(self, meeting: Meeting):
        super().__init__(meeting)
        self.meeting = meeting


# --- History: one flat state per meeting, children included --------------------------------


def _value(instance, name):
    model_field = instance._meta.get_field(name)
    if name == "barriers":
        return "、".join(choice_labels(Barrier, instance.barriers)) or None
    if name == "supports":
        return "、".join(choice_labels(Support, instance.supports)) or None
    if name == "discharge_month":
        return instance.discharge_month.strftime("%Y-%m") if instance.discharge_month else None
    return history._display(instance, model_field)


def _agenda_state(items, values: dict, labels: dict) -> None:
    item_labels = history.field_labels(AgendaItem)
    for item in items:
        for name in ("position", "title", "notes", "indicator"):
            key = f"agenda.{item.pk}.{name}"
            values[key] = _value(item, name)
            labels[key] = f"議題「{item.title[:20]}」：{item_labels[name]}"


def _state(meeting, participants: dict[str, int], actions, cases, followups, agenda=()) -> tuple[dict, dict]:
    """(values, labels) keyed `title`, `participants.peer`, `action.12.status`, `case.3.followup6.status`…"""
    values, labels = {}, {}
    _agenda_state(agenda, values, labels)
    agenda_titles = {item.pk: f"{item.position}. {item.title}" for item in agenda}
    meta_labels = history.field_labels(Meeting)
    for name in MEETING_FIELDS:
        values[name] = _value(meeting, name)
        labels[name] = meta_labels[name]
    values["version"] = meeting.version
    labels["version"] = "版"
    for category in OrganisationType:
        count = participants.get(category.value, 0)
        if count:
            values[f"participants.{category.value}"] = count
        labels[f"participants.{category.value}"] = f"参加者数：{category.label}"
    action_labels = history.field_labels(ActionItem)
    for item in actions:
        for name in ACTION_FIELDS:
            key = f"action.{item.pk}.{name}"
            values[key] = _value(item, name)
            labels[key] = f"対応事項「{item.description[:20]}」：{action_labels[name]}"
        key = f"action.{item.pk}.agenda_item"
        values[key] = agenda_titles.get(item.agenda_item_id)
        labels[key] = f"対応事項「{item.description[:20]}」：議題"
    case_labels = history.field_labels(CaseReview)
    followup_labels = history.field_labels(CaseFollowUp)
    for case in cases:
        for name in ("case_number", *CASE_FIELDS):
            key = f"case.{case.pk}.{name}"
            values[key] = _value(case, name)
            labels[key] = f"事例 {case.case_number}：{case_labels[name]}"
        for item in followups.get(case.pk, []):
            for name in ("status", "note"):
                key = f"case.{case.pk}.followup{item.months}.{name}"
                values[key] = _value(item, name)
                labels[key] = f"事例 {case.case_number}：追跡調査（{item.months}か月）{followup_labels[name]}"
    return values, labels


def meeting_state(meeting: Meeting) -> tuple[dict, dict]:
    """The stored state of a meeting and its children, for history and conflict messages."""
    participants = dict(meeting.participations.values_list("category", "count"))
    cases = list(meeting.cases.order_by("pk"))
    followups: dict[int, list] = {}
    for item in CaseFollowUp.objects.filter(case__meeting=meeting).order_by("months"):
        followups.setdefault(item.case_id, []).append(item)
    agenda = list(meeting.agenda_items.select_related("indicator").order_by("position", "pk"))
    actions = list(meeting.action_items.order_by("pk"))
    return _state(meeting, participants, actions, cases, followups, agenda)


def proposed_state(
    *,
    meeting: Meeting,
    fields: dict,
    participants: dict[str, int],
    actions: list[ChildChange],
    cases,
    agenda: list[ChildChange] | None = None,
    **_ignored,
) -> dict:
    """What the editor's (unsaved) input would store, in the same keys as `meeting_state`."""
    draft = Meeting(pk=meeting.pk, version=meeting.version, fiscal_year=meeting.fiscal_year)
    for name, value in fields.items():
        setattr(draft, name, value)
    stored_cases = {c.pk: c for c in meeting.cases.all()}
    draft_agenda = [AgendaItem(pk=a.pk, **a.fields) for a in agenda or [] if not a.delete and a.pk]
    by_position = {item.position: item.pk for item in draft_agenda}
    draft_actions = []
    for change in actions:
        if change.delete or not change.pk:
            continue
        data = {k: v for k, v in change.fields.items() if k != "agenda_position"}
        draft_actions.append(
            ActionItem(
                pk=change.pk, agenda_item_id=by_position.get(change.fields.get("agenda_position")), **data
            )
        )
    draft_cases = []
    for change in cases:
        if change.delete or change.pk not in stored_cases:
            continue
        case = CaseReview(pk=change.pk, case_number=stored_cases[change.pk].case_number, **change.fields)
        draft_cases.append(case)
    # The meeting page does not edit follow-ups: the editor's save keeps the stored ones.
    followups: dict[int, list] = {}
    for item in CaseFollowUp.objects.filter(case__meeting=meeting).order_by("months"):
        followups.setdefault(item.case_id, []).append(item)
    return _state(draft, participants, draft_actions, draft_cases, followups, draft_agenda)[0]


def conflict_rows(*, meeting: Meeting, loaded_version: int, proposed: dict) -> list[ConflictRow]:
    """Fields others changed since `loaded_version`: label, their (stored) value, the editor's value."""
    current, labels = meeting_state(meeting)
    return build_conflict_rows(
        changed=changed_since(meeting, loaded_version), current=current, proposed=proposed, labels=labels
    )


def followup_conflict_rows(
    *, case: CaseReview, meeting: Meeting, loaded_version: int, rows: dict[int, dict | None]
) -> list[ConflictRow]:
    """The case page's counterpart of `conflict_rows`: the editor's input is the case's follow-ups only."""
    current, labels = meeting_state(meeting)
    proposed = dict(current)
    followup_labels = history.field_labels(CaseFollowUp)
    for months, data in rows.items():
        item = CaseFollowUp(months=months, **(data or {}))
        for name in ("status", "note"):
            key = f"case.{case.pk}.followup{months}.{name}"
            labels.setdefault(
                key, f"事例 {case.case_number}：追跡調査（{months}か月）{followup_labels[name]}"
            )
            proposed[key] = _value(item, name) if data is not None else None
    return build_conflict_rows(
        changed=changed_since(meeting, loaded_version), current=current, proposed=proposed, labels=labels
    )


def action_conflict_rows(
    *, action: ActionItem, meeting: Meeting, loaded_version: int, fields: dict
) -> list[ConflictRow]:
    """The action page's counterpart of `conflict_rows`: the editor's input is this item's status, due
    date and completion date; everything else is proposed as stored."""
    current, labels = meeting_state(meeting)
    proposed = dict(current)
    draft = ActionItem(pk=action.pk, description=action.description, **fields)
    for name in fields:
        proposed[f"action.{action.pk}.{name}"] = _value(draft, name)
    return build_conflict_rows(
        changed=changed_since(meeting, loaded_version), current=current, proposed=proposed, labels=labels
    )


def _record(*, by, meeting, action, before: dict, before_labels: dict) -> ChangeRecord | None:
    after, after_labels = meeting_state(meeting)
    changes = history.diff(before, after, labels={**before_labels, **after_labels})
    if not changes and action == ChangeRecord.Action.UPDATE:
        return None
    return history.record_change(by=by, instance=meeting, action=action, changes=changes)


# --- Writes -------------------------------------------------------------------------------------


def _save_participants(meeting: Meeting, participants: dict[str, int]) -> None:
    valid = {c.value for c in OrganisationType}
    for category, count in participants.items():
        if category not in valid or count is None or count < 0:
            raise ValidationError("参加者数が正しくありません。")
    meeting.participations.exclude(category__in=[c for c, n in participants.items() if n]).delete()
    stored = {p.category: p for p in meeting.participations.all()}
    for category, count in participants.items():
        if not count:
            continue
        row = stored.get(category)
        if row is None:
            Participation.objects.create(meeting=meeting, category=category, count=count)
        elif row.count != count:
            row.count = count
            row.save(update_fields=["count"])


def _save_agenda(meeting: Meeting, items: list[ChildChange]) -> None:
    """Add, change or remove the meeting's agenda items; they are about the meeting's area."""
    stored = {a.pk: a for a in meeting.agenda_items.all()}
    for change in items:
        if change.pk is not None and change.pk not in stored:
            raise ValidationError("この会議の議題ではありません。")
        if change.delete:
            if change.pk is not None:
                stored[change.pk].delete()
            continue
        item = stored.get(change.pk) or AgendaItem(meeting=meeting, origin=AgendaOrigin.ENTERED)
        indicator_before = item.indicator_id
        for name, value in change.fields.items():
            setattr(item, name, value)
        item.region = meeting.region
        if item.is_frozen and item.indicator_id != indicator_before:
            item.thaw()  # about another indicator or area now: the snapshot is taken again below
        item.full_clean()
        item.save()
    positions = list(meeting.agenda_items.values_list("position", flat=True))
    if len(positions) != len(set(positions)):
        raise ValidationError("議題の順番が重複しています。番号を付け直してください。")


def _save_actions(meeting: Meeting, actions: list[ChildChange], *, date_changed: bool = True) -> None:
    """Rows are checked against the meeting's date when new, when their dates change, or when the
    meeting's date does: a stored row from before the rule (due before its meeting) never blocks
    editing the rest of the meeting."""
    stored = {a.pk: a for a in meeting.action_items.all()}
    agenda_by_position = {a.position: a for a in meeting.agenda_items.all()}
    for change in actions:
        if change.pk is not None and change.pk not in stored:
            raise ValidationError("この会議の対応事項ではありません。")
        if change.delete:
            if change.pk is not None:
                stored[change.pk].delete()
            continue
        item = stored.get(change.pk) or ActionItem(meeting=meeting)
        dates_before = (item.due_date, item.completed_on) if item.pk else None
        fields = dict(change.fields)
        if "agenda_position" in fields:
            position = fields.pop("agenda_position")
            if position and position not in agenda_by_position:
                raise ValidationError(
                    f"対応事項「{fields.get('description', item.description)}」の議題番号 {position} はありません。"
                )
            item.agenda_item = agenda_by_position.get(position) if position else None
        for name, value in fields.items():
            setattr(item, name, value)
        if date_changed or dates_before != (item.due_date, item.completed_on):
            _check_action_dates(item, meeting)
        item.full_clean()
        item.save()


def _check_action_dates(item: ActionItem, meeting: Meeting) -> None:
    """An action decided at the meeting is neither due nor done before it (meetings.sanity)."""
    problems = sanity.action_dates(
        description=item.description, due=item.due_date, completed=item.completed_on, meeting_day=meeting.date
    )
    if problems:
        raise ValidationError(list(problems.values()))


def _next_case_number(region: Region, fiscal_year: int) -> tuple[int, str]:
    Region.objects.select_for_update().filter(pk=region.pk).first()  # serialise numbering per region
    last = CaseReview.objects.filter(region=region, fiscal_year=fiscal_year).aggregate(m=Max("sequence"))["m"]
    sequence = (last or 0) + 1
    return sequence, f"{region.name}-{fiscal_year}-{sequence:03d}"


def _save_cases(meeting: Meeting, cases: list[ChildChange]) -> None:
    stored = {c.pk: c for c in meeting.cases.all()}
    live = [c for c in cases if not c.delete and c.pk is None]
    if (live or any(not c.delete for c in cases if c.pk)) and (
        meeting.kind not in CASE_KINDS or meeting.region_id is None
    ):
        raise ValidationError("事例は圏域の地域移行事例検討会にのみ登録できます。")
    for change in cases:
        if change.pk is not None and change.pk not in stored:
            raise ValidationError("この会議の事例ではありません。")
        if change.delete:
            if change.pk is not None:
                stored[change.pk].delete()
            continue
        case = stored.get(change.pk)
        if case is None:
            sequence, number = _next_case_number(meeting.region, meeting.fiscal_year)
            case = CaseReview(
                meeting=meeting,
                region=meeting.region,
                fiscal_year=meeting.fiscal_year,
                sequence=sequence,
                case_number=number,
            )
        for name, value in change.fields.items():
            setattr(case, name, value)
        case.full_clean()
        case.save()


def _apply_fields(meeting: Meeting, fields: dict) -> None:
    unknown = set(fields) - set(MEETING_FIELDS)
    if unknown:
        raise ValueError(f"unknown meeting fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(meeting, name, value)
    meeting.fiscal_year = fiscal.fiscal_year_of(meeting.date)
    meeting.prefecture_id = owning_prefecture_id(meeting.region)
    refusal = sanity.held_in_future(status=meeting.status, day=meeting.date, today=timezone.localdate())
    if refusal:
        raise ValidationError(refusal)


def _refresh_search_text(meeting: Meeting) -> None:
    """Title and every agenda item's title and notes, as the meeting search compares them."""
    parts = [meeting.title]
    for title, notes in meeting.agenda_items.order_by("position", "pk").values_list("title", "notes"):
        parts += [title, notes]
    text = search.search_text(*parts)
    if text != meeting.search_text:
        meeting.search_text = text
        meeting.save(update_fields=["search_text"])


def _check_cancelled(meeting: Meeting) -> None:
    """A 中止 meeting did not take place: no case was reviewed there (cases are counted as reviewed
    whatever the meeting's status, so one on a called-off meeting would be counted wrongly)."""
    if meeting.status == MeetingStatus.CANCELLED and meeting.cases.exists():
        raise ValidationError(
            "事例が登録された会議は「中止」にできません（中止にするなら、先に事例を削除してください）。"
        )


def _after_children_saved(meeting: Meeting) -> None:
    _check_cancelled(meeting)
    _refresh_search_text(meeting)
    agenda_rules.sync_snapshots(meeting)


@transaction.atomic
def meeting_create(
    *,
    by,
    fields: dict,
    participants: dict[str, int] | None = None,
    actions: list[ChildChange] | None = None,
    cases: list[ChildChange] | None = None,
    agenda: list[ChildChange] | None = None,
    proposals: list[int] | None = None,
    carry_over: bool = False,
) -> Meeting:
    """Create a meeting with its children; `proposals` are waiting dashboard proposals (ids) to put on
    its agenda, `carry_over` adds the 「前回からの継続」 item listing the open actions of earlier meetings."""
    meeting = Meeting(created_by=by if getattr(by, "pk", None) else None)
    _apply_fields(meeting, fields)
    check_region(by, meeting.region)
    meeting.full_clean()
    meeting.save()
    _save_participants(meeting, participants or {})
    _save_agenda(meeting, agenda or [])
    agenda_rules.attach_proposals(meeting, proposals or [])
    if carry_over:
        agenda_rules.add_carry_over(meeting)
    _save_actions(meeting, actions or [])
    _save_cases(meeting, cases or [])
    _after_children_saved(meeting)
    _record(by=by, meeting=meeting, action=ChangeRecord.Action.CREATE, before={}, before_labels={})
    return meeting


@transaction.atomic
def meeting_update(
    *,
    by,
    meeting_id: int,
    expected_version: int,
    fields: dict,
    participants: dict[str, int] | None = None,
    actions: list[ChildChange] | None = None,
    cases: list[ChildChange] | None = None,
    agenda: list[ChildChange] | None = None,
    **_create_only,
) -> Meeting:
    """Save an edit; raise EditConflict when the meeting was saved by someone else meanwhile."""
    meeting = Meeting.objects.select_for_update().alive().get(pk=meeting_id)
    check_region(by, meeting.region)
    if meeting.version != expected_version:
        raise EditConflict(meeting)
    before, before_labels = meeting_state(meeting)
    original_region_id, original_date = meeting.region_id, meeting.date
    _apply_fields(meeting, fields)
    check_region(by, meeting.region)
    if meeting.cases.exists() and (meeting.region_id != original_region_id or meeting.kind not in CASE_KINDS):
        raise ValidationError("事例が登録された会議の圏域・種別は変更できません。")
    meeting.full_clean()
    meeting.save()
    if participants is not None:
        _save_participants(meeting, participants)
    _save_agenda(meeting, agenda or [])
    _save_actions(meeting, actions or [], date_changed=meeting.date != original_date)
    _save_cases(meeting, cases or [])
    _after_children_saved(meeting)
    _record_step(by=by, meeting=meeting, before=before, before_labels=before_labels)
    return meeting


def _record_step(*, by, meeting: Meeting, before: dict, before_labels: dict) -> bool:
    """One version step and one history record for what changed since `before` (nothing when nothing did)."""
    after, after_labels = meeting_state(meeting)
    changes = history.diff(before, after, labels={**before_labels, **after_labels})
    if not changes:  # a save that changes nothing keeps its version and writes no history
        return False
    meeting.version += 1
    meeting.save(update_fields=["version", "updated_at"])
    changes["version"] = {"label": "版", "old": meeting.version - 1, "new": meeting.version}
    history.record_change(by=by, instance=meeting, action=ChangeRecord.Action.UPDATE, changes=changes)
    return True


@transaction.atomic
def meeting_delete(*, by, meeting: Meeting) -> Meeting:
    meeting = Meeting.objects.select_for_update().alive().get(pk=meeting.pk)
    check_region(by, meeting.region)
    meeting.deleted_at = timezone.now()
    meeting.deleted_by = by
    save_version_step(
        meeting,
        by=by,
        action=ChangeRecord.Action.DELETE,
        fields=["deleted_at", "deleted_by"],
        changes={"deleted": {"label": "削除", "old": None, "new": "削除済み"}},
    )
    return meeting


@transaction.atomic
def meeting_restore(*, by, meeting: Meeting) -> Meeting:
    if not roles.is_prefecture(by):
        raise PermissionDenied("削除した会議を復元できるのは県職員のみです。")
    meeting = Meeting.objects.select_for_update().deleted().get(pk=meeting.pk)
    meeting.deleted_at = None
    meeting.deleted_by = None
    save_version_step(
        meeting,
        by=by,
        action=ChangeRecord.Action.RESTORE,
        fields=["deleted_at", "deleted_by"],
        changes={"deleted": {"label": "削除", "old": "削除済み", "new": None}},
    )
    return meeting


@transaction.atomic
def case_followups_update(
    *,
    by,
    case: CaseReview,
    rows: dict[int, dict | None],
    today: date,
    expected_version: int | None = None,
) -> CaseReview:
    """Save the 3/6/12-month follow-ups of a case; a None row removes that follow-up.

    Follow-ups are part of the meeting's record (its history, its version): the meeting row is locked and
    `expected_version` (the meeting's version the case page was loaded with) checked, so a stale page or
    two first saves at once raise EditConflict instead of replacing the other's follow-ups.
    """
    meeting = Meeting.objects.select_for_update().get(pk=case.meeting_id)
    case = CaseReview.objects.get(pk=case.pk)
    case.meeting = meeting
    if meeting.is_deleted:
        raise ValidationError("削除された会議の事例は変更できません。")
    check_region(by, case.region)
    if expected_version is not None and meeting.version != expected_version:
        raise EditConflict(meeting)
    before, before_labels = meeting_state(meeting)
    stored = {f.months: f for f in case.followups.all()}
    for months, data in rows.items():
        if months not in CaseFollowUp.Months.values:
            raise ValidationError("追跡調査の時期が正しくありません。")
        if data is None:
            if months in stored:
                stored[months].delete()
            continue
        if case.discharge_month is None:
            raise ValidationError(sanity.NO_DISCHARGE_MONTH)
        if fiscal.add_months(case.discharge_month, months) > today:
            raise ValidationError(f"退院後{months}か月はまだ来ていません。")
        item = stored.get(months) or CaseFollowUp(case=case, months=months)
        item.status = data["status"]
        item.note = data.get("note", "")
        item.full_clean()
        if item.pk is None:
            insert_or_conflict(item, stored=lambda: Meeting.objects.get(pk=meeting.pk))
        else:
            item.save()
    _record_step(by=by, meeting=meeting, before=before, before_labels=before_labels)
    return case


# --- The PDCA loop: proposals from the dashboard, and closing an action item on its own -----------


@dataclass
class Proposal:
    item: AgendaItem
    meeting: Meeting | None  # None: waiting for the region's next 圏域連絡調整会議 to be planned
    already: bool = False  # the indicator was already proposed and not yet discussed


@transaction.atomic
def agenda_propose(*, by, indicator, region: Region, today: date) -> Proposal:
    """「次の会議の議題にする」: an indicator behind target goes on the region's next planned
    圏域連絡調整会議, or waits on the region's list until one is planned. Proposing again what is
    already waiting or on a planned meeting's agenda adds nothing."""
    check_region(by, region)
    Region.objects.select_for_update().filter(pk=region.pk).first()  # one proposal at a time per region
    standing = agenda_rules.standings([(indicator, region)], on=today, basis=agenda_rules.basis_for())[
        (indicator.pk, region.pk)
    ]
    if not standing.is_not_met:
        raise ValidationError(
            f"{region.full_name}の「{indicator.name_ja}」は目標を下回っていないため、議題として提案できません"
            f"（現在の状況：{standing.status_label}）。"
        )
    pending = (
        AgendaItem.objects.pending()
        .filter(indicator=indicator, region=region)
        .select_related("meeting")
        .order_by("pk")
        .first()
    )
    if pending is not None:
        return Proposal(item=pending, meeting=pending.meeting, already=True)
    # The title is kept and read by everyone: a small count goes into it as the public sees it (「＊」).
    value = small_counts.public(standing.value_cell)
    title = f"{indicator.name_ja}が目標に届いていない（{value}、目標 {standing.target_text}）"
    item = AgendaItem(
        region=region,
        indicator=indicator,
        title=title[:200],
        origin=AgendaOrigin.PROPOSED,
        proposed_by=by,
        proposed_at=timezone.now(),
    )
    meeting = agenda_rules.next_planned_meeting(region, today=today)
    if meeting is None:
        item.full_clean()
        item.save()
        history.record_create(by=by, instance=item)
        return Proposal(item=item, meeting=None)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    before, before_labels = meeting_state(meeting)
    item.meeting = meeting
    item.position = agenda_rules.next_position(meeting)
    item.full_clean()
    item.save()
    _after_children_saved(meeting)
    _record_step(by=by, meeting=meeting, before=before, before_labels=before_labels)
    return Proposal(item=item, meeting=meeting)


@transaction.atomic
def agenda_withdraw(*, by, item: AgendaItem) -> None:
    """Withdraw a proposal still waiting for a meeting (one on a meeting is removed by editing it)."""
    item = AgendaItem.objects.select_for_update().waiting().get(pk=item.pk)
    check_region(by, item.region)
    history.record_change(
        by=by,
        instance=item,
        action=ChangeRecord.Action.DELETE,
        changes={"deleted": {"label": "提案の取り下げ", "old": item.title, "new": None}},
    )
    item.delete()


@transaction.atomic
def action_update(*, by, action: ActionItem, fields: dict, expected_version: int) -> ActionItem:
    """Change one action item's status, completion date or due date from its own page (closing an item
    carried over to a later meeting happens here, on the item itself). Versioned with its meeting."""
    unknown = set(fields) - {"status", "completed_on", "due_date"}
    if unknown:
        raise ValueError(f"unknown action fields: {sorted(unknown)}")
    meeting = Meeting.objects.select_for_update().alive().get(pk=action.meeting_id)
    check_region(by, meeting.region)
    if meeting.version != expected_version:
        raise EditConflict(meeting)
    before, before_labels = meeting_state(meeting)
    action = meeting.action_items.get(pk=action.pk)
    dates_before = (action.due_date, action.completed_on)
    for name, value in fields.items():
        setattr(action, name, value)
    if dates_before != (action.due_date, action.completed_on):
        _check_action_dates(action, meeting)
    action.full_clean()
    action.save()
    _record_step(by=by, meeting=meeting, before=before, before_labels=before_labels)
    return action
