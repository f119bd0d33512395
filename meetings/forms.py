"""Forms for the meeting page (meeting + participant counts + action items + cases), filters and follow-ups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from crispy_forms.layout import HTML, Div, Field, Layout
from django import forms
from django.core.validators import MinValueValidator
from django.db.models import Count
from django.forms import inlineformset_factory
from django.forms.utils import ErrorDict
from django.utils import timezone

from accounts import roles
from core import fiscal
from core.forms import (
    Cell,
    ConfirmableMixin,
    ConfirmField,
    OrganisationCountsForm,
    OwnRowsInlineFormSet,
    PortalForm,
    PortalModelForm,
    VersionedModelForm,
    VersionField,
    inline_helper,
)
from core.listing import bounded_int, id_param
from indicators.models import Indicator
from meetings import agenda as agenda_rules
from meetings import sanity
from meetings.models import (
    CASE_KINDS,
    DISCHARGED_STATUSES,
    ORGANISER_DIVISION_CHOICES,
    ActionItem,
    ActionStatus,
    AgendaItem,
    Barrier,
    CaseFollowUp,
    CaseReview,
    FollowUpStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Support,
)
from meetings.services import (
    ACTION_FIELDS,
    ACTION_INPUT_FIELDS,
    AGENDA_FIELDS,
    CASE_FIELDS,
    MEETING_FIELDS,
    ChildChange,
)
from meetings.validators import validate_no_identifiers
from regions.models import HealthCentre, PrefectureDivision, Region, region_full_name

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONTH_INPUT = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
ORGANISER_FIELDS = ("organiser_centre", "organiser_division")
FIRST_FISCAL_YEAR = 2009  # H21: 地域移行推進員 were placed; the portal's oldest records


def fiscal_year_choices() -> list[tuple[str, str]]:
    current = fiscal.fiscal_year_of(timezone.localdate())
    return [("", "すべての年度")] + [
        (str(y), f"{fiscal.fiscal_year_label(y)}（{y}年度）")
        for y in range(current + 1, FIRST_FISCAL_YEAR - 1, -1)
    ]


class MeetingForm(ConfirmableMixin, VersionedModelForm):
    organiser = forms.ChoiceField(label="主催")
    # Warn-and-confirm (meetings.sanity): drawn only when the page asks, or while ticked.
    confirm_no_participants = ConfirmField(sanity.NO_PARTICIPANTS_CONFIRM)
    discard_cases = ConfirmField(sanity.CASES_DISCARD_CONFIRM)

    class Meta:
        model = Meeting
        fields = [name for name in MEETING_FIELDS if name not in ORGANISER_FIELDS]  # `organiser` picks one
        widgets = {
            "date": DATE_INPUT,
            "start_time": TIME_INPUT,
            "end_time": TIME_INPUT,
            "minutes": forms.Textarea(attrs={"rows": 5}),
            "decisions": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        region_ids = roles.editable_region_ids(user)
        self.fields["kind"].help_text = "事例検討の入力欄は「地域移行事例検討会」のときだけ表示されます。"
        region_field = self.fields["region"]
        if region_ids is None:
            region_field.empty_label = "県全域（圏域を指定しない）"
        else:
            region_field.queryset = Region.objects.filter(pk__in=region_ids)
            region_field.required = True
            region_field.empty_label = None
            region_field.help_text = "所属保健所が所管する圏域から選びます。"
        centres = list(HealthCentre.objects.order_by("display_order", "code"))
        self.fields["organiser"].choices = [
            ("保健所・健康福祉センター", [(f"centre:{c.pk}", c.name) for c in centres]),
            ("県", [(f"division:{v}", label) for v, label in ORGANISER_DIVISION_CHOICES]),
        ]
        meeting = self.instance
        if meeting.pk:
            self.initial["organiser"] = (
                f"centre:{meeting.organiser_centre_id}"
                if meeting.organiser_centre_id
                else f"division:{meeting.organiser_division}"
            )
        else:
            centre = roles.health_centre_of(user)
            self.initial.setdefault(
                "organiser",
                f"centre:{centre.pk}" if centre else f"division:{PrefectureDivision.DISABILITY_SUPPORT}",
            )

    def clean_organiser(self):
        value = self.cleaned_data["organiser"]
        kind, _, key = value.partition(":")
        if kind == "centre":
            centre = HealthCentre.objects.filter(pk=key).first()
            if centre is None:
                raise forms.ValidationError("主催の保健所を選んでください。")
            return centre, ""
        if kind == "division" and key in PrefectureDivision.values:
            return None, key
        raise forms.ValidationError("主催を選んでください。")

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end < start:
            self.add_error("end_time", "終了時刻は開始時刻より後にしてください。")
        refusal = sanity.held_in_future(
            status=data.get("status"), day=data.get("date"), today=timezone.localdate()
        )
        if refusal:
            self.add_error("status", refusal)
        return data

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["organiser_centre"], data["organiser_division"] = data.pop("organiser")
        return {name: data[name] for name in MEETING_FIELDS}


class ParticipantsForm(OrganisationCountsForm):
    """The meeting's participant counts: the shared counts form, filled from the stored participations."""

    def __init__(self, *args, meeting: Meeting | None = None, **kwargs):
        stored = (
            dict(meeting.participations.values_list("category", "count")) if meeting and meeting.pk else {}
        )
        super().__init__(*args, initial_counts=stored, **kwargs)
        for field in self.fields.values():
            field.error_messages["min_value"] = "人数は0以上で入力してください。"


class AgendaItemForm(PortalModelForm):
    """One row of the agenda table: 順番, 議題, 関連する指標, 内容・メモ."""

    class Meta:
        model = AgendaItem
        fields = list(AGENDA_FIELDS)
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 2}),
            "position": forms.NumberInput(attrs={"min": 1}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        indicator = self.fields["indicator"]
        indicator.queryset = Indicator.objects.filter(is_active=True).order_by("display_order", "code")
        indicator.empty_label = "（指標に関する議題ではない）"
        position = self.fields["position"]
        position.required = False  # a row added in the browser gets the next number when saved
        position.min_value = 1
        position.validators.append(MinValueValidator(1))
        position.error_messages["min_value"] = "順番は1以上の数で入力してください。"
        cells = [
            Cell(name, css_class=_small(field), aria_label=field.label) for name, field in self.fields.items()
        ]
        delete = Cell("DELETE", aria_label="この議題を削除") if self.instance.pk else HTML("<td></td>")
        self.helper = inline_helper(form_show_labels=False, layout=Layout(*cells, delete))

    def has_changed(self):
        # A blank extra row carries a pre-filled 順番 only: it is not an item the user entered.
        return bool(set(self.changed_data) - {"position"}) or bool(self.instance.pk and self.changed_data)


class _AgendaBaseFormSet(OwnRowsInlineFormSet):
    def get_queryset(self):
        return super().get_queryset().select_related("indicator").order_by("position", "pk")

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if form.instance.pk is None and not form.initial.get("position"):
            form.initial["position"] = i + 1
        return form

    def clean(self):
        super().clean()
        positions = {}
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            if form.instance.pk is None and not form.has_changed():
                continue
            position = form.cleaned_data.get("position")
            if position is None:
                continue
            if position in positions:
                form.add_error("position", f"順番 {position} が重複しています。")
            positions[position] = form
        for form in self.forms:  # rows without a number go after the numbered ones, in row order
            data = getattr(form, "cleaned_data", None)
            if data and not data.get("DELETE") and data.get("title") and data.get("position") is None:
                data["position"] = max(positions, default=0) + 1
                positions[data["position"]] = form
        self.positions = set(positions)


AgendaItemFormSet = inlineformset_factory(
    Meeting,
    AgendaItem,
    form=AgendaItemForm,
    formset=_AgendaBaseFormSet,
    extra=2,
    can_delete=True,
    max_num=40,
    validate_max=True,
)


class ActionItemForm(PortalModelForm):
    agenda_position = forms.TypedChoiceField(label="議題", required=False, coerce=int, empty_value=None)

    class Meta:
        model = ActionItem
        fields = list(ACTION_FIELDS)
        widgets = {"due_date": DATE_INPUT, "completed_on": DATE_INPUT}

    def __init__(self, *args, agenda_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.pop("agenda_position")
        field.choices = [("", "（議題を指定しない）"), *agenda_choices]
        field.error_messages["invalid_choice"] = "議題 %(value)s は議題の表にありません。"
        if self.instance.pk and self.instance.agenda_item_id:
            field.initial = self.instance.agenda_item.position
        self.fields = {"agenda_position": field, **self.fields}
        # Shown as a table row: the column header is the visible label. Only a stored row can be
        # deleted (the formset adds DELETE after this, so the layout names it by name).
        cells = [
            Cell(name, css_class=_small(field), aria_label=field.label) for name, field in self.fields.items()
        ]
        delete = Cell("DELETE", aria_label="この対応事項を削除") if self.instance.pk else HTML("<td></td>")
        self.helper = inline_helper(form_show_labels=False, layout=Layout(*cells, delete))

    def clean(self):
        data = super().clean()
        _check_completion(self, data)
        return data


def _check_completion(form, data) -> None:
    """完了 needs a 完了日, and only 完了 has one (the model's constraint, said beside the field)."""
    status, completed_on = data.get("status"), data.get("completed_on")
    if status == ActionStatus.DONE and not completed_on:
        form.add_error("completed_on", "状況が「完了」のときは完了日を入力してください。")
    if completed_on and status and status != ActionStatus.DONE:
        form.add_error("completed_on", "完了日は状況が「完了」のときだけ入力してください。")


def _check_action_dates(form, data, *, meeting_day, description) -> bool:
    """期限 and 完了日 not before the meeting that decided the action (meetings.sanity): refused beside the
    field, the message naming the row."""
    problems = sanity.action_dates(
        description=description,
        due=data.get("due_date"),
        completed=data.get("completed_on"),
        meeting_day=meeting_day,
    )
    for field, message in problems.items():
        if field in form.fields and not form.has_error(field):
            form.add_error(field, message)
    return not problems


class ActionUpdateForm(PortalModelForm):
    """An action item's own page: 状況, 完了日 and 期限 — closing an item carried over to later meetings
    happens here. `version` is the meeting's (action items are versioned with their meeting)."""

    version = VersionField()

    class Meta:
        model = ActionItem
        fields = ["status", "completed_on", "due_date"]
        widgets = {"due_date": DATE_INPUT, "completed_on": DATE_INPUT}
        help_texts = {"completed_on": "状況を「完了」にするときに入力します。"}

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting_date = meeting.date
        self.initial["version"] = meeting.version
        self.helper = inline_helper(
            layout=Layout(
                Div(
                    Field("status", wrapper_class="col-sm-4"),
                    Field("completed_on", wrapper_class="col-sm-4"),
                    Field("due_date", wrapper_class="col-sm-4"),
                    css_class="row",
                )
            )
        )

    def clean(self):
        data = super().clean()
        _check_completion(self, data)
        if {"due_date", "completed_on"} & set(self.changed_data):  # a legacy row's status can still change
            _check_action_dates(
                self, data, meeting_day=self.meeting_date, description=self.instance.description
            )
        return data

    @property
    def loaded_version(self) -> int:
        """Only after is_valid(). A page posted without a version is treated as loaded before any save."""
        return self.cleaned_data.get("version") or 0

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class RowIdChoiceField(forms.ModelChoiceField):
    """A row picked by id: anything that cannot be an id (text, a number past the table's ids, which
    would overflow the query) is "not found", as a missing row is."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        row_id = id_param(value)
        if row_id is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(row_id)


class ProposalForm(PortalForm):
    """「次の会議の議題にする」 as the dashboard posts it: the indicator, the region, and where to go back."""

    indicator = RowIdChoiceField(
        label="指標",
        queryset=Indicator.objects.filter(is_active=True),
        error_messages={"invalid_choice": "指標が見つかりません。", "required": "指標を指定してください。"},
    )
    region = RowIdChoiceField(
        label="圏域",
        queryset=Region.objects.all(),
        error_messages={"invalid_choice": "圏域が見つかりません。", "required": "圏域を指定してください。"},
    )
    # `next` (where to go back) is read by the view, which keeps it only when it is a page of this site.

    def __init__(self, *args, prefecture, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.filter(prefecture=prefecture)


class CaseReviewForm(PortalModelForm):
    barriers = forms.MultipleChoiceField(
        label="退院を妨げる要因", choices=Barrier.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    supports = forms.MultipleChoiceField(
        label="予定する支援", choices=Support.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    discharge_month = forms.DateField(
        label="退院年月",
        required=False,
        input_formats=["%Y-%m", "%Y-%m-%d", "%Y/%m"],
        widget=MONTH_INPUT,
        help_text="年月のみ（例: 2022-10）",
        error_messages={"invalid": "退院年月は 2022-10 のように入力してください。"},
    )

    class Meta:
        model = CaseReview
        fields = list(CASE_FIELDS)
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The formset adds DELETE after this; only a stored case can be deleted.
        self.helper = inline_helper(
            layout=Layout(
                Div(
                    Field("age_band", wrapper_class="col-md-3"),
                    Field("stay_band", wrapper_class="col-md-3"),
                    Field("diagnosis_group", wrapper_class="col-md-6"),
                    Field("barriers", wrapper_class="col-md-6 checkbox-inline-group"),
                    Field("supports", wrapper_class="col-md-6 checkbox-inline-group"),
                    Field("status", wrapper_class="col-md-3"),
                    Field("discharge_month", wrapper_class="col-md-3"),
                    Field("summary", wrapper_class="col-12"),
                    css_class="row",
                ),
                *([Field("DELETE")] if self.instance.pk else []),
            )
        )

    def clean_discharge_month(self):
        value = self.cleaned_data.get("discharge_month")
        return value.replace(day=1) if value else None

    def clean(self):
        data = super().clean()
        if data.get("status") in DISCHARGED_STATUSES and not data.get("discharge_month"):
            self.add_error("discharge_month", "退院した事例には退院年月を入力してください。")
        return data


def _small(field) -> str:
    return "form-select-sm" if isinstance(field.widget, forms.Select) else "form-control-sm"


class _ActionBaseFormSet(OwnRowsInlineFormSet):
    def __init__(self, *args, agenda_choices=(), **kwargs):
        self.agenda_choices = list(agenda_choices)
        super().__init__(*args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().select_related("agenda_item")

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "agenda_choices": self.agenda_choices}


ActionItemFormSet = inlineformset_factory(
    Meeting,
    ActionItem,
    form=ActionItemForm,
    formset=_ActionBaseFormSet,
    extra=2,
    can_delete=True,
    max_num=50,
    validate_max=True,
)


class _CaseReviewBaseFormSet(OwnRowsInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "この事例を削除する"


CaseReviewFormSet = inlineformset_factory(
    Meeting,
    CaseReview,
    form=CaseReviewForm,
    formset=_CaseReviewBaseFormSet,
    extra=1,
    can_delete=True,
    max_num=30,
    validate_max=True,
)


def _agenda_choices(meeting: Meeting, data) -> list[tuple[int, str]]:
    """The action rows' 議題 choices: the agenda rows by 順番 — as posted (a new meeting's rows have no pk
    yet), else as stored."""
    if data is not None:
        total = bounded_int(data.get("agenda-TOTAL_FORMS"), minimum=0, maximum=AgendaItemFormSet.max_num) or 0
        rows = []
        for i in range(total):
            title = (data.get(f"agenda-{i}-title") or "").strip()
            position = bounded_int(data.get(f"agenda-{i}-position"), minimum=1, maximum=32_767)
            if title and position:
                rows.append((position, f"{position}. {title[:30]}"))
        return sorted(set(rows))
    if meeting.pk is None:
        return []
    return [
        (a.position, f"{a.position}. {a.title[:30]}") for a in meeting.agenda_items.order_by("position", "pk")
    ]


def _changes(formset, fields) -> list[ChildChange]:
    rows = []
    for form in formset.forms:
        pk = form.instance.pk
        if pk is None and not form.has_changed():
            continue
        delete = bool(formset.can_delete and form.cleaned_data.get("DELETE"))
        if pk is None and delete:
            continue
        rows.append(
            ChildChange(
                pk=pk, delete=delete, fields={} if delete else {f: form.cleaned_data[f] for f in fields}
            )
        )
    return rows


class AgendaOffersForm(PortalForm):
    """What a new meeting is offered for its agenda: the proposals waiting on its region's list, and
    the 「前回からの継続」 item listing the open action items of earlier meetings of the same kind.

    `region` and `kind` are the meeting's when the page knows them (a link's starting values, the
    posted form, or the one region a health centre writes to): then only that region's proposals are
    offered (and ticked) and the preview lists the very items the carry-over will hold."""

    proposals = forms.TypedMultipleChoiceField(
        label="提案されている議題", required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    carry_over = forms.BooleanField(
        label="前回からの継続（未完了の対応事項）を議題に加える",
        required=False,
        initial=True,
        help_text="同じ圏域・同じ種別のこれまでの会議（開催日まで）で未完了の対応事項を一覧にした議題を加えます。"
        "対応事項を完了にするのは、それぞれの対応事項のページです。",
    )

    def __init__(self, *args, user, region: Region | None = None, kind: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.region, self.kind = region, kind
        waiting = (
            AgendaItem.objects.alive()
            .waiting()
            .restrict(user, "change")  # staff: their regions' proposals only
            .select_related("region", "indicator", "proposed_by")
        )
        self.waiting = list(waiting.order_by("region__display_order", "proposed_at", "pk"))
        # Posted: every proposal the user may attach is a valid choice, so that one of another region
        # than the meeting's is refused with the reason (MeetingEditor) rather than "not a choice".
        offered = self.waiting
        if region is not None and not self.is_bound:
            offered = [item for item in self.waiting if item.region_id == region.pk]
        self.offered = offered
        one_region = len({item.region_id for item in offered}) == 1
        self.fields["proposals"].choices = [
            (item.pk, item.title if one_region else f"{item.region.full_name}：{item.title}")
            for item in offered
        ]
        self.fields["proposals"].initial = [item.pk for item in offered] if one_region else []

    @property
    def kind_label(self) -> str:
        return dict(MeetingKind.choices).get(self.kind, "")

    def carry_over_items(self):
        """The open action items 「前回からの継続」 would list, when the meeting's region and kind are known."""
        if self.region is None or not self.kind:
            return None
        return list(agenda_rules.open_actions_before(region=self.region, kind=self.kind, before=date.max))

    def carry_over_preview(self) -> list[tuple[str, str, int]]:
        """(region, kind, open action items) of the regions the user writes to, before the meeting's
        region and kind are chosen: 「前回からの継続」 will list those of the chosen ones."""
        grouped = (
            ActionItem.objects.alive()
            .open()
            .restrict(self.user, "change")
            .filter(meeting__region__isnull=False)
            .order_by()
            .values("meeting__region__display_order", "meeting__region__name", "meeting__kind")
            .annotate(n=Count("pk"))
            .order_by("meeting__region__display_order", "meeting__kind")
        )
        kinds = dict(MeetingKind.choices)
        return [
            (region_full_name(row["meeting__region__name"]), kinds[row["meeting__kind"]], row["n"])
            for row in grouped
        ]

    def clean(self):
        data = super().clean()
        chosen = [item for item in self.waiting if item.pk in set(data.get("proposals") or [])]
        self.chosen_regions = {item.region_id for item in chosen}
        return data


def creation_initial(query, *, region_field) -> dict:
    """The meeting page's starting values from a link (the proposals list's 「この圏域の会議を登録」):
    `region`, `kind` and `status`, each kept only when it is one of the form's choices; anything else
    in the query string is ignored."""
    initial = {}
    region_id = id_param(query.get("region"))
    if region_id is not None:
        region = region_field.queryset.filter(pk=region_id).first()
        if region is not None:
            initial["region"] = region
    if query.get("kind") in MeetingKind.values:
        initial["kind"] = query["kind"]
    if query.get("status") in MeetingStatus.values:
        initial["status"] = query["status"]
    return initial


def _without_errors(formset) -> None:
    """Draw a bound formset as posted with no errors. Setting the error caches empty is how a bound
    Django form is drawn without cleaning it."""
    for form in formset.forms:
        form._errors, form.cleaned_data = ErrorDict(), {}
    formset._errors = [form._errors for form in formset.forms]
    formset._non_form_errors = formset.error_class()


class MeetingEditor:
    """The meeting page's forms together: meeting, participant counts, action items, cases.

    The case section belongs to the kinds that take cases (`CASE_KINDS`). Its rows are validated only
    for those kinds; on another kind, rows typed into it are never dropped silently: the page is refused
    with 「この種別では事例を登録しません…」 until the kind is changed or 「入力した事例を破棄して保存する」
    is ticked. A page posted with `_rekind` (「種別を変更して表示し直す」, the path without JavaScript) is
    only shown again for the kind chosen: everything typed kept, nothing validated or saved.
    """

    REKIND = "_rekind"

    def __init__(self, *, user, meeting: Meeting | None = None, data=None, query=None):
        meeting = meeting or Meeting()
        self.meeting = meeting
        # As stored: the form writes the posted values into `meeting` while it validates.
        self.stored_status = meeting.status if meeting.pk else None
        self.stored_without_participants = bool(
            meeting.pk and not meeting.participations.filter(count__gt=0).exists()
        )
        self.rekind = data is not None and self.REKIND in data
        self.form = MeetingForm(data, instance=meeting, user=user)
        if meeting.pk is None and data is None and query:
            self.form.initial.update(creation_initial(query, region_field=self.form.fields["region"]))
        self.participants = ParticipantsForm(data, meeting=meeting, prefix="p")
        self.agenda = AgendaItemFormSet(data, instance=meeting, prefix="agenda")
        self.actions = ActionItemFormSet(
            data, instance=meeting, prefix="actions", agenda_choices=_agenda_choices(meeting, data)
        )
        self.cases = CaseReviewFormSet(data, instance=meeting, prefix="cases")
        # Offered only when a meeting is created: later, its agenda is edited row by row.
        self.offers = None
        if meeting.pk is None:
            region, kind = self._region_and_kind(data)
            self.offers = AgendaOffersForm(data, user=user, prefix="offer", region=region, kind=kind)

    def _region_and_kind(self, data) -> tuple[Region | None, str | None]:
        """The new meeting's region and kind as far as the page knows them (posted, or starting values;
        a health centre writing to one region: that one)."""
        field = self.form.fields["region"]
        if data is not None:
            region_id = id_param(data.get("region"))
            region = field.queryset.filter(pk=region_id).first() if region_id else None
            kind = data.get("kind")
        else:
            region, kind = self.form.initial.get("region"), self.form.initial.get("kind")
            if region is None and not field.empty_label:
                regions = list(field.queryset[:2])
                region = regions[0] if len(regions) == 1 else None
        return region, kind if kind in MeetingKind.values else None

    @property
    def kind(self) -> str | None:
        """The kind the page is for: as posted, else the starting value or the stored one."""
        if self.form.is_bound:
            return self.form.data.get("kind")
        return self.form.initial.get("kind") or None

    @property
    def kind_label(self) -> str:
        return dict(MeetingKind.choices).get(self.kind, "")

    case_kinds = " ".join(CASE_KINDS)  # for the page's script (data-case-kinds)

    @property
    def takes_cases(self) -> bool:
        return self.kind in CASE_KINDS

    def typed_cases(self) -> list:
        """Case rows holding something: stored ones, and new ones the user typed into."""
        if not self.cases.is_bound:
            return [form for form in self.cases.forms if form.instance.pk]
        return [form for form in self.cases.forms if form.instance.pk or form.has_changed()]

    @property
    def show_cases(self) -> bool:
        """Whether the case section is drawn visible: for a kind that takes cases, and whenever it holds
        something (so that typed cases are seen, not hidden, when the kind no longer takes them)."""
        return self.takes_cases or bool(self.typed_cases())

    def is_valid(self) -> bool:
        if self.rekind:  # shown again for the kind chosen: not a save
            return False
        valid = all(
            [
                self.form.is_valid(),
                self.participants.is_valid(),
                self.agenda.is_valid(),
                self.actions.is_valid(),
                # Rows of a kind without cases are not checked: they are refused or discarded whole.
                not self.takes_cases or self.cases.is_valid(),
                self.offers is None or self.offers.is_valid(),
            ]
        )
        if not self.takes_cases:
            _without_errors(self.cases)  # drawn as typed: refused or discarded whole, never field by field
        valid = self._action_dates_valid() and valid
        if not valid:
            return False
        if not self._agenda_references_valid():
            return False
        if not self._cases_valid():
            return False
        # Warnings last: asked only of a page that is otherwise ready to save.
        return self._participants_confirmed()

    def _action_dates_valid(self) -> bool:
        """Rows checked against the meeting's date: new ones, those whose dates change, and every row
        when the meeting's date changes (a stored row from before the rule never blocks other edits)."""
        day = self.form.cleaned_data.get("date") if hasattr(self.form, "cleaned_data") else None
        date_changed = "date" in self.form.changed_data or self.form.instance.pk is None
        valid = True
        for form in self.actions.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or (form.instance.pk is None and not form.has_changed()):
                continue
            dates_changed = {"due_date", "completed_on"} & set(form.changed_data)
            if form.instance.pk is not None and not (date_changed or dates_changed):
                continue
            valid = (
                _check_action_dates(form, data, meeting_day=day, description=data.get("description") or "")
                and valid
            )
        return valid

    def _cases_valid(self) -> bool:
        data = self.form.cleaned_data
        typed = self.typed_cases()
        if not typed:
            return True
        if not self.takes_cases:
            if any(form.instance.pk for form in typed):
                self.form.add_error(
                    "kind",
                    "事例が登録された会議の種別は変更できません（変更するなら、先に事例を削除してください）。",
                )
                return False
            message = (
                f"{sanity.CASES_NOT_TAKEN}事例を登録するなら種別を「{MeetingKind.CASE_REVIEW.label}」にしてください。"
                f"事例を登録しないなら「{sanity.CASES_DISCARD_CONFIRM}」にチェックしてください。"
            )
            return not self.form.needs_confirmation("discard_cases", message)
        if not data.get("region") and any(not c.delete for c in self.case_changes()):
            self.form.add_error(
                "region", "事例は圏域の会議にのみ登録できます。事例を検討した圏域を選んでください。"
            )
            return False
        return True

    def _participants_confirmed(self) -> bool:
        status = self.form.cleaned_data.get("status")
        if not sanity.held_without_participants(status=status, total=self.participants.total()):
            return True
        if self.stored_status == MeetingStatus.HELD and self.stored_without_participants:
            return True  # stored so before: not asked on every edit (meetings.sanity)
        return not self.form.needs_confirmation("confirm_no_participants", sanity.NO_PARTICIPANTS)

    def without_errors(self) -> None:
        """Draw the posted page again as typed, with no errors (`_rekind`: nothing was validated)."""
        for form in (self.form, self.participants, self.offers):
            if form is not None:
                form._errors, form.cleaned_data = ErrorDict(), {}
        for formset in (self.agenda, self.actions, self.cases):
            _without_errors(formset)

    def _agenda_references_valid(self) -> bool:
        valid = True
        for form in self.actions.forms:
            position = form.cleaned_data.get("agenda_position") if hasattr(form, "cleaned_data") else None
            if position and position not in self.agenda.positions:
                form.add_error("agenda_position", f"議題 {position} は議題の表にありません。")
                valid = False
        region = self.form.cleaned_data.get("region")
        if self.offers is not None and self.offers.chosen_regions - {getattr(region, "pk", None)}:
            self.offers.add_error(
                "proposals", "提案された議題は、その圏域の会議にだけ加えられます（圏域を確認してください）。"
            )
            valid = False
        return valid

    def action_changes(self):
        return _changes(self.actions, ACTION_INPUT_FIELDS)

    def agenda_changes(self):
        return _changes(self.agenda, AGENDA_FIELDS)

    def case_changes(self):
        if not self.takes_cases:  # refused above unless 「入力した事例を破棄して保存する」: none is saved
            return []
        return _changes(self.cases, CASE_FIELDS)

    def service_kwargs(self) -> dict:
        return {
            "fields": self.form.service_fields(),
            "participants": self.participants.counts(),
            "agenda": self.agenda_changes(),
            "actions": self.action_changes(),
            "cases": self.case_changes(),
            **(
                {
                    "proposals": self.offers.cleaned_data["proposals"],
                    "carry_over": self.offers.cleaned_data["carry_over"],
                }
                if self.offers is not None
                else {}
            ),
        }

    @property
    def loaded_version(self) -> int | None:
        return self.form.loaded_version


class FollowUpForm(PortalForm):
    status = forms.ChoiceField(
        label="状況", required=False, choices=[("", "未記録"), *FollowUpStatus.choices]
    )
    note = forms.CharField(
        label="備考",
        required=False,
        max_length=1000,
        validators=[validate_no_identifiers],
        widget=forms.TextInput,
    )

    def __init__(self, *args, period_label: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        # One row of the follow-up table: the row's <th> (the period) is the visible label.
        self.helper = inline_helper(
            form_show_labels=False,
            layout=Layout(
                Cell("status", css_class="form-select-sm", aria_label=f"{period_label}の状況"),
                Cell("note", css_class="form-control-sm", aria_label=f"{period_label}の備考"),
            ),
        )

    def clean(self):
        data = super().clean()
        if data.get("note") and not data.get("status"):
            self.add_error("status", "備考を記録するときは状況も選んでください。")
        return data


class FollowUpVersionForm(PortalForm):
    """The meeting version the case page was loaded with (follow-ups are versioned with their meeting)."""

    version = VersionField()

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["version"] = meeting.version

    @property
    def loaded_version(self) -> int:
        """Only after is_valid(). A page posted without a version is treated as loaded before any save."""
        return self.cleaned_data.get("version") or 0


@dataclass(frozen=True)
class FollowUpRow:
    """One period of a case's follow-up table: its form, or None while the period has not come
    (`opens_on`, 退院年月 + months) and nothing is stored for it — a form the service would refuse is
    not offered."""

    months: int
    label: str
    form: FollowUpForm | None
    opens_on: date


def followup_forms(case: CaseReview, data=None, *, today: date) -> list[FollowUpRow]:
    """The follow-up rows of `case`; none for a case with no 退院年月 (meetings.sanity.NO_DISCHARGE_MONTH)."""
    if case.discharge_month is None:
        return []
    stored = {f.months: f for f in case.followups.all()}
    rows = []
    for months, label in CaseFollowUp.Months.choices:
        item = stored.get(months)
        opens_on = fiscal.add_months(case.discharge_month, months)
        form = None
        if item is not None or opens_on <= today:
            initial = {"status": item.status, "note": item.note} if item else {}
            form = FollowUpForm(data, prefix=f"f{months}", initial=initial, period_label=label)
        rows.append(FollowUpRow(months, label, form, opens_on))
    return rows
