"""Substring search over Japanese text that an index can answer, on PostgreSQL and SQLite alike.

Japanese has no spaces between words, so a search for 「退院」 must find 「長期入院者の退院支援」:
the portal searches by substring, not by word. A plain `icontains` over 200,000 meetings reads
every row (bench/CHANGES.md); PostgreSQL's full-text parsers and pg_trgm split on word boundaries
that Japanese does not have, and pg_bigm is not packaged for Debian. So:

* A model that can be searched keeps a `search_text` column: its searchable fields, normalised
  with `normalise()` (NFKC, so ｸﾞﾙｰﾌﾟ and グループ or ＰＳＷ and psw are the same; case folded;
  runs of white space made one space). What matches is defined on that column alone: every term
  of the query, normalised the same way, is a substring of it. Both databases answer the same.
* On PostgreSQL a GIN index on `portal_search_grams(search_text)` — the characters and pairs of
  adjacent characters of the text (`SEARCH_GRAMS_FUNCTION`) — narrows the rows to those holding
  one pair of the term, and `LIKE` then keeps those holding the whole term. SQLite reads the
  column (fast enough at national scale; bench/RESULTS.md).

Which pair, and when: the planner estimates `grams @> ARRAY[a, b, c] AND text LIKE '%abc%'` as if
every pair and the LIKE were independent, which they are not. For a common word such as グループホーム
(17 % of the generated meetings) it then expected a handful of rows and fetched 33,000 through
the index before sorting them by date (about 200 ms), where walking the meetings newest first
finds a page's worth after 160 rows. So a term asks the index for its rarest pair only, by
ANALYZE's own statistics of the index, and only when that pair is rare (`INDEX_SHARE`): then the
index reads few rows; otherwise the term is common and the newest-first walk stops early.
"""

from __future__ import annotations

import re
import time
import unicodedata

from django.db import connections
from django.db.models import BooleanField, Expression, F

_SPACE_RE = re.compile(r"\s+")

# PostgreSQL: the characters and adjacent pairs of characters of a text. IMMUTABLE so that an
# expression index can use it; `query_grams` below is its Python twin. Repeats and pairs with
# white space stay in (the index keeps each key once; no query asks for white space): it is also
# evaluated as a filter on the rows a newest-first walk reads, so it is kept cheap (~0.1 ms).
# Changing it needs a migration that re-creates it and rebuilds every index on it.
SEARCH_GRAMS_FUNCTION = r"""
CREATE OR REPLACE FUNCTION portal_search_grams(document text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT array(
        SELECT substr(document, i, n)
        FROM generate_series(1, length(document)) AS i, (VALUES (1), (2)) AS sizes (n)
    )
$$
"""


def normalise(text: str) -> str:
    """The form both the stored column and the query terms are compared in."""
    # Case folding can leave a text that is no longer NFKC (ǰ folds to j + combining caron):
    # normalise again so that normalising twice changes nothing (a term is normalised as a piece).
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text or "").casefold())
    return _SPACE_RE.sub(" ", text).strip()


def search_text(*fields: str) -> str:
    """The `search_text` column for a record's searchable fields (one field per line)."""
    return "\n".join(normalise(field) for field in fields if field)


def query_terms(query: str) -> list[str]:
    """The terms of what the user typed; 全角スペース separates terms as a space does."""
    seen: list[str] = []
    for term in normalise(query).split(" "):
        if term and term not in seen:
            seen.append(term)
    return seen


def query_grams(term: str) -> list[str]:
    """The grams every text containing `term` has: its adjacent pairs, or the one character."""
    if len(term) == 1:
        return [term]
    return sorted({term[i : i + 2] for i in range(len(term) - 1)})


class _HasGrams(Expression):
    """`portal_search_grams(<column>) @> ARRAY[…]`: the condition the GIN index answers."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, column: str, grams: list[str]):
        super().__init__()
        self.column = F(column)
        self.grams = grams

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, exprs):
        (self.column,) = exprs

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        clone = self.copy()
        clone.column = self.column.resolve_expression(query, allow_joins, reuse, summarize, for_save)
        return clone

    def as_sql(self, compiler, connection):
        column_sql, params = compiler.compile(self.column)
        return f"portal_search_grams({column_sql}) @> %s::text[]", [*params, self.grams]


# A term whose rarest gram more rows hold than this is searched without the index (see above).
INDEX_SHARE = 0.02

# Statistics change when (auto)ANALYZE runs; a stale copy can only make a plan slower, never a
# result different, so each process reads them at most every few minutes.
STATISTICS_SECONDS = 600
_statistics: dict[tuple[str, str], tuple[float, dict[str, float]]] = {}


def gram_frequencies(using: str, index_name: str) -> dict[str, float]:
    """Share of rows holding each common gram, as ANALYZE sampled the gram index ({} before any)."""
    key = (using, index_name)
    cached = _statistics.get(key)
    if cached and time.monotonic() - cached[0] < STATISTICS_SECONDS:
        return cached[1]
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats"
            " WHERE schemaname = current_schema() AND tablename = %s AND most_common_elems IS NOT NULL",
            [index_name],
        )
        row = cursor.fetchone()
    frequencies = dict(zip(row[0], row[1], strict=False)) if row else {}
    _statistics[key] = (time.monotonic(), frequencies)
    return frequencies


def forget_statistics() -> None:
    _statistics.clear()


def rarest_gram(grams: list[str], frequencies: dict[str, float]) -> str:
    """The gram fewest rows hold; one missing from the statistics is rarer than all of them."""
    return min(grams, key=lambda gram: (frequencies.get(gram, 0.0), grams.index(gram)))


def search_filter(queryset, query: str, *, column: str = "search_text", gram_index: str | None = None):
    """Rows of `queryset` whose `column` contains every term of `query` (all rows if it has none).

    `gram_index`: the name of the GIN index on `portal_search_grams(column)` (PostgreSQL).
    """
    terms = query_terms(query)
    use_index = gram_index and connections[queryset.db].vendor == "postgresql"
    frequencies = gram_frequencies(queryset.db, gram_index) if use_index and terms else {}
    for term in terms:
        if use_index:
            gram = rarest_gram(query_grams(term), frequencies)
            if frequencies.get(gram, 0.0) < INDEX_SHARE:
                queryset = queryset.filter(_HasGrams(column, [gram]))
        queryset = queryset.filter(**{f"{column}__contains": term})
    return queryset
