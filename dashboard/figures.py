"""Plotly figures recorded as calls and built once per distinct content.

Building a figure through plotly's object model validates every property: 10–25 ms a chart, and
the dashboard draws several on every view, although the same data always gives the same figure
(measured in bench/: most of the dashboard's time). A chart records its calls on `FigureCalls`;
`data()` returns the figure's JSON data, built by plotly the first time those exact calls are
seen and then taken from the cache, keyed by a hash of the calls — so any change in the data,
the labels or the styling is a different key, never a stale chart.
"""

from __future__ import annotations

import hashlib
import json

from django.core.cache import cache

CACHE_SECONDS = 24 * 3600


class FigureCalls:
    """`add_trace("Scatter", x=…, …)`, `add_hline(…)`, `update_layout(…)` as on a plotly Figure."""

    def __init__(self):
        self._calls: list[list] = []

    def add_trace(self, trace_type: str, **properties) -> None:
        self._calls.append(["trace", trace_type, properties])

    def add_hline(self, **properties) -> None:
        self._calls.append(["hline", "", properties])

    def update_layout(self, **properties) -> None:
        self._calls.append(["layout", "", properties])

    def key(self) -> str:
        payload = json.dumps(self._calls, sort_keys=True, ensure_ascii=False, default=str)
        return "plotly-figure:" + hashlib.sha256(payload.encode()).hexdigest()

    def data(self) -> dict:
        """The figure as plotly's JSON data (its default template left out, as the page sets its own)."""
        key = self.key()
        text = cache.get(key)
        if text is None:
            text = self.build()
            cache.set(key, text, CACHE_SECONDS)
        return json.loads(text)

    def build(self) -> str:
        import plotly.graph_objects as go

        figure = go.Figure()
        for kind, trace_type, properties in self._calls:
            if kind == "trace":
                figure.add_trace(getattr(go, trace_type)(**properties))
            elif kind == "hline":
                figure.add_hline(**properties)
            else:
                figure.update_layout(**properties)
        data = json.loads(figure.to_json())
        data["layout"].pop("template", None)
        return json.dumps(data, ensure_ascii=False)
