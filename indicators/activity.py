"""Activity computed from the portal's own records, per region and 年度 (never typed in twice).

Training comes from `training.services.training_summary` (a fixed number of grouped queries).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from core import fiscal
from indicators.dashboard import Table
from regions.models import Prefecture, Region
from training.services import training_summary


@dataclass
class ActivityRow:
    region: Region | None
    training_sessions: int = 0
    training_attendees: int = 0

    @property
    def label(self) -> str:
        return self.region.full_name if self.region else "県全域"


@dataclass
class Activity:
    fiscal_year: int
    rows: list[ActivityRow]
    total: ActivityRow
    in_progress: bool
    figure: dict
    table: Table

    @property
    def has_data(self) -> bool:
        return any(r.training_sessions for r in self.rows)


def region_activity(
    *,
    prefecture: Prefecture,
    regions: list[Region],
    fiscal_year: int,
    region: Region | None,
    today: date | None,
) -> Activity:
    """Per region (or the one selected region) in `fiscal_year`, plus the prefecture-wide row."""
    today = today or timezone.localdate()
    shown = [region] if region else regions
    rows = {r.pk: ActivityRow(region=r) for r in shown}
    if region is None:
        rows[None] = ActivityRow(region=None)
    for summary in training_summary(fiscal_year=fiscal_year, region=region):
        key = summary.region.pk if summary.region else None
        row = rows.get(key)
        if row is not None:
            row.training_sessions = summary.session_count
            row.training_attendees = summary.attendees_total
    total = ActivityRow(region=None)
    for row in rows.values():
        total.training_sessions += row.training_sessions
        total.training_attendees += row.training_attendees
    ordered = list(rows.values())
    table = Table(
        "activity",
        f"圏域別の活動（{fiscal.fiscal_year_label(fiscal_year)}）",
        ["圏域", "研修回数", "研修参加者数"],
        [[r.label, r.training_sessions, r.training_attendees] for r in ordered],
    )
    if len(ordered) > 1:
        table.rows.append(["合計", total.training_sessions, total.training_attendees])
    return Activity(
        fiscal_year=fiscal_year,
        rows=ordered,
        total=total,
        in_progress=today <= fiscal.fiscal_year_range(fiscal_year)[1],
        figure=_figure(ordered),
        table=table,
    )


def _figure(rows: list[ActivityRow]) -> dict:
    import plotly.graph_objects as go

    labels = [r.label for r in rows]
    figure = go.Figure()
    figure.add_trace(
        go.Bar(x=labels, y=[r.training_sessions for r in rows], name="研修回数", marker_color="#1e8449")
    )
    figure.update_layout(
        barmode="group",
        margin={"l": 50, "r": 20, "t": 30, "b": 60},
        height=340,
        font={"family": "IPAexGothic, Noto Sans CJK JP, sans-serif", "size": 12},
        yaxis={"title": {"text": "回"}, "rangemode": "tozero", "dtick": 1, "gridcolor": "#e5e5e5"},
        legend={"orientation": "h", "y": -0.25},
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
    )
    data = json.loads(figure.to_json())
    data["layout"].pop("template", None)
    return data
