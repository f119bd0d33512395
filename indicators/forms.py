from decimal import Decimal

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.layout import Div, Field, Layout
from django import forms

from accounts import roles
from core.fiscal import PeriodParseError, fiscal_year_label, parse_fiscal_year
from core.forms import (
    PortalForm,
    PortalModelForm,
    VersionedModelForm,
    VersionField,
    filter_bar_helper,
    inline_helper,
)
from core.validators import FiscalYearRangeValidator, due_date
from indicators.areas import AreaIndex
from indicators.importing import MAX_UPLOAD_BYTES
from indicators.models import Indicator, Observation, Plan, Target, ValidationRule
from indicators.values import period_from_text, value_error


class PeriodField(forms.CharField):
    """A period as people write it (R4年度、令和3年6月、2021-06-30); the text is kept, checked to parse."""

    def validate(self, value):
        super().validate(value)
        if value in self.empty_values:
            return
        try:
            period_from_text(value)
        except PeriodParseError as exc:
            raise forms.ValidationError(str(exc)) from exc


def _decimal_field(label="値", **kwargs):
    return forms.DecimalField(
        label=label,
        max_digits=14,
        decimal_places=3,
        error_messages={
            "invalid": f"{label}は数値で入力してください。",
            "max_digits": "桁数が多すぎます（14桁まで）。",
            "max_decimal_places": "小数点以下は3桁までです。",
            "required": f"{label}を入力してください。",
        },
        **kwargs,
    )


class _AreaMixin:
    def _setup_area(self, prefecture, initial_code=None):
        self.areas = AreaIndex(prefecture)
        self.fields["area"].choices = self.areas.choices()
        if initial_code:
            self.initial.setdefault("area", initial_code)

    def clean_area(self):
        area = self.areas.get(self.cleaned_data["area"])
        if area is None:
            raise forms.ValidationError("地域を選んでください。")
        return area


CONFIRM_LABEL = "確認のうえ登録する"
NOTE_MAX_LENGTH = 2000


class ConfirmationMixin:
    """What a soft finding asks for (`indicators.validation`): the checkbox 「確認のうえ登録する」, a note,
    and, hidden, the digest of the findings shown — a confirmation counts only for those findings.

    The two visible fields stay hidden until the service asks for a confirmation
    (`ask_confirmation`), or while a posted confirmation is re-shown.
    """

    def _add_confirmation_fields(self):
        self.findings: list[str] = []
        self.refusals: list[str] = []
        self.fields["confirmed"] = forms.BooleanField(label=CONFIRM_LABEL, required=False)
        self.fields["confirmation_note"] = forms.CharField(
            label="確認のメモ",
            required=False,
            max_length=NOTE_MAX_LENGTH,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text="この値で正しいと判断した理由（出典で確かめた、集計方法が変わった など）。"
            "「確認が必要な値」の一覧に残ります。",
        )
        self.fields["confirmed_digest"] = forms.CharField(
            required=False, max_length=64, widget=forms.HiddenInput
        )
        if not (self.is_bound and self.data.get("confirmed_digest")):
            self._hide_confirmation()

    def _hide_confirmation(self):
        self.fields["confirmed"].widget = forms.HiddenInput()
        self.fields["confirmation_note"].widget = forms.HiddenInput()

    def _clean_confirmation(self, data):
        if data.get("confirmed") and not (data.get("confirmation_note") or "").strip():
            self.add_error("confirmation_note", "確認のメモを入力してください。")

    def confirmation(self) -> dict:
        """The service's keyword arguments: the note and digest when 「確認のうえ登録する」 is checked."""
        if not self.cleaned_data.get("confirmed"):
            return {"confirmation_note": "", "confirmed_digest": ""}
        return {
            "confirmation_note": self.cleaned_data.get("confirmation_note", ""),
            "confirmed_digest": self.cleaned_data.get("confirmed_digest", ""),
        }

    def ask_confirmation(self, exc) -> None:
        """Show the findings of `exc` (validation.ConfirmationRequired) with the fields to confirm them."""
        self.findings = exc.messages
        data = self.data.copy()
        data["confirmed_digest"] = exc.digest
        data.pop("confirmed", None)  # what is confirmed is what is shown now: check the box again
        self.data = data
        self.fields["confirmed"].widget = forms.CheckboxInput()
        self.fields["confirmation_note"].widget = forms.Textarea(attrs={"rows": 2})

    def refuse(self, exc, field: str | None = "value") -> None:
        """Show the hard findings of `exc` (validation.ValueRefused): as errors of `field`, or, for a
        page of many values, as `refusals` listed above it. Nothing was saved."""
        if field is None:
            self.refusals = [finding.message for finding in exc.findings]
            return
        for finding in exc.findings:
            self.add_error(field, finding.message)


class ObservationForm(ConfirmationMixin, _AreaMixin, PortalForm):
    """A value (観測値): indicator, area, period as 和暦 or Western, value, source; and, when the
    validation rules question the value, the confirmation (ConfirmationMixin).

    Officials enter every area; a health centre's staff (`user`) are offered their own regions only
    (`accounts.roles.can_enter_figures`), and any other area posted is refused.
    """

    indicator = forms.ModelChoiceField(
        label="指標", queryset=Indicator.objects.filter(is_active=True), empty_label="選んでください"
    )
    area = forms.ChoiceField(label="地域")
    period = PeriodField(
        label="期間・時点",
        max_length=30,
        help_text="例: R4年度、令和3年6月、2021-06-30、H26年（630調査の値は R3年6月 のように）",
    )
    value = _decimal_field()
    provenance = forms.CharField(
        label="出典", max_length=200, required=False, help_text="例: NDB（R3年度）、630調査"
    )
    note = forms.CharField(label="備考", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = VersionField()

    def __init__(self, *args, prefecture, user=None, instance: Observation | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.user = user
        self._setup_area(prefecture)
        if user is not None and not roles.is_prefecture(user):
            self.fields["area"].choices = [
                (r.code, r.full_name) for r in self.areas.regions if roles.can_enter_figures(user, region=r)
            ]
        self._add_confirmation_fields()
        if instance is not None:
            self.initial["version"] = instance.version
            from indicators.values import period_text_of

            self.fields["indicator"].disabled = True
            self.fields["area"].disabled = True
            self.fields["period"].disabled = True
            self.initial.update(
                {
                    "indicator": instance.indicator_id,
                    "area": self._code_of(instance),
                    "period": period_text_of(instance),
                    "value": instance.value.normalize(),
                    "provenance": instance.provenance,
                    "note": instance.note,
                }
            )

    def _code_of(self, observation):
        return (
            self.areas.by_key[observation.area_key].code if observation.area_key in self.areas.by_key else ""
        )

    def clean_area(self):
        area = super().clean_area()
        if self.user is not None and not roles.can_enter_figures(
            self.user, region=area.region, municipality=area.municipality
        ):
            raise forms.ValidationError(
                "この地域の値は登録できません（保健所の職員は担当圏域の値を登録します）。"
            )
        return area

    def clean(self):
        data = super().clean()
        indicator, value = data.get("indicator"), data.get("value")
        if indicator is not None and value is not None:
            problem = value_error(indicator, Decimal(value))
            if problem:
                self.add_error("value", problem)
        self._clean_confirmation(data)
        return data


class TargetForm(_AreaMixin, PortalForm):
    """A plan's target for one indicator, area and 年度."""

    indicator = forms.ModelChoiceField(
        label="指標", queryset=Indicator.objects.filter(is_active=True), empty_label="選んでください"
    )
    plan = forms.ModelChoiceField(
        label="計画",
        queryset=Plan.objects.all(),
        empty_label="選んでください",
        help_text="終了した計画・案の計画も選べます（名前のあとに「終了」「案」と表示します）",
    )
    area = forms.ChoiceField(label="地域")
    fiscal_year = forms.CharField(label="目標年度", max_length=20, help_text="例: R8年度、令和8年度、2026")
    value = _decimal_field("目標値")
    comparator = forms.ChoiceField(
        label="比較",
        choices=Target.Comparator.choices,
        help_text="退院率は「以上」、長期在院者数や再入院率は「以下」",
    )
    source = forms.CharField(
        label="出典",
        max_length=200,
        required=False,
        help_text="目標の根拠（例: 国の基本指針（第7期障害福祉計画）の成果目標、山口県第7期計画 p.12）",
    )
    note = forms.CharField(label="備考", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = VersionField()

    def __init__(self, *args, prefecture, instance: Target | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.fields["plan"].label_from_instance = lambda plan: plan.choice_label()
        self._setup_area(prefecture, initial_code=prefecture.code)
        if instance is not None:
            self.initial["version"] = instance.version
            for name in ("indicator", "plan", "area", "fiscal_year"):
                self.fields[name].disabled = True
            area = self.areas.by_key.get(instance.area_key)
            self.initial.update(
                {
                    "indicator": instance.indicator_id,
                    "plan": instance.plan_id,
                    "area": area.code if area else "",
                    "fiscal_year": fiscal_year_label(instance.fiscal_year, short=True),
                    "value": instance.value.normalize(),
                    "comparator": instance.comparator,
                    "source": instance.source,
                    "note": instance.note,
                }
            )

    def clean_fiscal_year(self):
        text = self.cleaned_data["fiscal_year"]
        try:
            year = parse_fiscal_year(text)
        except PeriodParseError as exc:
            raise forms.ValidationError(str(exc)) from exc
        FiscalYearRangeValidator("目標年度")(year)
        return year

    def clean(self):
        data = super().clean()
        indicator, value, plan, year = (data.get(k) for k in ("indicator", "value", "plan", "fiscal_year"))
        if indicator is not None and value is not None:
            problem = value_error(indicator, Decimal(value))
            if problem:
                self.add_error("value", problem)
        if (
            plan is not None
            and year is not None
            and not plan.first_fiscal_year <= year <= plan.last_fiscal_year
        ):
            self.add_error(
                "fiscal_year", f"目標年度は計画の期間（{plan.period_label}）の中の年度にしてください。"
            )
        return data


class IndicatorForm(VersionedModelForm):
    class Meta:
        model = Indicator
        fields = [
            "code",
            "name_ja",
            "unit",
            "value_type",
            "decimal_places",
            "direction",
            "definition",
            "usual_source",
            "computation",
            "caveats",
            "chart_group",
            "survey_month",
            "survey_day",
            "cycle_months",
            "release_lag_months",
            "part_of",
            "denominator",
            "display_order",
            "is_active",
            "counts_people",
        ]
        widgets = {
            "definition": forms.Textarea(attrs={"rows": 3}),
            "computation": forms.Textarea(attrs={"rows": 3}),
            "caveats": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "code": {
                "unique": "このコードの指標は既にあります。",
                "invalid": "コードは半角英数字・ハイフン・下線で入力してください（例: readmission_rate_1y）。",
            }
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["release_lag_months"].required = False  # blank: published as the period ends
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = "取り込みファイルで使うため変更できません。"
        for name in ("part_of", "denominator"):
            queryset = Indicator.objects.all()
            if self.instance.pk:
                queryset = queryset.exclude(pk=self.instance.pk)
            self.fields[name].queryset = queryset
            self.fields[name].empty_label = "なし"

    def clean_release_lag_months(self):
        return self.cleaned_data["release_lag_months"] or 0


class PlanForm(PortalModelForm):
    class Meta:
        model = Plan
        fields = ["name", "issuer", "first_fiscal_year", "last_fiscal_year", "is_draft", "source"]
        labels = {
            "first_fiscal_year": "計画期間（初年度・西暦）",
            "last_fiscal_year": "計画期間（最終年度・西暦）",
        }
        help_texts = {
            "first_fiscal_year": "例: 2027（令和9年度）",
            "name": "例: 障害福祉サービス等の基本指針（第8期障害福祉計画）",
            "is_draft": "告示・策定の前の案です。案の計画は評価の基準に自動では選ばれません。策定されたら外してください",
            "source": "告示・計画書の名称や掲載先（例: 山口県障害福祉サービス実施計画（第7期）p.12）",
        }
        error_messages = {"name": {"unique": "同じ名前の計画が既にあります。"}}


class UploadForm(PortalForm):
    file = forms.FileField(
        label="取り込むファイル（CSV または Excel .xlsx）",
        help_text=f"{MAX_UPLOAD_BYTES // (1024 * 1024)}MB まで。CSV は UTF-8（Excel の「CSV UTF-8（コンマ区切り）」）で保存してください。",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
        error_messages={"required": "ファイルを選んでください。", "empty": "ファイルが空です。"},
    )


VENUE_CHOICES = [("1", "有"), ("0", "無"), ("", "未把握")]


class VenueStatusForm(ConfirmationMixin, PortalForm):
    """Per municipality: has it a 協議の場 (有 / 無 / 未把握) at one period; the confirmation the
    validation rules may ask for below the table (ConfirmationMixin)."""

    period = PeriodField(label="時点", max_length=30, help_text="例: R4年4月、令和5年4月1日")
    provenance = forms.CharField(
        label="出典", max_length=200, required=False, help_text="例: 県調べ（R4年4月）"
    )

    def __init__(self, *args, municipalities, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipalities = municipalities
        for m in municipalities:
            value = current.get(m.pk)
            self.fields[f"m_{m.code}"] = forms.ChoiceField(
                label=f"{m.name}の協議の場",
                choices=VENUE_CHOICES,
                required=False,
                widget=forms.RadioSelect,
                initial="" if value is None else ("1" if value else "0"),
            )
        self._add_confirmation_fields()

    def clean(self):
        data = super().clean()
        self._clean_confirmation(data)
        return data

    def confirmation_helper(self):
        """The confirmation's fields under the table (hidden until the rules ask for them)."""
        return inline_helper(layout=Layout("confirmed", "confirmation_note", "confirmed_digest"))

    def header_helper(self):
        """時点 and 出典 side by side above the table."""
        return inline_helper(
            render_hidden_fields=False,
            layout=Layout(
                Div(
                    Field("period", wrapper_class="col-md-4"),
                    Field("provenance", wrapper_class="col-md-8"),
                    css_class="row",
                )
            ),
        )

    def rows(self):
        """(municipality, field, helper) per table row: the helper renders that row's radios inline,
        the legend naming the municipality for screen readers (the row's <th> shows it)."""
        return [
            (
                m,
                self[f"m_{m.code}"],
                inline_helper(
                    label_class="visually-hidden",
                    render_hidden_fields=False,
                    layout=Layout(InlineRadios(f"m_{m.code}")),
                ),
            )
            for m in self.municipalities
        ]

    def period_picker(self) -> "VenuePeriodForm":
        return VenuePeriodForm(initial={"period": self["period"].value()})

    def statuses(self) -> dict:
        return {
            m: {"1": True, "0": False}.get(self.cleaned_data.get(f"m_{m.code}") or "")
            for m in self.municipalities
        }


class VenuePeriodForm(PortalForm):
    """The GET form switching the venue page to another 時点 (the view reads `period` itself)."""

    period = forms.CharField(label="表示する時点", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="venue-%s", **kwargs)
        self.helper = filter_bar_helper(self, col="col-auto")


class ImportConfirmForm(PortalForm):
    """The one note a file with questioned values needs (and the digest of the findings it confirms)."""

    note = forms.CharField(
        label="確認のメモ（ファイル全体）",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="「要確認」の値が正しいと判断した理由。各値の「確認が必要な値」の記録に残ります。",
    )
    confirmed_digest = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, digest: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["confirmed_digest"] = digest
        self.helper = inline_helper()


class ValidationRuleForm(VersionedModelForm):
    """One validation rule of an indicator: its kind, whether hard or soft, and its bound(s)."""

    class Meta:
        model = ValidationRule
        fields = ["kind", "severity", "minimum", "maximum", "threshold", "note", "is_active"]
        help_texts = {
            "minimum": "許容範囲のルールだけ。空欄なら下限なし",
            "maximum": "許容範囲のルールだけ。空欄なら上限なし",
            "note": "このルールを置く理由（例: NDB の退院率は年度ごとの変動が小さい）",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            del self.fields["is_active"]
        for name in ("minimum", "maximum", "threshold"):
            field = self.fields[name]
            field.error_messages["invalid"] = f"{field.label}は数値で入力してください。"

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        low, high, threshold = data.get("minimum"), data.get("maximum"), data.get("threshold")
        if kind == ValidationRule.Kind.RANGE:
            if (
                low is None
                and high is None
                and not self.has_error("minimum")
                and not self.has_error("maximum")
            ):
                self.add_error("minimum", "許容範囲のルールには下限か上限を入力してください。")
            if low is not None and high is not None and low > high:
                self.add_error("maximum", "上限は下限以上にしてください。")
            data["threshold"] = None
        elif kind:
            if threshold is None and not self.has_error("threshold"):
                self.add_error("threshold", "しきい値を入力してください。")
            elif threshold is not None and threshold <= 0:
                self.add_error("threshold", "しきい値には 0 より大きい値を入力してください。")
            data["minimum"] = data["maximum"] = None
        return data


class FlagResolveForm(PortalForm):
    """An official's or the region's staff's check of a flagged value."""

    resolution = forms.CharField(
        label="確認結果",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "確認結果を入力してください。"},
        help_text="例: 出典（NDB）と照合し正しいことを確認した",
    )

    def __init__(self, *args, flag_id: int | None = None, **kwargs):
        if flag_id is not None:
            kwargs.setdefault("auto_id", f"flag-{flag_id}-%s")
        super().__init__(*args, **kwargs)
        self.helper = inline_helper(label_class="small mb-1")


# --- data sets: the steps of submission and approval, and the due date (issue #17) -------------------

# Which steps take a text, and whether it is required: sending back and reopening need a reason.
STEP_TEXTS = {
    "submit": ("提出メモ（任意）", False, "確認する人に伝えたいこと（例: 630調査の値は速報値です）"),
    "return": ("差し戻しの理由", True, "提出した人が直すべき点を具体的に書いてください。"),
    "reopen": (
        "承認を取り消す理由",
        True,
        "記録に残ります。再開すると値を変更でき、もう一度提出と承認が必要です。",
    ),
}


class DataSetStepForm(PortalForm):
    """One step on a data set's page (提出, 取り下げ, 差し戻し, 承認, 再開): the version the page
    showed (a step taken meanwhile by someone else is refused) and, where the step has one, its text.

    Each step's form is its own `<form>` on the page: the action is the prefix, so ids stay unique."""

    version = VersionField()

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, prefix=action, **kwargs)
        self.action = action
        if action in STEP_TEXTS:
            label, required, help_text = STEP_TEXTS[action]
            self.fields["reason"] = forms.CharField(
                label=label,
                required=required,
                max_length=2000,
                help_text=help_text,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"required": f"{label}を入力してください。"},
            )
        self.helper = inline_helper()

    @property
    def reason(self) -> str:
        return self.cleaned_data.get("reason", "")


class DeadlineForm(PortalForm):
    """The due date of a 年度's data sets (officials). On a set's page the 年度 is that set's (hidden)."""

    fiscal_year = forms.TypedChoiceField(label="対象年度", coerce=int)
    due_date = forms.DateField(
        label="提出期限",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "提出期限を入力してください。", "invalid": "日付を入力してください。"},
    )

    def __init__(self, *args, years, fixed_year: int | None = None, **kwargs):
        super().__init__(*args, prefix="deadline", **kwargs)
        self.fields["fiscal_year"].choices = [(y, fiscal_year_label(y)) for y in sorted(years, reverse=True)]
        if fixed_year is not None:
            self.fields["fiscal_year"].widget = forms.HiddenInput()
            self.initial.setdefault("fiscal_year", fixed_year)
        self.helper = inline_helper()

    def clean_due_date(self):
        value = self.cleaned_data["due_date"]
        due_date("提出期限")(value)
        return value
