"""The dashboard's read model: everything `/indicators/` shows, built in a fixed number of queries.

Every query is scoped to the deployment's prefecture (`settings.PORTAL_PREFECTURE_CODE`) and none is
issued per region, year, indicator or meeting: rows are fetched once and grouped here; each section
is built by its own module (status, pace, matrix, charts, coverage, tables) from the same series, and
the arithmetic is done by the pure functions of `indicators.values` and `dashboard.progress`. Small
counts (`indicators.small_counts`) are marked on the values as they are read; each section keeps them
as Hidden cells, and the page and the downloads show them to their reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core import fiscal
from dashboard import activity
from dashboard.overview import tables as overview_tables
from dashboard.overview.charts import Chart, ChartSpec, charts
from dashboard.overview.coverage import Coverage, coverage
from dashboard.overview.matrix import MatrixRow, matrix_indicators, region_matrix
from dashboard.overview.series import Targets, load_series
from dashboard.overview.status import StatusRow, status_rows
from dashboard.table import Table
from indicators import small_counts
from indicators.models import Indicator, Observation, Plan, Target, area_key_for
from indicators.values import default_basis_plan
from national.comparison import national_standings
from regions.models import Prefecture, Region


class UnknownRegion(LookupError):
    """The region code is not one of the prefecture's regions."""


@dataclass
class Overview:
    prefecture: Prefecture
    fiscal_year: int
    region: Region | None
    regions: list[Region]
    plans: list[Plan]
    selected_plans: list[Plan]
    basis_plan: Plan | None
    years: list[int]
    status_rows: list[StatusRow]
    charts: list[Chart]
    matrix_indicators: list[Indicator]
    matrix: list[MatrixRow]
    coverage: Coverage
    activity: activity.Activity | None  # None until dashboard_overview adds it
    tables: dict[str, Table]
    # What the page's sections are cached under (dashboard.html): both parts' keys.
    cache_key: str = ""
    today: date | None = None

    @property
    def judged_on(self) -> date | None:
        """The day the latest values' freshness is judged on: today, or the selected past 年度's last day."""
        if self.today is None:
            return None
        return min(self.today, fiscal.fiscal_year_range(self.fiscal_year)[1])

    @property
    def status_hidden(self) -> bool:
        return any(row.latest is not None and row.latest.hidden for row in self.status_rows)

    @property
    def matrix_hidden(self) -> bool:
        return any(c.value is not None and c.value.hidden for row in self.matrix for c in row.cells)

    @property
    def area_label(self) -> str:
        return self.region.full_name if self.region else f"{self.prefecture.name}全体"


def indicator_overview(
    *,
    fiscal_year: int,
    region_code: str | None,
    basis_plan_id: int | None,
    plan_ids: list[int] | None,
    prefecture: Prefecture,
    today: date,
) -> Overview:
    """The dashboard without its activity part (see dashboard.overview.cache.dashboard_overview)."""
    regions, region = _regions(prefecture, region_code)
    region_by_key = {area_key_for(prefecture=prefecture, region=r): r for r in regions}
    pref_key = area_key_for(prefecture=prefecture)
    area_key = area_key_for(prefecture=prefecture, region=region) if region else pref_key
    year_end = fiscal.fiscal_year_range(fiscal_year)[1]

    indicators, all_targets = _indicators_and_targets(prefecture)
    by_code = {i.code: i for i in indicators.values()}
    plans, selected_plans, basis_plan = _plans(all_targets, plan_ids, basis_plan_id, fiscal_year)
    targets = Targets(all_targets, pref_key)
    target_indicators = sorted(
        {indicators[t.indicator_id] for t in all_targets}, key=lambda i: (i.display_order, i.code)
    )
    # Which small counts are hidden: read only when an indicator counts people (one query).
    pattern = (
        small_counts.pattern_for(prefecture) if any(i.counts_people for i in indicators.values()) else None
    )
    series = load_series(
        indicators, {i.pk for i in target_indicators}, [pref_key, *region_by_key], year_end, pattern
    )

    spec = ChartSpec.for_area(
        prefecture, regions, region, series, targets, selected_plans, basis_plan, today=today
    )
    matrix_of = matrix_indicators(target_indicators, series, all_targets, set(region_by_key))
    overview = Overview(
        prefecture=prefecture,
        fiscal_year=fiscal_year,
        region=region,
        regions=regions,
        plans=plans,
        selected_plans=selected_plans,
        basis_plan=basis_plan,
        years=[],
        status_rows=status_rows(
            target_indicators,
            series=series,
            targets=targets,
            selected_plans=selected_plans,
            basis_plan=basis_plan,
            area_key=area_key,
        ),
        charts=charts(target_indicators, spec),
        matrix_indicators=matrix_of,
        matrix=region_matrix(
            matrix_of,
            series=series,
            targets=targets,
            basis_plan=basis_plan,
            prefecture=prefecture,
            regions=regions,
            region=region,
        ),
        coverage=coverage(prefecture, regions, region_by_key, by_code, year_end),
        activity=None,
        tables={},
        today=today,
    )
    # 全国's value and the prefecture's rank among the 47, for the latest period both have by the 年度's
    # end (national.comparison: one query, two when national values exist — never per indicator).
    national = national_standings([row.indicator for row in overview.status_rows], prefecture, up_to=year_end)
    for row in overview.status_rows:
        row.national = national.get(row.indicator.pk)
    overview.years = _years(prefecture, fiscal_year, today)
    overview.tables = overview_tables.tables(overview)
    return overview


def _indicators_and_targets(prefecture: Prefecture) -> tuple[dict[int, Indicator], list[Target]]:
    """The active indicators by id, and the prefecture's and its regions' targets for them (two queries)."""
    indicators = {i.pk: i for i in Indicator.objects.filter(is_active=True)}
    all_targets = [
        t
        for t in Target.objects.filter(prefecture=prefecture, municipality__isnull=True).select_related(
            "plan"
        )
        if t.indicator_id in indicators
    ]
    return indicators, all_targets


def _regions(prefecture: Prefecture, region_code: str | None) -> tuple[list[Region], Region | None]:
    """The prefecture's regions and the selected one (UnknownRegion if the code is not one of them)."""
    regions = list(Region.objects.filter(prefecture=prefecture).order_by("display_order", "code"))
    region = None
    if region_code:
        region = next((r for r in regions if r.code == region_code), None)
        if region is None:
            raise UnknownRegion(region_code)
    return regions, region


def _plans(all_targets: list[Target], plan_ids, basis_plan_id, fiscal_year: int):
    """(every plan with targets, the plans shown side by side — the basis first, the basis plan)."""
    plans = sorted({t.plan for t in all_targets}, key=lambda p: (p.first_fiscal_year, p.issuer, p.name))
    plan_by_id = {p.pk: p for p in plans}
    selected_plans = [plan_by_id[i] for i in plan_ids or [] if i in plan_by_id] or plans
    basis_plan = plan_by_id.get(basis_plan_id) or default_basis_plan(plans, fiscal_year)
    if basis_plan and basis_plan not in selected_plans:
        selected_plans = [basis_plan, *selected_plans]
    selected_plans.sort(key=lambda p: (p is not basis_plan, p.first_fiscal_year, p.name))
    return plans, selected_plans, basis_plan


def _years(prefecture: Prefecture, fiscal_year: int, today: date) -> list[int]:
    stored = set(
        Observation.objects.filter(prefecture=prefecture)
        .order_by()
        .values_list("fiscal_year", flat=True)
        .distinct()
    )
    return sorted(stored | {fiscal_year, fiscal.fiscal_year_of(today)}, reverse=True)
