from django import forms

from accounts import roles
from core.fiscal import fiscal_year_label
from core.forms import PortalForm, VersionedModelForm, filter_bar_helper
from regions.models import HealthCentre, Region
from training.models import MAX_SESSION_HOURS, OrganiserKind, PeerSupportProgramme, TrainingSession
from training.services import PEER_SUPPORT_FIELDS, SESSION_FIELDS

PREFECTURE_WIDE = "pref"


def fiscal_year_choices(years) -> list[tuple[str, str]]:
    return [(str(y), fiscal_year_label(y)) for y in sorted(set(years), reverse=True)]


class YearForm(PortalForm):
    """The 年度 picker (GET) of the summary and the peer-supporter list; the view reads the value itself."""

    fiscal_year = forms.ChoiceField(label="年度", required=False)

    def __init__(self, *args, choices, fiscal_year, **kwargs):
        super().__init__(*args, initial={"fiscal_year": str(fiscal_year)}, **kwargs)
        self.fields["fiscal_year"].choices = choices
        self.fields["fiscal_year"].widget.attrs["id"] = "fiscal-year"
        self.helper = filter_bar_helper(self, col="col-auto")


class TrainingSessionForm(VersionedModelForm):
    """A session's own fields; the attendee counts are a `core.forms.OrganisationCountsForm` beside it."""

    class Meta:
        model = TrainingSession
        fields = list(SESSION_FIELDS)
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "hours": forms.NumberInput(attrs={"min": "0.25", "max": str(MAX_SESSION_HOURS), "step": "0.25"}),
            "respondents": forms.NumberInput(attrs={"min": 0}),
            "satisfied": forms.NumberInput(attrs={"min": 0}),
            "requests": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "respondents": {"min_value": "アンケート回答数に負の数は入力できません。"},
            "satisfied": {"min_value": "満足と回答した人数に負の数は入力できません。"},
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["organiser_health_centre"].queryset = HealthCentre.objects.order_by("display_order")
        ids = roles.editable_region_ids(user)
        region_field = self.fields["region"]
        if ids is None:
            region_field.queryset = Region.objects.order_by("display_order", "code")
            region_field.empty_label = "県全域"
            region_field.required = False
        else:
            region_field.queryset = Region.objects.filter(pk__in=ids).order_by("display_order", "code")
            region_field.required = True
            region_field.help_text = ""
            region_field.empty_label = None
            region_field.error_messages["required"] = (
                "圏域を選んでください（県全域の研修は県職員が登録します）。"
            )
            centre = roles.health_centre_of(user)
            if not self.instance.pk and centre is not None:
                self.initial.setdefault("organiser_kind", OrganiserKind.HEALTH_CENTRE)
                self.initial.setdefault("organiser_health_centre", centre.pk)

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "終了日は開始日以降の日付にしてください。")
        kind = data.get("organiser_kind")
        if kind == OrganiserKind.HEALTH_CENTRE and not data.get("organiser_health_centre"):
            self.add_error("organiser_health_centre", "主催の保健所を選んでください。")
        if kind == OrganiserKind.OTHER and not (data.get("organiser_other") or "").strip():
            self.add_error("organiser_other", "主催者名を入力してください。")
        respondents, satisfied = data.get("respondents"), data.get("satisfied")
        if respondents is not None and satisfied is not None and satisfied > respondents:
            self.add_error("satisfied", "満足と回答した人数は回答数以下にしてください。")
        if "region" in data and not roles.can_edit_region(self.user, data.get("region")):
            self.add_error("region", "この圏域の研修を登録する権限がありません。")
        return data

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class PeerSupportForm(VersionedModelForm):
    class Meta:
        model = PeerSupportProgramme
        fields = list(PEER_SUPPORT_FIELDS)
        widgets = {
            "needs_purpose": forms.Textarea(attrs={"rows": 3}),
            "other_activities": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, forms.IntegerField) and name != "version":
                field.min_value = 0
                field.widget.attrs["min"] = 0
                field.error_messages["min_value"] = f"{field.label}に負の数は入力できません。"

    def clean(self):
        data = super().clean()
        pairs = [
            ("active", "registered", "活動中のピアサポーター数は登録数以下にしてください。"),
            ("hospitals_wanting", "hospitals_surveyed", "希望する病院数は調査した病院数以下にしてください。"),
            ("offices_wanting", "offices_surveyed", "希望する事業所数は調査した事業所数以下にしてください。"),
        ]
        for part, whole, message in pairs:
            if data.get(part) is not None and data.get(whole) is not None and data[part] > data[whole]:
                self.add_error(part, message)
        return data

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
