"""National data as the import of national wide tables stores it: an Observation per prefecture and
全国 (area_key pref:<code>), and a SourceGap for a cell the table suppressed or left out."""

from __future__ import annotations

from decimal import Decimal

from core.fiscal import fiscal_year_range
from indicators.models import ImportBatch, Indicator, Observation, area_key_for
from national.models import SourceGap
from regions.models import Prefecture


def value_of(prefecture: Prefecture, fiscal_year: int) -> Decimal:
    """A distinct value per prefecture and year: 北海道 10.0, 青森 11.0, … plus the year's offset."""
    return Decimal(int(prefecture.code[:2]) * 10 + (fiscal_year - 2017)) / 10


def observe_area(
    indicator: Indicator, prefecture: Prefecture, value, *, fiscal_year: int, provenance=""
) -> Observation:
    return Observation.objects.create(
        indicator=indicator,
        prefecture=prefecture,
        area_key=area_key_for(prefecture=prefecture),
        period_kind="fiscal_year",
        fiscal_year=fiscal_year,
        period_end=fiscal_year_range(fiscal_year)[1],
        period_key=f"fy:{fiscal_year}",
        value=value,
        provenance=provenance or "NDB（全国表）",
    )


def observe_country(
    indicator: Indicator,
    fiscal_years=(2020,),
    *,
    prefectures=None,
    value=value_of,
    nation_value=Decimal("25.5"),
):
    """Values for `prefectures` (default: all 47) and 全国 for each of `fiscal_years`, in one insert."""
    prefectures = list(prefectures if prefectures is not None else Prefecture.objects.country())
    nation = Prefecture.objects.nation()
    rows = []
    for year in fiscal_years:
        for prefecture in [*prefectures, nation]:
            found = nation_value if prefecture.is_nation else value(prefecture, year)
            if found is None:
                continue
            rows.append(
                Observation(
                    indicator=indicator,
                    prefecture=prefecture,
                    area_key=area_key_for(prefecture=prefecture),
                    period_kind="fiscal_year",
                    fiscal_year=year,
                    period_end=fiscal_year_range(year)[1],
                    period_key=f"fy:{year}",
                    value=found,
                    provenance="NDB（全国表）",
                )
            )
    Observation.objects.bulk_create(rows)
    return rows


def source_gap(
    indicator: Indicator, prefecture: Prefecture, *, fiscal_year: int, kind="suppressed"
) -> SourceGap:
    batch = ImportBatch.objects.create(
        prefecture=Prefecture.objects.portal(),
        file_name="national.xlsx",
        file_format="xlsx",
        status="applied",
    )
    return SourceGap.objects.create(
        indicator=indicator,
        prefecture=prefecture,
        area_key=area_key_for(prefecture=prefecture),
        fiscal_year=fiscal_year,
        period_end=fiscal_year_range(fiscal_year)[1],
        period_key=f"fy:{fiscal_year}",
        kind=kind,
        mark="＊" if kind == "suppressed" else "‐",
        batch=batch,
    )
