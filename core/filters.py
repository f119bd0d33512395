"""The base of every list's FilterSet (django-filter): one rule for input the form refuses.

Each app keeps its lists' filters in `<app>/filters.py`; the list view and its CSV / Excel export
build the same FilterSet from `request.GET`, so a download always holds the rows the page shows.
"""

from __future__ import annotations

import django_filters


class ListFilterSet(django_filters.FilterSet):
    """A FilterSet whose invalid input filters nothing.

    django-filter applies the fields that validated and drops the others, so a list could come back
    filtered by half of what was asked; here the form shows its (Japanese) errors and the list is the
    unfiltered one, as the hand-written filters before it did. `base()` gives the rows every filter
    starts from (the soft-delete rule lives there), valid or not.
    """

    def base(self, queryset, data: dict):
        """The rows before any filter: `data` is the cleaned input, empty when unbound or invalid."""
        return queryset

    def is_filtering(self) -> bool:
        return self.is_bound and self.form.is_valid()

    @property
    def qs(self):
        if not hasattr(self, "_qs"):
            valid = self.is_filtering()
            queryset = self.base(self.queryset.all(), self.form.cleaned_data if valid else {})
            self._qs = self.filter_queryset(queryset) if valid else queryset
        return self._qs


def keep(queryset, name, value):
    """The method of a filter that `base()` applies (so filter_queryset leaves the rows alone)."""
    return queryset
