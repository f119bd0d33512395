"""The filters of the 「確認が必要な値」 list: indicator, area and whether checked (core.filters)."""

from __future__ import annotations

import django_filters

from core.filters import ListFilterSet
from indicators.areas import AreaIndex
from indicators.models import Indicator

UNRESOLVED, RESOLVED = "open", "resolved"


class FlaggedValueFilter(ListFilterSet):
    bar_col = "col-auto"

    indicator = django_filters.ChoiceFilter(
        label="指標", empty_label="すべての指標", method="filter_indicator"
    )
    area = django_filters.ChoiceFilter(label="地域", empty_label="すべての地域", method="filter_area")
    resolved = django_filters.ChoiceFilter(
        label="確認",
        choices=[(UNRESOLVED, "未確認"), (RESOLVED, "確認済み")],
        empty_label="すべて",
        method="filter_resolved",
    )

    def __init__(self, data=None, *args, prefecture, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.areas = AreaIndex(prefecture)
        self.filters["indicator"].extra["choices"] = [
            (i.code, i.name_ja)
            for i in Indicator.objects.order_by("display_order", "code").only("code", "name_ja")
        ]
        self.filters["area"].extra["choices"] = self.areas.choices()

    def filter_indicator(self, queryset, name, value):
        return queryset.filter(observation__indicator__code=value)

    def filter_area(self, queryset, name, value):
        return queryset.filter(observation__area_key=self.areas.get(value).key)

    def filter_resolved(self, queryset, name, value):
        return queryset.filter(resolved_at__isnull=value == UNRESOLVED)
