"""The comparison's two plotly charts as plain plotly.js JSON ({data, layout}).

Written as the JSON plotly.js reads rather than through plotly's Python objects: the figure is small,
needs no validation pass, and `national` sits below `dashboard` (whose `FigureCalls` caches the
dashboard's heavier figures). The page embeds it with `json_script` and `static/indicators/charts.js`
draws it (no inline script: the CSP forbids it); the same values are always in the table beside it.
"""

from __future__ import annotations

from decimal import Decimal

from national.comparison import Line, PeriodRef, Ranking

HIGHLIGHT = "#c0392b"  # the portal's prefecture
BAR = "#8fa9c7"
NATION = "#1d4e89"
TARGET = "#1e8449"
PEER_COLOURS = ["#8e44ad", "#d35400", "#16a085", "#7f8c8d", "#b7950b"]
FONT = {"family": "Noto Sans CJK JP, Noto Sans JP, sans-serif", "size": 12}


def _number(value: Decimal) -> float:
    return float(value)


def ranking_figure(ranking: Ranking, *, target=None, target_label: str = "") -> dict:
    """Horizontal bars, rank 1 at the top, the portal's bar in red; 全国 (blue dashed) and the portal's
    target in force (green dotted) as vertical lines."""
    ranked = [e for e in ranking.entries if e.value is not None]
    unit = ranking.indicator.unit
    names = [f"{e.rank}. {e.short_name}" for e in ranked]
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "x": [_number(e.value) for e in ranked],
            "y": names,
            "marker": {"color": [HIGHLIGHT if e.is_portal else BAR for e in ranked]},
            "text": [e.value_text for e in ranked],
            "hovertemplate": "%{y}: %{text}<extra></extra>",
            "name": ranking.indicator.name_ja,
            "showlegend": False,
        }
    ]
    shapes, annotations = [], []
    lines = []
    if ranking.nation is not None and ranking.nation.value is not None:
        lines.append((ranking.nation.name, ranking.nation.value, NATION, "dash"))
    if target is not None:
        lines.append((target_label or "目標", target, TARGET, "dot"))
    for n, (label, value, colour, dash) in enumerate(lines):
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": _number(value),
                "x1": _number(value),
                "y0": 0,
                "y1": 1,
                "line": {"color": colour, "width": 2, "dash": dash},
            }
        )
        annotations.append(
            {
                "xref": "x",
                "yref": "paper",
                "x": _number(value),
                "y": 1.0 + 0.02 * (n + 1),
                "text": label,
                "showarrow": False,
                "font": {"color": colour, "size": 11},
            }
        )
    layout = {
        "font": FONT,
        "height": max(260, 18 * len(ranked) + 110),
        "margin": {"l": 100, "r": 20, "t": 50, "b": 40},
        "yaxis": {"autorange": "reversed", "automargin": True, "tickfont": {"size": 11}},
        "xaxis": {"title": {"text": unit}, "rangemode": "tozero"},
        "shapes": shapes,
        "annotations": annotations,
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
        "bargap": 0.25,
    }
    return {"data": data, "layout": layout}


def over_time_figure(periods: list[PeriodRef], lines: list[Line], unit: str) -> dict:
    """The portal (red, thick), 全国 (blue, dashed) and each peer over the periods that have values."""
    labels = [p.label for p in periods]
    data = []
    peer = 0
    for line in lines:
        if line.role == "portal":
            style = {"color": HIGHLIGHT, "width": 3}
        elif line.role == "nation":
            style = {"color": NATION, "width": 2, "dash": "dash"}
        else:
            style = {"color": PEER_COLOURS[peer % len(PEER_COLOURS)], "width": 1.5}
            peer += 1
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": line.name,
                "x": labels,
                "y": [_number(line.points[p.key]) if p.key in line.points else None for p in periods],
                "line": style,
                "connectgaps": False,
            }
        )
    layout = {
        "font": FONT,
        "height": 360,
        "margin": {"l": 60, "r": 20, "t": 20, "b": 60},
        "xaxis": {"type": "category"},
        "yaxis": {"title": {"text": unit}},
        "legend": {"orientation": "h", "y": -0.2},
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
    }
    return {"data": data, "layout": layout}
