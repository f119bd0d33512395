"""The overview's downloadable tables (CSV / Excel): the same figures as the page, as plain values."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from core import fiscal
from dashboard.table import Table, plain_number
from indicators.freshness import freshness
from indicators.suppression import HIDDEN_MARK

if TYPE_CHECKING:
    from dashboard.overview.build import Overview


def tables(overview: Overview) -> dict[str, Table]:
    tables: dict[str, Table] = {}
    for table in (
        status_table(overview),
        pace_table(overview),
        matrix_table(overview),
        coverage_table(overview),
    ):
        tables[table.key] = table
    for chart in overview.charts:
        tables[chart.table.key] = chart.table
        if chart.region_table:
            tables[chart.region_table.key] = chart.region_table
    return tables


def status_table(overview: Overview) -> Table:
    header = ["指標", "地域", "最新値", "単位", "時点", "出典", "古いデータ"]
    for plan in overview.selected_plans:
        header += [
            f"目標（{plan.name}）",
            f"目標年度（{plan.name}）",
            f"差（{plan.name}）",
            f"状況（{plan.name}）",
        ]
    status = Table("status", "目標に対する状況", header)
    for row in overview.status_rows:
        line = [
            row.indicator.name_ja,
            overview.area_label,
            row.latest.cell(plain_number(row.latest.value)) if row.latest else "",
            row.indicator.unit,
            row.latest.label if row.latest else "",
            row.latest.provenance if row.latest else "",
            _stale_note(row, overview),
        ]
        for cell in row.cells:
            if cell.target is None:
                line += ["", "", "", cell.status_label]
            else:
                target_text = cell.target_text
                if cell.inherited:
                    target_text += "（県の目標）"
                line += [
                    target_text,
                    fiscal.fiscal_year_label(cell.target.fiscal_year),
                    cell.gap_cell,
                    cell.status_label,
                ]
        status.rows.append(line)
    return status


def _stale_note(row, overview: Overview) -> str:
    """「古いデータ（次の値は令和4年3月ごろ）」 when the latest value is old on the page's day (as on screen)."""
    if row.latest is None or row.latest.period_end is None or overview.judged_on is None:
        return ""
    return freshness(row.indicator, row.latest.period_end, row.latest.label, on=overview.judged_on).note


def pace_table(overview: Overview) -> Table:
    pace = Table(
        "pace",
        "目標までのペース",
        [
            "指標",
            "地域",
            "計画",
            "最新値",
            "目標",
            "目標までの差",
            "これまでのペース（年あたり）",
            "必要なペース（年あたり）",
            "見込み",
        ],
    )
    for chart in overview.charts:
        for row in chart.pace_rows:
            p = row.progress
            remaining = plain_number(p.remaining) if p.remaining is not None and p.remaining > 0 else 0
            pace.rows.append(
                [
                    row.indicator.name_ja,
                    overview.area_label,
                    row.cell.plan.name,
                    row.hidden_with(plain_number(p.latest.value), row.cell.latest) if p.latest else "",
                    row.target_text,
                    row.hidden_with(remaining, row.cell.latest),
                    row.hidden_with(_round(p.observed_per_year), row.cell.latest, row.cell.first),
                    row.hidden_with(_round(p.needed_per_year), row.cell.latest),
                    p.statement,
                ]
            )
    return pace


def matrix_table(overview: Overview) -> Table:
    matrix = Table(
        "matrix",
        "圏域別の状況",
        [
            "圏域",
            *(f"{i.name_ja}（{i.unit}）" if i.unit else i.name_ja for i in overview.matrix_indicators),
            "基準とした計画",
        ],
    )
    for mrow in overview.matrix:
        matrix.rows.append(
            [
                mrow.region.full_name,
                *(_matrix_cell(c) for c in mrow.cells),
                overview.basis_plan.name if overview.basis_plan else "",
            ]
        )
    return matrix


def _matrix_cell(cell):
    """「5,111人 遅れ」; a hidden small count keeps its status: 「＊ 遅れ」."""
    if not cell.value:
        return cell.status_label
    return cell.value.cell(f"{cell.text} {cell.status_label}", public=f"{HIDDEN_MARK} {cell.status_label}")


def coverage_table(overview: Overview) -> Table:
    cov = overview.coverage
    coverage = Table("coverage", "協議の場の設置状況", ["区分", "設置", "対象", "根拠", "設置していない地域"])
    coverage.rows.append(["都道府県", cov.prefecture_label, 1, "", ""])
    coverage.rows.append(
        [
            "障害保健福祉圏域",
            cov.regions_with if cov.regions_with is not None else "未把握",
            cov.regions_total,
            cov.regions_source,
            "、".join(r.full_name for r in cov.regions_without),
        ]
    )
    coverage.rows.append(
        [
            "市町村",
            cov.municipalities_with if cov.municipalities_with is not None else "未把握",
            cov.municipalities_total,
            cov.municipalities_source,
            "、".join(m.name for m in cov.municipalities_without) if cov.without_known else "未把握",
        ]
    )
    return coverage


def _round(value: Decimal | None):
    return "" if value is None else float(round(value, 1))
