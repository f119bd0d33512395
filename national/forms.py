from crispy_forms.layout import Field, Layout
from django import forms

from core.forms import PortalForm, inline_helper
from indicators.forms import PeriodField
from indicators.importing import MAX_UPLOAD_BYTES
from indicators.models import Indicator
from national.models import ComparisonPeers
from regions.models import Prefecture


class WideUploadForm(PortalForm):
    file = forms.FileField(
        label="全国の表（CSV または Excel .xlsx）",
        help_text=f"{MAX_UPLOAD_BYTES // (1024 * 1024)}MB まで。1行が1地域（都道府県・二次医療圏）、1列が指標と年度の表。",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
        error_messages={"required": "ファイルを選んでください。", "empty": "ファイルが空です。"},
    )
    source = forms.CharField(
        label="出典",
        max_length=100,
        required=False,
        help_text="例: 精神保健福祉資料（NDB）。取り込む値の出典と、対応付けの保存名になります。",
    )


class MappingForm(PortalForm):
    """Per value column an indicator (blank: not imported) and a period; per unmatched row the choice
    to leave it out; the name the mapping is saved under."""

    layout_name = forms.CharField(label="対応付けの保存名（出典）", max_length=100)

    def __init__(self, *args, detection, mapping, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "（取り込まない）")] + [
            (i.code, i.name_ja)
            for i in Indicator.objects.filter(is_active=True).order_by("display_order", "code")
        ]
        self.detection = detection
        self.column_fields = []
        for column, item in zip(detection.columns, mapping, strict=True):
            indicator_name, period_name = f"indicator_{column.index}", f"period_{column.index}"
            self.fields[indicator_name] = forms.ChoiceField(
                label=f"「{column.label}」の指標", choices=choices, required=False, initial=item.indicator
            )
            self.fields[period_name] = PeriodField(
                label=f"「{column.label}」の期間",
                required=False,
                max_length=30,
                initial=item.period,
                help_text="見出しの年度を読み取りました" if column.period else "例: 令和元年度",
            )
            self.column_fields.append((column, self[indicator_name], self[period_name]))
        self.row_fields = []
        for row in detection.unmatched:
            name = f"skip_{row.line}"
            self.fields[name] = forms.BooleanField(label="この行を取り込まない", required=False)
            self.row_fields.append((row, self[name]))
        self.helper = inline_helper()
        self.helper.layout = Layout(Field("layout_name"))

    def clean(self):
        cleaned = super().clean()
        for column in self.detection.columns:
            if cleaned.get(f"indicator_{column.index}") and not cleaned.get(f"period_{column.index}"):
                self.add_error(f"period_{column.index}", "指標を選んだ列には期間を入力してください。")
        return cleaned

    def mapping(self):
        from national.services import ColumnMap

        return [
            ColumnMap(
                c.index,
                self.cleaned_data.get(f"indicator_{c.index}") or "",
                (self.cleaned_data.get(f"period_{c.index}") or "").strip(),
            )
            for c in self.detection.columns
        ]

    def skip_lines(self) -> set[int]:
        return {row.line for row in self.detection.unmatched if self.cleaned_data.get(f"skip_{row.line}")}


class LayoutRenameForm(PortalForm):
    name = forms.CharField(label="保存名", max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = inline_helper()


class PeersForm(PortalForm):
    """The prefectures (at most five) a user compares the portal's prefecture with over time."""

    prefectures = forms.ModelMultipleChoiceField(
        queryset=Prefecture.objects.none(),
        required=False,
        label=f"比べる都道府県（{ComparisonPeers.MAX_PEERS}つまで）",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "選べない都道府県が含まれています。",
            "invalid_pk_value": "選べない都道府県が含まれています。",
            "invalid_list": "都道府県を選び直してください。",
        },
    )

    def __init__(self, *args, portal: Prefecture, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prefectures"].queryset = Prefecture.objects.country().exclude(pk=portal.pk)

    def clean_prefectures(self):
        chosen = self.cleaned_data["prefectures"]
        if len(chosen) > ComparisonPeers.MAX_PEERS:
            raise forms.ValidationError(
                f"比べる都道府県は{ComparisonPeers.MAX_PEERS}つまでです（{len(chosen)}つ選ばれています）。"
            )
        return chosen


class SelectionForm(PortalForm):
    """What the comparison page shows (a GET form; the view validates the values it is given)."""

    level = forms.ChoiceField(label="比べる単位", required=False)
    period = forms.ChoiceField(label="期間", required=False)

    def __init__(self, *args, levels, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = levels
        self.fields["period"].choices = [(p.key, p.label) for p in reversed(periods)]
