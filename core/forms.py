"""Form pieces shared by meetings and training.

- `OrganisationCountsForm`: one non-negative count per `core.categories.OrganisationType`, shown on the
  same page as the record's main form (no JavaScript, no formset management form). Meetings count
  participants with it, training counts attendees.
- `VersionField` / `VersionedModelForm` / `StaleVersionError`: optimistic locking. The edit form carries
  the version it was loaded with; the service refuses to save when the stored version has moved on (the
  error carries the stored record, for `core.changes.conflict_rows`).
"""

from __future__ import annotations

from django import forms

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
