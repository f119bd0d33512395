from django import forms

from core.models import AuditEvent
from core.validators import filter_date

DATA_CHANGE = "data_change"
KIND_CHOICES = [
    ("", "すべて"),
    *AuditEvent.Kind.choices,
    (DATA_CHANGE, "データの変更（作成・変更・削除・復元）"),
]


class AuditFilterForm(forms.Form):
    """Filters of the audit screen; every field optional, bad values are reported, not guessed."""

    date_from = forms.DateField(
        label="期間（から）",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[filter_date("期間（から）")],
    )
    date_to = forms.DateField(
        label="期間（まで）",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[filter_date("期間（まで）")],
    )
    username = forms.CharField(label="利用者名", required=False, max_length=150)
    kind = forms.ChoiceField(label="種類", required=False, choices=KIND_CHOICES)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("期間の開始日が終了日より後になっています。")
        return data
