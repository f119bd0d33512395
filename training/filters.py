"""The training-session list's filters (GET), shared by the list and its CSV / Excel exports."""

from __future__ import annotations

import django_filters
from django import forms

from accounts import roles
from core.filters import ListFilterSet, keep
from training.forms import PREFECTURE_WIDE, fiscal_year_choices
from training.models import Course


def _by_region(queryset, name, value):
    if value == PREFECTURE_WIDE:
        return queryset.for_region(None)
    return queryset.filter(region_id=int(value))


class SessionFilter(ListFilterSet):
    """年度, 圏域 (or 県全域), 研修区分; officials may also look at deleted sessions."""

    bar_col = "col-sm-3 col-lg-2"

    fiscal_year = django_filters.ChoiceFilter(
        label="年度",
        empty_label="すべて",
        method=lambda queryset, name, value: queryset.in_fiscal_year(int(value)),
    )
    region = django_filters.ChoiceFilter(label="圏域", empty_label="すべて", method=_by_region)
    course = django_filters.ChoiceFilter(label="研修区分", choices=Course.choices, empty_label="すべて")
    deleted = django_filters.BooleanFilter(label="削除済みを表示", widget=forms.CheckboxInput, method=keep)

    def __init__(self, data=None, *args, years, regions, user, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["fiscal_year"].extra["choices"] = fiscal_year_choices(years)
        self.filters["region"].extra["choices"] = [
            (PREFECTURE_WIDE, "県全域"),
            *((str(r.pk), r.full_name) for r in regions),
        ]
        if not roles.is_prefecture(user):
            del self.filters["deleted"]

    def base(self, queryset, data):
        return queryset.deleted() if data.get("deleted") else queryset.active()
