"""Small counts (issue #17, item 6): which cells of a table of counts of people are not published.

- Primary suppression: a count from 1 to `threshold` − 1 is hidden; 0 is shown as 0 (nobody to find).
- Secondary suppression: a table shows its totals, so a total minus the parts shown would give back a
  hidden part. A *line* is a total and the parts that add up to it (a row, a column, an area and its
  sub-areas, an indicator and its breakdown). Whenever a line has exactly one hidden cell, the smallest
  non-zero shown cell of that line is hidden as well (a zero only if the line has nothing else to
  hide); this is repeated over every line, rows and columns alike, until nothing changes (a fixed
  point: each hiding may open a new gap elsewhere).

Cells that must stay visible (`fixed`: the prefecture's own published figures) are never chosen. A
line whose total is not in the table reveals nothing and is skipped; a part with no value (None) is
neither hidden nor chosen. Ties between equal values go to the cell met first in `values`.

Pure functions over plain values: which cells are hidden depends on the data only, never on who reads
it (`indicators.small_counts` reads the stored values and decides who may see a hidden cell anyway).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

HIDDEN_MARK = "＊"

Number = int | Decimal | float


def is_small(value: Number | None, threshold: int) -> bool:
    """A count the primary rule hides: 1 … threshold − 1 (0 and None are not)."""
    return value is not None and 0 < value < threshold


@dataclass(frozen=True)
class Line:
    """A total and the parts that add up to it (the total may be None: then the line reveals nothing)."""

    total: Hashable | None
    parts: tuple[Hashable, ...]

    @property
    def cells(self) -> tuple[Hashable, ...]:
        return self.parts if self.total is None else (self.total, *self.parts)


def primary(values: Mapping[Hashable, Number | None], *, threshold: int, fixed=frozenset()) -> set:
    """The cells the primary rule hides: 0 < value < threshold, unless fixed."""
    return {key for key, value in values.items() if key not in fixed and is_small(value, threshold)}


def secondary(
    values: Mapping[Hashable, Number | None],
    lines: Iterable[Line],
    hidden: Iterable[Hashable],
    *,
    fixed=frozenset(),
) -> set:
    """`hidden` grown until no line has exactly one hidden cell that another cell could cover.

    In a line with exactly one hidden cell, the smallest non-zero visible cell (not fixed) is hidden —
    a zero only when the line has no other (the prefecture's published 5 over regions of 5, 0, 0
    would give the 5 back); every line is looked at again until a whole pass changes nothing.
    """
    hidden = set(hidden)
    order = {key: index for index, key in enumerate(values)}
    present = [
        [key for key in line.cells if values.get(key) is not None]
        for line in lines
        if line.total is not None and values.get(line.total) is not None
    ]
    changed = True
    while changed:
        changed = False
        for cells in present:
            if sum(1 for key in cells if key in hidden) != 1:
                continue
            free = [key for key in cells if key not in hidden and key not in fixed]
            candidates = [key for key in free if values[key] != 0] or free
            if candidates:
                hidden.add(min(candidates, key=lambda key: (values[key], order[key])))
                changed = True
    return hidden


def suppress(
    values: Mapping[Hashable, Number | None],
    lines: Iterable[Line] = (),
    *,
    threshold: int,
    fixed=frozenset(),
    hidden: Iterable[Hashable] = (),
) -> frozenset:
    """Primary then secondary suppression: the cells of `values` the published view hides.

    `hidden` adds cells already hidden elsewhere (a region's count hidden in the table of all regions,
    read again beside its breakdown), so that the lines here take them into account.
    """
    lines = list(lines)
    start = primary(values, threshold=threshold, fixed=fixed) | set(hidden)
    return frozenset(secondary(values, lines, start, fixed=fixed))


def grid_lines(
    rows: Iterable[Hashable], columns: Iterable[Hashable], *, total_row, total_column
) -> list[Line]:
    """The lines of a table with a total row and a total column: every row and every column.

    Cells are keyed (row, column); `rows` and `columns` include the totals.
    """
    rows, columns = list(rows), list(columns)
    body_rows = [r for r in rows if r != total_row]
    body_columns = [c for c in columns if c != total_column]
    lines = [Line((r, total_column), tuple((r, c) for c in body_columns)) for r in rows]
    lines += [Line((total_row, c), tuple((r, c) for r in body_rows)) for c in columns]
    return lines


def suppress_grid(
    grid: Mapping[tuple[Hashable, Hashable], Number | None],
    *,
    threshold: int,
    total_row,
    total_column,
    fixed=frozenset(),
) -> frozenset:
    """The hidden cells of a table keyed (row, column) whose totals are the row `total_row` and the
    column `total_column` (shown like any cell, and hidden by the same rules when small)."""
    rows = list(dict.fromkeys(r for r, _ in grid))
    columns = list(dict.fromkeys(c for _, c in grid))
    lines = grid_lines(rows, columns, total_row=total_row, total_column=total_column)
    return suppress(grid, lines, threshold=threshold, fixed=fixed)
