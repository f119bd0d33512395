"""Forms for the meeting page (meeting + participant counts + action items + cases), filters and follow-ups."""

from __future__ import annotations

from crispy_forms.layout import HTML, Div, Field, Layout
from django import forms
from django.forms import inlineformset_factory
from django.utils import timezone

from accounts import roles
from core import fiscal
from core.forms import (
    Cell,
    OrganisationCountsForm,
    OwnRowsInlineFormSet,
    VersionedModelForm,
    VersionField,
    inline_helper,
)
from meetings.models import (
    DISCHARGED_STATUSES,
    ORGANISER_DIVISION_CHOICES,
    ActionItem,
    ActionStatus,
    Barrier,
    CaseFollowUp,
    CaseReview,
    FollowUpStatus,
    Meeting,
    MeetingKind,
    Support,
)
from meetings.services import ACTION_FIELDS, CASE_FIELDS, MEETING_FIELDS, ChildChange
from meetings.validators import validate_no_identifiers
from regions.models import HealthCentre, PrefectureDivision, Region

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


class MeetingForm(VersionedModelForm):
    organiser = forms.ChoiceField(label="主催")

    class Meta:
        model = Meeting
        fields = [name for name in MEETING_FIELDS if name not in ORGANISER_FIELDS]  # `organiser` picks one
        widgets = {
            "date": DATE_INPUT,
            "start_time": TIME_INPUT,
            "end_time": TIME_INPUT,
            "agenda": forms.Textarea(attrs={"rows": 3}),
            "minutes": forms.Textarea(attrs={"rows": 5}),
            "decisions": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        region_ids = roles.editable_region_ids(user)
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


class ActionItemForm(forms.ModelForm):
    class Meta:
        model = ActionItem
        fields = list(ACTION_FIELDS)
        widgets = {"due_date": DATE_INPUT, "completed_on": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Shown as a table row: the column header is the visible label. Only a stored row can be
        # deleted (the formset adds DELETE after this, so the layout names it by name).
        cells = [
            Cell(name, css_class=_small(field), aria_label=field.label) for name, field in self.fields.items()
        ]
        delete = Cell("DELETE", aria_label="この対応事項を削除") if self.instance.pk else HTML("<td></td>")
        self.helper = inline_helper(form_show_labels=False, layout=Layout(*cells, delete))

    def clean(self):
        data = super().clean()
        status, completed_on = data.get("status"), data.get("completed_on")
        if status == ActionStatus.DONE and not completed_on:
            self.add_error("completed_on", "状況が「完了」のときは完了日を入力してください。")
        if completed_on and status and status != ActionStatus.DONE:
            self.add_error("completed_on", "完了日は状況が「完了」のときだけ入力してください。")
        return data


class CaseReviewForm(forms.ModelForm):
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


ActionItemFormSet = inlineformset_factory(
    Meeting,
    ActionItem,
    form=ActionItemForm,
    formset=OwnRowsInlineFormSet,
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


class MeetingEditor:
    """The meeting page's forms together: meeting, participant counts, action items, cases."""

    def __init__(self, *, user, meeting: Meeting | None = None, data=None):
        meeting = meeting or Meeting()
        self.meeting = meeting
        self.form = MeetingForm(data, instance=meeting, user=user)
        self.participants = ParticipantsForm(data, meeting=meeting, prefix="p")
        self.actions = ActionItemFormSet(data, instance=meeting, prefix="actions")
        self.cases = CaseReviewFormSet(data, instance=meeting, prefix="cases")

    def is_valid(self) -> bool:
        valid = all(
            [
                self.form.is_valid(),
                self.participants.is_valid(),
                self.actions.is_valid(),
                self.cases.is_valid(),
            ]
        )
        if not valid:
            return False
        if any(not c.delete for c in self.case_changes()):
            data = self.form.cleaned_data
            if data.get("kind") != MeetingKind.CASE_REVIEW or not data.get("region"):
                self.form.add_error(
                    None,
                    "事例は圏域の「地域移行事例検討会」にのみ登録できます（種別と圏域を確認してください）。",
                )
                return False
        return True

    def action_changes(self):
        return _changes(self.actions, ACTION_FIELDS)

    def case_changes(self):
        return _changes(self.cases, CASE_FIELDS)

    def service_kwargs(self) -> dict:
        return {
            "fields": self.form.service_fields(),
            "participants": self.participants.counts(),
            "actions": self.action_changes(),
            "cases": self.case_changes(),
        }

    @property
    def loaded_version(self) -> int | None:
        return self.form.loaded_version


class FollowUpForm(forms.Form):
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


class FollowUpVersionForm(forms.Form):
    """The meeting version the case page was loaded with (follow-ups are versioned with their meeting)."""

    version = VersionField()

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["version"] = meeting.version

    @property
    def loaded_version(self) -> int:
        """Only after is_valid(). A page posted without a version is treated as loaded before any save."""
        return self.cleaned_data.get("version") or 0


def followup_forms(case: CaseReview, data=None) -> list[tuple[int, str, FollowUpForm]]:
    stored = {f.months: f for f in case.followups.all()}
    forms_ = []
    for months, label in CaseFollowUp.Months.choices:
        item = stored.get(months)
        initial = {"status": item.status, "note": item.note} if item else {}
        form = FollowUpForm(data, prefix=f"f{months}", initial=initial, period_label=label)
        forms_.append((months, label, form))
    return forms_
