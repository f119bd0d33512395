"""The dashboard's entry point: the overview for one 年度 and area, cached on the data it is made from."""

from __future__ import annotations

import hashlib
from datetime import date

from django.core.cache import cache
from django.utils import timezone

from core import versions
from dashboard import activity
from dashboard.overview.build import Overview, indicator_overview
from indicators.areas import portal_prefecture
from indicators.versions import ACTIVITY_DATA, INDICATOR_DATA
from regions.models import Prefecture

# How long a computed dashboard is kept. It is keyed on the data versions, so this only bounds the
# memory of combinations nobody asks for again.
CACHE_SECONDS = 6 * 3600


def _cache_key(kind: str, *parts) -> str:
    return f"dashboard-{kind}:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def dashboard_overview(
    *,
    fiscal_year: int,
    region_code: str | None = None,
    basis_plan_id: int | None = None,
    plan_ids: list[int] | None = None,
    prefecture: Prefecture | None = None,
    today: date | None = None,
) -> Overview:
    """The whole dashboard for one 年度 (values up to its end) and one area (the prefecture, or the region
    whose code is `region_code`; UnknownRegion if it is not one of the prefecture's).

    Most of its time is Python turning twenty years of values into tables and charts, the same for
    every request until the data changes; so the indicator part and the activity part are each
    cached, keyed on what they are for and on the version of the data they are computed from
    (indicators.versions: raised in the transaction of every write to those tables). The versions
    are read before the data, so an entry never holds data older than its key says.
    """
    prefecture = prefecture or portal_prefecture()
    today = today or timezone.localdate()
    indicator_version, activity_version = versions.current(INDICATOR_DATA, ACTIVITY_DATA)
    indicators_key = _cache_key(
        "indicators",
        prefecture.pk,
        fiscal_year,
        region_code,
        basis_plan_id,
        tuple(plan_ids or ()),
        today,
        indicator_version,
    )
    overview = cache.get(indicators_key)
    if overview is None:
        overview = indicator_overview(
            prefecture=prefecture,
            fiscal_year=fiscal_year,
            region_code=region_code,
            basis_plan_id=basis_plan_id,
            plan_ids=plan_ids,
            today=today,
        )
        for table in overview.tables.values():
            table.body_html  # noqa: B018 (built now, to be kept in the cache with the table)
        cache.set(indicators_key, overview, CACHE_SECONDS)

    region = overview.region
    activity_key = _cache_key(
        "activity", prefecture.pk, fiscal_year, region and region.pk, today, activity_version
    )
    act = cache.get(activity_key)
    if act is None:
        act = activity.region_activity(
            prefecture=prefecture,
            regions=overview.regions,
            fiscal_year=fiscal_year,
            region=region,
            today=today,
        )
        act.table.body_html  # noqa: B018
        cache.set(activity_key, act, CACHE_SECONDS)
    overview.activity = act
    overview.tables["activity"] = act.table
    overview.cache_key = _cache_key("page", indicators_key, activity_key)
    return overview
