"""The dashboard's charts say what the data says: a line only between observed values (a lone value is a
point; targets are markers, never joined to a value by a dashed line), each point under the tick of the
period it measures (a 平成29年度 value at 「H29」, not 「H30(2018)」), no fixed width, and the activity
chart's guideline named in the legend instead of written over the first region's bars."""

from datetime import date
from decimal import Decimal

from core import fiscal
from dashboard.activity import GUIDELINE_NAME
from dashboard.overview.charts import _wareki_ticks, fiscal_year_middle, plot_date
from dashboard.overview.series import Value
from tests.meetings.factories import MeetingFactory

URL = "/indicators/"


def value(when: date, *, whole_fiscal_year: bool) -> Value:
    return Value(1, "pref:35", when, Decimal("48.6"), "", "", whole_fiscal_year=whole_fiscal_year)


def test_a_whole_years_value_is_drawn_in_the_middle_of_its_year():
    # 平成29年度 ends on 2018-03-31: drawn there it sat beside the tick of 2018.
    assert plot_date(value(date(2018, 3, 31), whole_fiscal_year=True)) == date(2017, 10, 1)
    # A value of a day (630調査: 6月30日; a month) stays on its day, inside its 年度.
    assert plot_date(value(date(2017, 6, 30), whole_fiscal_year=False)) == date(2017, 6, 30)
    assert plot_date(value(date(2018, 3, 31), whole_fiscal_year=False)) == date(2018, 3, 31)


def test_ticks_are_one_per_year_labelled_by_that_year():
    ticks = _wareki_ticks([date(2017, 10, 1), date(2021, 6, 30), fiscal_year_middle(2023)])
    assert ticks["ticktext"] == ["H29", "H30", "R1", "R2", "R3", "R4", "R5"]
    assert ticks["tickvals"][0] == "2017-10-01" and ticks["tickvals"][-1] == "2023-10-01"
    assert ticks["range"] == ["2017-04-01", "2024-03-31"]  # from the first 年度's start to the last's end
    many = _wareki_ticks([date(1990, 10, 1), date(2023, 10, 1)])
    assert len(many["ticktext"]) <= 10


def nearest_tick(layout: dict, x: str) -> str:
    """The label of the tick nearest to `x` (an ISO date), as a reader matches a point to the axis."""
    axis = layout["xaxis"]
    day = date.fromisoformat(x[:10])
    distances = [abs((date.fromisoformat(v[:10]) - day).days) for v in axis["tickvals"]]
    return axis["ticktext"][distances.index(min(distances))]


def chart_of(response, key):
    return next(c for c in response.context["overview"].charts if c.key == key)


def test_the_discharge_rate_chart_draws_no_trend_from_a_single_value(client_for, viewer, sheet):
    response = client_for(viewer).get(URL, {"fiscal_year": 2024, "region": ""})
    figure = chart_of(response, "discharge-rate-3m").figure
    traces = figure["data"]
    observed = [t for t in traces if not t["name"].startswith("目標") and t["x"] != [None]]
    targets = [t for t in traces if t["name"].startswith("目標") and t["x"] != [None]]
    assert observed and targets
    # The prefecture has one value per rate (平成29年度, NDB): each is a point, not the start of a line.
    for trace in observed:
        assert len(trace["x"]) == 1 and trace["mode"] == "markers", trace["name"]
    # Targets are markers only; no trace joins a value to a target, dashed or not.
    for trace in traces:
        if "lines" in trace.get("mode", ""):
            assert trace in observed and len(trace["x"]) >= 2, trace["name"]
        assert trace.get("line", {}).get("dash") != "dash", trace["name"]
    assert all(t["mode"] == "markers" for t in targets)
    # The 平成29年度 value stands under 「H29」.
    for trace in observed:
        assert nearest_tick(figure["layout"], trace["x"][0]) == "H29"
    # Each target under the tick of its 年度 (R5, R8 …), as its hover text says.
    for trace in targets:
        fiscal_year = fiscal.fiscal_year_of(date.fromisoformat(trace["x"][0][:10]))
        assert nearest_tick(figure["layout"], trace["x"][0]) == fiscal.wareki_year(fiscal_year, short=True)
        assert f"{fiscal.fiscal_year_label(fiscal_year)}末の目標" in trace["hovertemplate"]


def test_every_point_sits_under_the_period_it_measures(client_for, viewer, sheet):
    response = client_for(viewer).get(URL, {"fiscal_year": 2024, "region": ""})
    checked = 0
    for chart in response.context["overview"].charts:
        layout = chart.figure["layout"]
        for trace in chart.figure["data"]:
            if trace["name"].startswith("目標") or trace["x"] == [None]:
                continue
            for x, label in zip(trace["x"], trace["text"], strict=True):
                # The hover label names the period (平成26年（6月30日時点）, 平成29年度, 令和3年6月):
                # its era year is the tick's.
                tick = nearest_tick(layout, x)
                era = {"H": "平成", "R": "令和"}[tick[0]]
                year = "元" if tick[1:] == "1" else tick[1:]
                assert label.startswith(f"{era}{year}年"), (chart.key, x, label, tick)
                checked += 1
    assert checked >= 5


def test_charts_take_their_containers_width(client_for, viewer, sheet):
    response = client_for(viewer).get(URL, {"fiscal_year": 2024, "region": ""})
    for chart in response.context["overview"].charts:
        layout = chart.figure["layout"]
        assert "width" not in layout and layout["autosize"] is True
        assert layout["xaxis"]["automargin"] and layout["yaxis"]["automargin"]
        # Ticks short enough for a phone: 「H29」, not 「H29(2017)」.
        assert all(len(text) <= 3 for text in layout["xaxis"]["ticktext"])


def test_the_activity_guideline_is_a_legend_entry_not_an_annotation(client_for, viewer, sheet):
    MeetingFactory(date=date(2024, 10, 5))
    response = client_for(viewer).get(URL, {"fiscal_year": 2024, "region": ""})
    figure = response.context["overview"].activity.figure
    assert not figure["layout"].get("annotations")
    guideline = [t for t in figure["data"] if t.get("name") == GUIDELINE_NAME]
    assert len(guideline) == 1 and guideline[0]["line"]["dash"] == "dash"
    assert [s["y0"] for s in figure["layout"]["shapes"]] == [2]  # the line itself, across the plot
    assert "width" not in figure["layout"]
