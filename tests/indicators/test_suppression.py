"""Small counts, the pure algorithm (indicators.suppression): primary suppression, zero, secondary
suppression to a fixed point across rows and columns, and a constructed table where hiding only the
small cell (the naive rule) lets anyone work it out from the totals."""

import random
from decimal import Decimal

import pytest

from indicators.suppression import (
    Line,
    grid_lines,
    is_small,
    primary,
    secondary,
    suppress,
    suppress_grid,
)

T = 10

# The constructed table: 1年以上の長期在院者 by region, 65歳以上 / 65歳未満 and their total, with the
# prefecture's row (published by the prefecture: never hidden). Only 岩国's 65歳以上 is small.
REGIONS = ["岩国", "柳井", "周南", "山口・防府", "宇部・小野田", "下関", "長門", "萩"]
ROWS = {
    "岩国": (6, 15),
    "柳井": (40, 20),
    "周南": (50, 30),
    "山口・防府": (70, 35),
    "宇部・小野田": (60, 25),
    "下関": (90, 45),
    "長門": (25, 12),
    "萩": (30, 18),
}
OVER, UNDER, TOTAL, PREF = "65歳以上", "65歳未満", "計", "県"


def constructed_grid() -> dict:
    grid = {}
    for name, (over, under) in ROWS.items():
        grid[(name, OVER)], grid[(name, UNDER)], grid[(name, TOTAL)] = over, under, over + under
    for column in (OVER, UNDER, TOTAL):
        grid[(PREF, column)] = sum(grid[(name, column)] for name in REGIONS)
    return grid


PREF_ROW = frozenset((PREF, c) for c in (OVER, UNDER, TOTAL))


def worked_out(values: dict, lines: list[Line], hidden) -> dict:
    """What a reader recovers from the shown cells: a line with one unknown left gives it (total minus
    the shown parts, or the parts' sum), and each recovered cell may open another line."""
    known = {k: v for k, v in values.items() if k not in hidden and v is not None}
    recovered = {}
    changed = True
    while changed:
        changed = False
        for line in lines:
            if line.total is None or values.get(line.total) is None:
                continue
            cells = [k for k in line.cells if values.get(k) is not None]
            unknown = [k for k in cells if k not in known]
            if len(unknown) != 1:
                continue
            (cell,) = unknown
            parts_known = sum(known[k] for k in line.parts if k in known)
            value = known[line.total] - parts_known if cell != line.total else parts_known
            known[cell] = recovered[cell] = value
            changed = True
    return recovered


# --- primary ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "small"),
    [(0, False), (1, True), (9, True), (10, False), (None, False), (Decimal("9.000"), True)],
)
def test_it_hides_one_to_threshold_minus_one_and_shows_zero(value, small):
    assert is_small(value, T) is small


def test_primary_hides_the_small_cells_but_never_a_fixed_one():
    values = {"a": 0, "b": 3, "c": 10, "d": 9, "e": None}
    assert primary(values, threshold=T) == {"b", "d"}
    assert primary(values, threshold=T, fixed={"d"}) == {"b"}
    assert primary(values, threshold=5) == {"b"}


def test_a_line_of_zeros_and_large_counts_hides_nothing():
    values = {"total": 40, "a": 0, "b": 40, "c": 0}
    assert suppress(values, [Line("total", ("a", "b", "c"))], threshold=T) == frozenset()


# --- secondary -------------------------------------------------------------------------------------


def test_the_naive_rule_leaks_the_small_cell_of_the_constructed_table():
    grid = constructed_grid()
    lines = grid_lines([*REGIONS, PREF], [OVER, UNDER, TOTAL], total_row=PREF, total_column=TOTAL)
    naive = primary(grid, threshold=T, fixed=PREF_ROW)
    assert naive == {("岩国", OVER)}
    # 岩国's total minus its 65歳未満, or the prefecture's 65歳以上 minus the other regions: 6 either way.
    assert worked_out(grid, lines, naive) == {("岩国", OVER): 6}


def test_secondary_suppression_protects_the_constructed_table():
    grid = constructed_grid()
    lines = grid_lines([*REGIONS, PREF], [OVER, UNDER, TOTAL], total_row=PREF, total_column=TOTAL)
    hidden = suppress_grid(grid, threshold=T, total_row=PREF, total_column=TOTAL, fixed=PREF_ROW)
    # 岩国's row takes its next smallest (65歳未満 15); the 65歳以上 column its next smallest (長門 25);
    # the 65歳未満 column, now with one hidden cell, 長門's 12; 長門's row then has two.
    assert hidden == {("岩国", OVER), ("岩国", UNDER), ("長門", OVER), ("長門", UNDER)}
    assert worked_out(grid, lines, hidden) == {}
    assert not hidden & PREF_ROW
    assert all((name, TOTAL) not in hidden for name in REGIONS)


def test_no_line_is_left_with_exactly_one_hidden_cell():
    grid = constructed_grid()
    lines = grid_lines([*REGIONS, PREF], [OVER, UNDER, TOTAL], total_row=PREF, total_column=TOTAL)
    hidden = suppress(grid, lines, threshold=T, fixed=PREF_ROW)
    assert all(sum(1 for c in line.cells if c in hidden) != 1 for line in lines)


def test_it_iterates_to_a_fixed_point_across_rows_and_columns():
    #        c1  c2 | total
    # r1      5  15 |  20      (and e = 3 in row 2, outside the columns)
    # r2     30  12 |  45
    values = {"r1": 20, "a": 5, "b": 15, "r2": 45, "c": 30, "d": 12, "e": 3, "c1": 35, "c2": 27}
    lines = [
        Line("c2", ("b", "d")),
        Line("c1", ("a", "c")),
        Line("r1", ("a", "b")),
        Line("r2", ("c", "d", "e")),
    ]
    # Column 2 has no hidden cell when first read; row 1 then hides b beside a, and only a second
    # pass over column 2 sees that b alone could be worked out (27 − 12) and hides d. Stopping after
    # one pass would give b back, and with it a, then c, then e.
    one_pass = {"a", "e", "c", "b"}
    assert worked_out(values, lines, one_pass) == {"b": 15, "a": 5, "c": 30, "e": 3}
    hidden = suppress(values, lines, threshold=T)
    assert hidden == {"a", "b", "c", "d", "e"}
    assert worked_out(values, lines, hidden) == {}
    assert secondary(values, lines[2:3], {"a"}) == {"a", "b"}


def test_the_next_cell_is_the_smallest_non_zero_one_never_a_zero_or_a_fixed_one():
    values = {"total": 30, "small": 4, "zero": 0, "fixed": 11, "big": 15}
    hidden = suppress(
        values, [Line("total", ("small", "zero", "fixed", "big"))], threshold=T, fixed={"fixed"}
    )
    assert hidden == {"small", "big"}


def test_a_zero_is_hidden_only_when_the_line_has_nothing_else():
    # The prefecture publishes 5; one region has all 5, the others none: 5 − 0 − 0 would give it.
    values = {"pref": 5, "a": 5, "b": 0, "c": 0}
    hidden = suppress(values, [Line("pref", ("a", "b", "c"))], threshold=T, fixed={"pref"})
    assert hidden == {"a", "b"}
    assert worked_out(values, [Line("pref", ("a", "b", "c"))], hidden) == {}


def test_equal_values_go_to_the_cell_met_first():
    values = {"total": 44, "a": 3, "b": 20, "c": 20, "d": 1}
    assert suppress(values, [Line("total", ("a", "b", "c", "d"))], threshold=T) == {"a", "d"}
    values = {"total": 43, "a": 3, "b": 20, "c": 20}
    assert suppress(values, [Line("total", ("a", "b", "c"))], threshold=T) == {"a", "b"}


def test_a_small_total_with_its_parts_shown_is_covered_by_a_part():
    values = {"total": 8, "a": 0, "b": 8}
    # total 8 and b 8 are both small: two hidden cells, nothing to add
    assert suppress(values, [Line("total", ("a", "b"))], threshold=T) == {"total", "b"}
    values = {"total": 9, "a": 0, "b": 12}  # inconsistent data: the parts' sum would still give the total
    assert suppress(values, [Line("total", ("a", "b"))], threshold=T) == {"total", "b"}


def test_a_line_without_its_total_reveals_nothing_and_is_left_alone():
    values = {"a": 3, "b": 40}
    assert suppress(values, [Line("missing", ("a", "b")), Line(None, ("a", "b"))], threshold=T) == {"a"}


def test_cells_hidden_elsewhere_count_in_the_lines_here():
    # A region's count hidden in the table of all regions, read again beside its breakdown.
    values = {"total": 25, "x": 12, "y": 13}
    assert suppress(values, [Line("total", ("x", "y"))], threshold=T) == frozenset()
    assert suppress(values, [Line("total", ("x", "y"))], threshold=T, hidden={"total"}, fixed={"total"}) == {
        "total",
        "x",
    }


@pytest.mark.parametrize("seed", range(20))
def test_on_random_tables_nothing_hidden_can_be_worked_out(seed):
    rng = random.Random(seed)
    rows, columns = [f"r{i}" for i in range(rng.randint(2, 7))], [f"c{j}" for j in range(rng.randint(2, 5))]
    grid = {(r, c): rng.choice([0, 0, 1, 2, 5, 9, 10, 14, 30, 80]) for r in rows for c in columns}
    for r in rows:
        grid[(r, "計")] = sum(grid[(r, c)] for c in columns)
    for c in [*columns, "計"]:
        grid[("県", c)] = sum(grid[(r, c)] for r in rows)
    fixed = {("県", c) for c in [*columns, "計"]}
    lines = grid_lines([*rows, "県"], [*columns, "計"], total_row="県", total_column="計")
    hidden = suppress(grid, lines, threshold=T, fixed=fixed)
    assert primary(grid, threshold=T, fixed=fixed) <= hidden
    assert not hidden & fixed
    assert worked_out(grid, lines, hidden) == {}
