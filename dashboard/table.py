"""A table the dashboard shows and offers for download (CSV / Excel): a header and rows of plain values.

A cell the published view hides (a small count: `indicators.small_counts.Hidden`) stays in the rows
as it is; the page draws the rows for its reader (`body_html_for`), a download always as the public
sees them (`public_rows`: 「＊」, and the legend under the rows).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from indicators import small_counts


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
    _bodies: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def has_hidden(self) -> bool:
        return any(isinstance(cell, small_counts.Hidden) for row in self.rows for cell in row)

    def public_rows(self) -> list[list]:
        """The rows as every download has them, whoever asks: hidden cells 「＊」, then the legend."""
        rows = [[small_counts.public(cell) for cell in row] for row in self.rows]
        if self.has_hidden:
            rows.append([small_counts.legend()])
        return rows

    @property
    def body_html(self):
        """The rows as the public sees them (see `body_html_for`)."""
        return self.body_html_for(small_counts.PUBLIC)

    def body_html_for(self, reader):
        """The rows as `reader` sees them (first cell a row header, blanks as －), built in one pass:
        through the template engine each cell cost ~15 µs, tens of ms for the 500-odd rows twenty years
        of eight regions make (bench/CHANGES.md). The markup is the one data_table.html had. Kept with the
        table per reader key, so a dashboard taken from the cache (dashboard.overview) does not build the
        public one again."""
        built = self._bodies.get(reader.key)
        if built is None:
            built = self._bodies[reader.key] = self._build(reader)
        return built

    def _build(self, reader):
        from django.utils.formats import localize
        from django.utils.html import format_html
        from django.utils.safestring import mark_safe

        if not self.rows:
            return format_html('<tr><td colspan="{}">データがありません。</td></tr>', len(self.header))
        blank = mark_safe('<span class="text-body-secondary">－</span>')

        def shown(cell):
            if isinstance(cell, small_counts.Hidden):
                text = cell.text if isinstance(cell.text, str) else localize(cell.text)
                return reader.show(replace(cell, text=text))
            return blank if cell == "" else localize(cell)

        lines = []
        for row in self.rows:
            cells = (
                [format_html('<th scope="row" class="fw-normal">{}</th>', localize(row[0]))] if row else []
            )
            cells += [format_html('<td class="text-end">{}</td>', shown(cell)) for cell in row[1:]]
            lines.append("<tr>" + "".join(cells) + "</tr>")
        return mark_safe("\n".join(lines))
