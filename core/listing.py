"""Small helpers shared by the apps' list pages: page numbers and ids read from the query string."""

from __future__ import annotations

# Deeper than any list is paged (25 a page: 2.5 million rows); a larger number would only make an
# OFFSET the database cannot hold (SQLite "datatype mismatch", PostgreSQL "bigint out of range").
MAX_PAGE = 100_000
# The largest id a table has: a posted or linked id beyond it matches nothing (and would overflow
# the query on SQLite).
MAX_ID = 2**31 - 1


def query_without_page(request) -> str:
    """The list's GET parameters (its filters) without `page`, url-encoded, for page and export links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def bounded_int(value, *, minimum: int, maximum: int) -> int | None:
    """`value` as an int when it is one within [minimum, maximum], else None (to be ignored)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:  # not a number, or more digits than Python reads
        return None
    return number if minimum <= number <= maximum else None


def id_param(value) -> int | None:
    """A row id from the query string, or None when it cannot be one."""
    return bounded_int(value, minimum=1, maximum=MAX_ID)


def page_number(request) -> int:
    """The `page` parameter: 1 when missing or not a number, clamped to 1…MAX_PAGE."""
    try:
        number = int(request.GET.get("page", "1").strip())
    except ValueError:  # not a number, or more digits than Python reads
        return 1
    return min(max(1, number), MAX_PAGE)
