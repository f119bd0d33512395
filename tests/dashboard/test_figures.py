"""Dashboard charts are built by plotly once per distinct content and then come from the cache
(bench/CHANGES.md: building the figures was most of the dashboard's time)."""

import plotly.graph_objects as go
import pytest
from django.core.cache import cache

from dashboard import figures
from dashboard.figures import FigureCalls


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def _calls(y):
    calls = FigureCalls()
    calls.add_trace("Scatter", x=["2021-06-30", "2022-06-30"], y=y, mode="lines+markers", name="長期在院者数")
    calls.add_hline(y=2, line={"dash": "dash"}, annotation_text="目安", annotation_position="top left")
    calls.update_layout(height=380, yaxis={"title": {"text": "人"}, "rangemode": "tozero"})
    return calls


def test_it_gives_what_plotly_gives_for_the_same_calls():
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(x=["2021-06-30", "2022-06-30"], y=[3, 4], mode="lines+markers", name="長期在院者数")
    )
    figure.add_hline(y=2, line={"dash": "dash"}, annotation_text="目安", annotation_position="top left")
    figure.update_layout(height=380, yaxis={"title": {"text": "人"}, "rangemode": "tozero"})
    expected = figure.to_plotly_json()
    data = _calls([3, 4]).data()
    assert "template" not in data["layout"]
    assert data["data"][0]["y"] == [3, 4] and data["data"][0]["name"] == expected["data"][0]["name"]
    assert data["layout"]["shapes"][0]["y0"] == 2 and data["layout"]["height"] == 380


def test_the_same_calls_are_built_once_and_other_data_is_built_again(monkeypatch):
    built = []
    real = FigureCalls.build

    def counting(self):
        built.append(1)
        return real(self)

    monkeypatch.setattr(figures.FigureCalls, "build", counting)
    first = _calls([3, 4]).data()
    assert _calls([3, 4]).data() == first
    assert len(built) == 1
    changed = _calls([3, 5]).data()
    assert len(built) == 2 and changed["data"][0]["y"] == [3, 5]
