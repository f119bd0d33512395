"""The meeting list's and the case list's filters (GET), shared by the lists and their exports."""

from __future__ import annotations

import django_filters
from django import forms

from accounts import roles
from core.filters import ListFilterSet, keep
from meetings.forms import fiscal_year_choices
from meetings.models import CaseStatus, MeetingKind, MeetingStatus
from regions.models import Region

PREFECTURE_WIDE = "prefecture"


def _by_region(queryset, name, value):
    if value == PREFECTURE_WIDE:
        return queryset.for_region(None)
    return queryset.filter(region_id=int(value))


class MeetingFilter(ListFilterSet):
    """年度 / 圏域 (or 県全域) / 種別 / 状況 / 当事者の参加なし / free text; officials may also list deleted
    meetings."""

    bar_col = "col-6 col-md-2"
    bar_search_col = "col-6 col-md-3"

    fiscal_year = django_filters.ChoiceFilter(
        label="年度",
        choices=fiscal_year_choices,
        empty_label=None,  # fiscal_year_choices starts with its own "すべての年度"
        method=lambda queryset, name, value: queryset.in_fiscal_year(int(value)),
    )
    region = django_filters.ChoiceFilter(label="圏域", empty_label="すべての圏域", method=_by_region)
    kind = django_filters.ChoiceFilter(label="種別", choices=MeetingKind.choices, empty_label="すべての種別")
    status = django_filters.ChoiceFilter(label="状況", choices=MeetingStatus.choices, empty_label="すべて")
    q = django_filters.CharFilter(
        label="検索（会議名・議題）",
        max_length=100,
        help_text="スペースで区切った語をすべて含む会議を表示します（全角・半角、大文字・小文字は区別しません）",
        # core.search over the normalised search_text column: every term, any width or case
        method=lambda queryset, name, value: queryset.search(value),
    )
    no_peer = django_filters.BooleanFilter(
        label="当事者の参加なし",
        widget=forms.CheckboxInput(
            attrs={"title": "開催済の圏域連絡調整会議・協議の場で、当事者・ピアサポーターの参加がない会議"}
        ),
        method=lambda queryset, name, value: queryset.without_peer() if value else queryset,
    )
    deleted = django_filters.BooleanFilter(
        label="削除済みの会議を表示", widget=forms.CheckboxInput, method=keep
    )

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["region"].extra["choices"] = [
            (PREFECTURE_WIDE, "県全域"),
            *Region.objects.order_by("display_order", "code").choices(),
        ]
        if not roles.is_prefecture(user):
            del self.filters["deleted"]

    def base(self, queryset, data):
        return queryset.deleted() if data.get("deleted") else queryset.alive()


class CaseFilter(ListFilterSet):
    """The case list: 圏域 (of the regions the user may see in detail) and 状況."""

    bar_col = "col-auto"

    @property
    def form(self):
        form = super().form
        form.auto_id = "case-%s"  # the ids the case list has always had (another list's bar may share a page)
        return form

    region = django_filters.ChoiceFilter(label="圏域", empty_label="すべて", field_name="region_id")
    status = django_filters.ChoiceFilter(label="状況", choices=CaseStatus.choices, empty_label="すべて")

    def __init__(self, data=None, *args, regions, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["region"].extra["choices"] = [(str(r.pk), r.full_name) for r in regions]


OWN_REGIONS = "own"


class ActionFilter(ListFilterSet):
    """The open action items: 圏域 (health-centre staff start on their own) and 期限超過のみ."""

    bar_col = "col-auto"

    region = django_filters.ChoiceFilter(label="圏域", empty_label="すべての圏域", method="filter_region")
    overdue = django_filters.BooleanFilter(
        label="期限超過のみ", widget=forms.CheckboxInput, method="filter_overdue"
    )

    def __init__(self, data=None, *args, user, today, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.user, self.today = user, today
        own = [(OWN_REGIONS, "担当圏域")] if roles.is_health_centre_staff(user) else []
        self.filters["region"].extra["choices"] = [
            *own,
            (PREFECTURE_WIDE, "県全域"),
            *Region.objects.order_by("display_order", "code").choices(),
        ]

    def filter_region(self, queryset, name, value):
        if value == PREFECTURE_WIDE:
            return queryset.filter(meeting__region__isnull=True)
        if value == OWN_REGIONS:
            return queryset.filter(meeting__region__in=roles.editable_region_ids(self.user) or [])
        return queryset.filter(meeting__region_id=int(value))

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue(self.today) if value else queryset
