"""Form pieces shared by meetings and training.

- `OrganisationCountsForm`: one non-negative count per `core.categories.OrganisationType`, shown on the
  same page as the record's main form (no JavaScript, no formset management form). Meetings count
  participants with it, training counts attendees.
- `VersionField` / `VersionedModelForm` / `StaleVersionError`: optimistic locking. The edit form carries
  the version it was loaded with; the service refuses to save when the stored version has moved on (the
  error carries the stored record, for `core.changes.conflict_rows`). In a model formset each row is
  a `VersionedModelForm`, so each row carries its own version.
- `OwnRowsFormSetMixin`: a model formset that accepts only rows of the record being edited (a posted row
  id of another record, or of a row deleted meanwhile, is refused instead of saved as a new row).
"""

from __future__ import annotations

from django import forms
from django.forms import BaseInlineFormSet, BaseModelFormSet

from core.categories import OrganisationType

MAX_COUNT = 100_000


class StaleVersionError(Exception):
    """Raised by a service when the record changed after the form was loaded; `instance` is the stored record."""

    message = "他の利用者が先にこの記録を更新しました。最新の内容を確認してから、もう一度保存してください。"

    def __init__(self, instance=None):
        super().__init__(self.message)
        self.instance = instance

    def __str__(self):
        return self.message


class VersionField(forms.IntegerField):
    """The hidden `version` the edit form was loaded with."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


class VersionedModelForm(forms.ModelForm):
    """A model form carrying the record's `version` (hidden) for the service's optimistic-locking check."""

    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["version"] = self.instance.version

    @property
    def loaded_version(self) -> int | None:
        """Only after is_valid(): the version the editor loaded (None on a new record)."""
        return self.cleaned_data.get("version")


class OrganisationCountsForm(forms.Form):
    """A count per organisation type; blank means 0. `counts()` returns {type value: count > 0}."""

    error_css_class = "table-danger"

    def __init__(self, *args, initial_counts: dict[str, int] | None = None, **kwargs):
        kwargs.setdefault("prefix", "counts")
        super().__init__(*args, **kwargs)
        initial_counts = initial_counts or {}
        for value, label in OrganisationType.choices:
            self.fields[value] = forms.IntegerField(
                label=label,
                required=False,
                min_value=0,
                max_value=MAX_COUNT,
                initial=initial_counts.get(value) or None,
                error_messages={
                    "invalid": f"{label}の人数は整数で入力してください。",
                    "min_value": f"{label}の人数に負の数は入力できません。",
                    "max_value": f"{label}の人数が大きすぎます（{MAX_COUNT:,}人以下）。",
                },
                widget=forms.NumberInput(attrs={"min": 0, "step": 1, "class": "form-control text-end"}),
            )

    def counts(self) -> dict[str, int]:
        """Only call after is_valid(): the non-zero counts by organisation type value."""
        return {key: value for key, value in self.cleaned_data.items() if value}

    def total(self) -> int:
        return sum(self.counts().values())


FOREIGN_ROW_MESSAGE = (
    "この画面で編集している記録のものではない行（または他の利用者が削除した行）が送信されました。"
    "何も保存していません。画面を開き直してから、もう一度入力してください。"
)


class OwnRowsFormSetMixin:
    """For model and inline formsets: every posted row id must be one of the formset's own rows.

    Django checks a posted id only against the whole table and, when the row is not among the formset's
    own, quietly builds a new row from the posted fields: a tampered `cases-0-id` of another region's
    case (or a row someone deleted meanwhile) became a silent new record. Here the id must name a row
    of the formset's queryset, an existing row must post its id, and an added row must post none;
    otherwise the formset is invalid with `FOREIGN_ROW_MESSAGE` and nothing is saved.
    """

    def add_fields(self, form, index):
        super().add_fields(form, index)
        field = form.fields.get(self.model._meta.pk.name)
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = self.get_queryset()
            field.error_messages = {
                **field.error_messages,
                "invalid_choice": FOREIGN_ROW_MESSAGE,
                "required": FOREIGN_ROW_MESSAGE,
            }

    def clean(self):
        super().clean()
        name = self.model._meta.pk.name
        foreign = any(name in form.errors for form in self.forms) or any(
            form.cleaned_data.get(name) is not None for form in self.extra_forms if form.is_valid()
        )
        if foreign:
            raise forms.ValidationError(FOREIGN_ROW_MESSAGE, code="foreign_row")


class OwnRowsInlineFormSet(OwnRowsFormSetMixin, BaseInlineFormSet):
    """An inline formset (a meeting's action items, its cases) that refuses rows of other records."""


class OwnRowsModelFormSet(OwnRowsFormSetMixin, BaseModelFormSet):
    """A model formset over a queryset (a sheet edition's rows) that refuses rows outside it."""
