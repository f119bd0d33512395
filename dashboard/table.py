"""A table the dashboard shows and offers for download (CSV / Excel): a header and rows of plain values."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from decimal import Decimal


def plain_number(value):
    """A Decimal as an int when whole, else a float (CSV / Excel cells and chart data): 3496.000 → 3496."""
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass
class Table:
    """A table shown on the page and downloaded as CSV / Excel: a header and rows of plain values."""

    key: str
    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)

    @functools.cached_property
    def body_html(self):
        """The rows as the page shows them (first cell a row header, blanks as －), built in one pass:
        through the template engine each cell cost ~15 µs, tens of ms for the 500-odd rows twenty years
        of eight regions make (bench/CHANGES.md). The markup is the one data_table.html had. Kept with the
        table, so a dashboard taken from the cache (dashboard.overview) does not build it again."""
        from django.utils.formats import localize
        from django.utils.html import format_html
        from django.utils.safestring import mark_safe

        if not self.rows:
            return format_html('<tr><td colspan="{}">データがありません。</td></tr>', len(self.header))
        blank = mark_safe('<span class="text-body-secondary">－</span>')
        lines = []
        for row in self.rows:
            cells = (
                [format_html('<th scope="row" class="fw-normal">{}</th>', localize(row[0]))] if row else []
            )
            cells += [
                format_html('<td class="text-end">{}</td>', blank if cell == "" else localize(cell))
                for cell in row[1:]
            ]
            lines.append("<tr>" + "".join(cells) + "</tr>")
        return mark_safe("\n".join(lines))
