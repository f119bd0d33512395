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
  adjacent characters of the text (`SEARCH_GRAMS_FUNCTION`) — narrows the rows to those that
  hold every pair of the term, and `LIKE` then keeps those holding the whole term. SQLite reads
  the column (fast enough at national scale; bench/RESULTS.md).
"""

from __future__ import annotations

import re
import unicodedata

from django.db import connections
from django.db.models import BooleanField, Expression, F, Q

_SPACE_RE = re.compile(r"\s+")

# PostgreSQL: the distinct characters and adjacent pairs of characters of a text, without white
# space. IMMUTABLE so that an expression index can use it. `query_grams` below is its Python twin.
SEARCH_GRAMS_FUNCTION = r"""
CREATE OR REPLACE FUNCTION portal_search_grams(document text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT gram), '{}'::text[])
    FROM (
        SELECT substr(document, i, 1) AS gram FROM generate_series(1, length(document)) AS i
        UNION ALL
        SELECT substr(document, i, 2) FROM generate_series(1, length(document) - 1) AS i
    ) AS grams
    WHERE gram !~ '\s'
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


class _HasAllGrams(Expression):
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


def search_filter(queryset, query: str, column: str = "search_text"):
    """Rows of `queryset` whose `column` contains every term of `query` (all rows if it has none)."""
    for term in query_terms(query):
        condition = Q(**{f"{column}__contains": term})
        if connections[queryset.db].vendor == "postgresql":
            queryset = queryset.filter(_HasAllGrams(column, query_grams(term)))
        queryset = queryset.filter(condition)
    return queryset
