"""The base of every list's FilterSet (django-filter): one rule for input the form refuses.

Each app keeps its lists' filters in `<app>/filters.py`; the list view and its CSV / Excel export
build the same FilterSet from `request.GET`, so a download always holds the rows the page shows.
"""

from __future__ import annotations

import django_filters

from core.forms import filter_bar_helper


class ListFilterSet(django_filters.FilterSet):
    """A FilterSet whose invalid input filters nothing.

    django-filter applies the fields that validated and drops the others, so a list could come back
    filtered by half of what was asked; here the form shows its (Japanese) errors and the list is the
    unfiltered one, as the hand-written filters before it did. `base()` gives the rows every filter
    starts from (the soft-delete rule lives there), valid or not.
    """

    # The filter bar's columns (core.forms.filter_bar_helper): every field's, the text boxes', one field's.
    bar_col = "col-auto"
    bar_search_col: str | None = None
    bar_cols: dict[str, str] = {}

    @property
    def form(self):
        """The FilterSet's form, drawn as the list's crispy filter bar (`{% crispy filters %}`)."""
        form = super().form
        if not hasattr(form, "helper"):
            form.helper = filter_bar_helper(
                form, col=self.bar_col, search_col=self.bar_search_col, **self.bar_cols
            )
        return form

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
