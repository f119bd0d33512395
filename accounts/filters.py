"""The audit log's filters (GET): one FilterSet applied to both tables the log reads.

AuditEvent and ChangeRecord share `at` and `username`, so the same filters narrow both; `kind`
picks the table (the data changes are ChangeRecords, everything else AuditEvents). The screen and
its CSV export build the same FilterSet.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.utils import timezone

from core.auditlog import DATA_CHANGE, KIND_CHOICES
from core.filters import ListFilterSet
from core.models import AuditEvent, ChangeRecord
from core.validators import filter_date


def _start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min))


class AuditFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("期間の開始日が終了日より後になっています。")
        return data


class AuditLogFilter(ListFilterSet):
    """Every field optional; bad values are reported, not guessed (the view then lists nothing)."""

    date_from = django_filters.DateFilter(
        label="期間（から）",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[filter_date("期間（から）")],
        method=lambda queryset, name, value: queryset.filter(at__gte=_start_of(value)),
    )
    date_to = django_filters.DateFilter(
        label="期間（まで）",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[filter_date("期間（まで）")],
        # the whole last day: before the start of the next one
        method=lambda queryset, name, value: queryset.filter(at__lt=_start_of(value + timedelta(days=1))),
    )
    username = django_filters.CharFilter(label="利用者名", max_length=150, lookup_expr="icontains")
    kind = django_filters.ChoiceFilter(
        label="種類", choices=KIND_CHOICES, empty_label="すべて", method="by_kind"
    )

    class Meta:
        form = AuditFilterForm

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, AuditEvent.objects.all(), *args, **kwargs)

    def by_kind(self, queryset, name, value):
        if queryset.model is ChangeRecord:
            return queryset if value == DATA_CHANGE else queryset.none()
        return queryset.none() if value == DATA_CHANGE else queryset.filter(kind=value)

    def _filtered(self, queryset):
        return self.filter_queryset(queryset) if self.is_filtering() else queryset

    def events(self):
        return self._filtered(AuditEvent.objects.all())

    def changes(self):
        return self._filtered(ChangeRecord.objects.all())
