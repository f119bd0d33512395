from crispy_forms.bootstrap import StrictButton
from crispy_forms.layout import Div, Field, Layout
from django import forms
from django.forms import modelformset_factory

from core.fiscal import fiscal_year_label
from core.forms import OwnRowsModelFormSet, PortalForm, VersionedModelForm, inline_helper
from indicators import values
from indicators.forms import PeriodField
from indicators.models import Observation, Target
from sheets.models import (
    Challenge,
    ChallengeRole,
    Edition,
    HistoryEntry,
    InitiativeHeading,
    OutcomeRow,
    ScheduleEntry,
    Strength,
)
from sheets.publication import CONFIRM_LABEL, unapproved_digest

TEXTAREA = forms.Textarea(attrs={"rows": 3})
SHORT_TEXTAREA = forms.Textarea(attrs={"rows": 2})


class HeaderForm(VersionedModelForm):
    class Meta:
        model = Edition
        fields = ["title", "subtitle", "overview", "show_national"]
        widgets = {"overview": forms.Textarea(attrs={"rows": 5})}


class FactForm(PortalForm):
    """One part-1 figure: the period it refers to, its value and its source."""

    code = forms.CharField(widget=forms.HiddenInput)
    period = PeriodField(label="時点・年度", max_length=30, help_text="例: R4年4月、R3年度、H29年度")
    value = forms.DecimalField(label="値", max_digits=14, decimal_places=3, min_value=0)
    provenance = forms.CharField(label="出典", max_length=200, required=False)


FactFormSet = forms.formset_factory(FactForm, extra=0)


class CopyForm(PortalForm):
    fiscal_year = forms.IntegerField(label="複製先の年度（西暦）", min_value=2000, max_value=2100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = inline_helper(
            layout=Layout(
                Field("fiscal_year", wrapper_class="col-auto"),
                Div(
                    StrictButton(
                        "この内容で次の年度のシートを作る", type="submit", css_class="btn-outline-primary"
                    ),
                    css_class="col-auto",
                ),
            )
        )


def _formset(model, fields, widgets=None, extra=1):
    """Each row carries its version; rows must be the edition's own (core.forms)."""
    return modelformset_factory(
        model,
        form=VersionedModelForm,
        formset=OwnRowsModelFormSet,
        fields=fields,
        widgets=widgets or {},
        extra=extra,
        can_delete=True,
    )


InitiativeFormSet = _formset(
    InitiativeHeading,
    ["order", "section", "level", "heading", "items"],
    {"items": TEXTAREA},
)
HistoryFormSet = _formset(
    HistoryEntry,
    ["order", "years", "content", "organiser", "participants"],
    {"content": TEXTAREA, "organiser": SHORT_TEXTAREA, "participants": TEXTAREA},
)
StrengthFormSet = _formset(Strength, ["order", "text"], {"text": SHORT_TEXTAREA})
ChallengeFormSet = _formset(
    Challenge, ["order", "title", "policy"], {"title": SHORT_TEXTAREA, "policy": TEXTAREA}
)
ScheduleFormSet = _formset(
    ScheduleEntry, ["order", "period", "item", "content"], {"item": SHORT_TEXTAREA, "content": TEXTAREA}
)


class OutcomeRowForm(VersionedModelForm):
    class Meta:
        model = OutcomeRow
        fields = [
            "order",
            "number",
            "label",
            "indicator",
            "target",
            "actual",
            "achievement",
            "achievement_same_as_above",
            "reference_baseline",
            "reference_target",
        ]
        widgets = {"achievement": TEXTAREA}

    def __init__(self, *args, observations, targets, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("actual", "reference_baseline"):
            self.fields[name].queryset = observations
        for name in ("target", "reference_target"):
            self.fields[name].queryset = targets
            self.fields[name].label_from_instance = target_choice_label


def target_choice_label(target: Target) -> str:
    """「入院後３か月時点の退院率 R5年度 56％以上（山口県…（第6期）（R3～R5・終了））」: the plan marked ended or 案."""
    year = fiscal_year_label(target.fiscal_year, short=True)
    return f"{target.indicator.name_ja} {year} {values.target_text(target)}（{target.plan.choice_label()}）"


OutcomeFormSet = modelformset_factory(
    OutcomeRow, form=OutcomeRowForm, formset=OwnRowsModelFormSet, extra=1, can_delete=True
)


class ChallengeRoleForm(VersionedModelForm):
    class Meta:
        model = ChallengeRole
        fields = ["challenge", "actor", "text", "same_as_above"]
        widgets = {"text": SHORT_TEXTAREA}

    def __init__(self, *args, challenges, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["challenge"].queryset = challenges


ChallengeRoleFormSet = modelformset_factory(
    ChallengeRole, form=ChallengeRoleForm, formset=OwnRowsModelFormSet, extra=1, can_delete=True
)


def observation_choices(prefecture):
    return Observation.objects.for_prefecture_area(prefecture).select_related("indicator")


def target_choices(prefecture):
    return Target.objects.for_prefecture_area(prefecture).select_related("indicator", "plan")


class PublishForm(PortalForm):
    """Publishing the sheet as its next edition; a revision (第2版 onward) must say what changed.

    When figures are not yet approved (`unapproved`: sheets.reading.UnapprovedGroup list) the form
    carries the confirmation checkbox and the digest of the list the official sees; the rule itself is
    `sheets.publication.check_unapproved`. `unapproved=None` (a POST read before the sheet is) keeps
    both fields so the posted values reach the service.
    """

    note = forms.CharField(
        label="公開にあたってのメモ",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=(
            "例: 国への提出版。第2版以降は、前の版から何を直したかを書いてください。"
            " 公開した PDF は保存され、その後データを直しても変わりません。"
        ),
    )
    confirm_unapproved = forms.BooleanField(
        label=CONFIRM_LABEL,
        required=False,
        help_text="上の一覧の数値は、PDF で値の横に「※未承認」の印を付けて公開され、この版の記録にも残ります。",
    )
    unapproved_digest = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, revision: bool = False, unapproved=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.revision = revision
        if revision:
            self.fields["note"].required = True
            self.fields["note"].error_messages["required"] = (
                "第2版以降は、前の版から何を直したかを書いてください。"
            )
        else:
            self.fields["note"].label += "（任意）"
        if unapproved is not None:
            if unapproved:
                self.fields["unapproved_digest"].initial = unapproved_digest(unapproved)
            else:  # everything approved: nothing to confirm
                del self.fields["confirm_unapproved"]
                del self.fields["unapproved_digest"]
        self.helper = inline_helper()

    def clean_note(self):
        return self.cleaned_data["note"].strip()


class FactsConfirmForm(PortalForm):
    """Part 1's confirmation when the validation rules question some facts: one note for all of them
    (and, hidden, the fingerprint of the findings it confirms: a changed value asks again)."""

    confirmation_note = forms.CharField(
        label="確認のメモ",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="「要確認」の値が正しいと判断した理由（出典で確かめた など）。入力して保存すると登録され、"
        "各値の「確認が必要な値」の記録に残ります。",
    )
    confirmed_digest = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, digest: str = "", **kwargs):
        super().__init__(*args, prefix=None, **kwargs)
        self.initial["confirmed_digest"] = digest
        self.helper = inline_helper()
