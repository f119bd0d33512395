"""Requests for the pages whose features are still being built on other branches (dashboard, imports).

Each function raises run.NotLanded until the feature is on main, so RESULTS.md lists the page as
not yet measurable instead of inventing a figure.
"""

from __future__ import annotations


class NotLanded(Exception):
    """The page's feature is not on this branch yet (its URL or code is missing)."""


def dashboard_url(ctx, *, region=None) -> str:
    raise NotLanded("ダッシュボード（dashboard）が main にありません")


def import_request(ctx, *, rows: int):
    raise NotLanded("取り込み（dashboard の CSV/Excel 取り込み）が main にありません")
