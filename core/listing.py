"""Small helpers shared by the apps' list pages."""

from __future__ import annotations


def query_without_page(request) -> str:
    """The list's GET parameters (its filters) without `page`, url-encoded, for page and export links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
