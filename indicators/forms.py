from decimal import Decimal

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.layout import Div, Field, Layout
from django import forms

from core.fiscal import PeriodParseError, fiscal_year_label, parse_fiscal_year
from core.forms import VersionedModelForm, VersionField, filter_bar_helper, inline_helper
from core.validators import FiscalYearRangeValidator
from indicators.areas import AreaIndex
from indicators.importing import MAX_UPLOAD_BYTES
from indicators.models import Indicator, Observation, Plan, Target
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
            "invalid": "数値を入力してください。",
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


class ObservationForm(_AreaMixin, forms.Form):
    """A value (観測値) typed in by an official: indicator, area, period as 和暦 or Western, value, source."""

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

    def __init__(self, *args, prefecture, instance: Observation | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = instance
        self._setup_area(prefecture)
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

    def clean(self):
        data = super().clean()
        indicator, value = data.get("indicator"), data.get("value")
        if indicator is not None and value is not None:
            problem = value_error(indicator, Decimal(value))
            if problem:
                self.add_error("value", problem)
        return data


class TargetForm(_AreaMixin, forms.Form):
    """A plan's target for one indicator, area and 年度."""

    indicator = forms.ModelChoiceField(
        label="指標", queryset=Indicator.objects.filter(is_active=True), empty_label="選んでください"
    )
    plan = forms.ModelChoiceField(label="計画", queryset=Plan.objects.all(), empty_label="選んでください")
    area = forms.ChoiceField(label="地域")
    fiscal_year = forms.CharField(label="目標年度", max_length=20, help_text="例: R8年度、令和8年度、2026")
    value = _decimal_field("目標値")
    comparator = forms.ChoiceField(
        label="比較",
        choices=Target.Comparator.choices,
        help_text="退院率は「以上」、長期在院者数や再入院率は「以下」",
    )
    note = forms.CharField(label="備考", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = VersionField()

    def __init__(self, *args, prefecture, instance: Target | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = instance
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
            "chart_group",
            "survey_month",
            "survey_day",
            "part_of",
            "denominator",
            "display_order",
            "is_active",
            "counts_people",
        ]
        widgets = {"definition": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "code": {
                "unique": "このコードの指標は既にあります。",
                "invalid": "コードは半角英数字・ハイフン・下線で入力してください（例: readmission_rate_1y）。",
            }
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = "取り込みファイルで使うため変更できません。"
        for name in ("part_of", "denominator"):
            queryset = Indicator.objects.all()
            if self.instance.pk:
                queryset = queryset.exclude(pk=self.instance.pk)
            self.fields[name].queryset = queryset
            self.fields[name].empty_label = "なし"


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["name", "issuer", "first_fiscal_year", "last_fiscal_year"]
        labels = {
            "first_fiscal_year": "計画期間（初年度・西暦）",
            "last_fiscal_year": "計画期間（最終年度・西暦）",
        }
        help_texts = {
            "first_fiscal_year": "例: 2027（令和9年度）",
            "name": "例: 障害福祉サービス等の基本指針（第8期障害福祉計画）",
        }
        error_messages = {"name": {"unique": "同じ名前の計画が既にあります。"}}


class UploadForm(forms.Form):
    file = forms.FileField(
        label="取り込むファイル（CSV または Excel .xlsx）",
        help_text=f"{MAX_UPLOAD_BYTES // (1024 * 1024)}MB まで。CSV は UTF-8（Excel の「CSV UTF-8（コンマ区切り）」）で保存してください。",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
        error_messages={"required": "ファイルを選んでください。", "empty": "ファイルが空です。"},
    )


VENUE_CHOICES = [("1", "有"), ("0", "無"), ("", "未把握")]


class VenueStatusForm(forms.Form):
    """Per municipality: has it a 協議の場 (有 / 無 / 未把握) at one period."""

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

    def header_helper(self):
        """時点 and 出典 side by side above the table."""
        return inline_helper(
            layout=Layout(
                Div(
                    Field("period", wrapper_class="col-md-4"),
                    Field("provenance", wrapper_class="col-md-8"),
                    css_class="row",
                )
            )
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


class VenuePeriodForm(forms.Form):
    """The GET form switching the venue page to another 時点 (the view reads `period` itself)."""

    period = forms.CharField(label="表示する時点", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="venue-%s", **kwargs)
        self.helper = filter_bar_helper(self, col="col-auto")
