from django import forms

from national.models import ComparisonPeers
from regions.models import Prefecture


class PeersForm(forms.Form):
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


class SelectionForm(forms.Form):
    """What the comparison page shows (a GET form; the view validates the values it is given)."""

    level = forms.ChoiceField(label="比べる単位", required=False)
    period = forms.ChoiceField(label="期間", required=False)

    def __init__(self, *args, levels, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = levels
        self.fields["period"].choices = [(p.key, p.label) for p in reversed(periods)]
