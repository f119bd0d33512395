"""core.svgcharts: server-drawn SVG charts name the font on every text and escape every label."""

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from core.pdf import render_pdf
from core.svgcharts import (
    BarSeries,
    LineSeries,
    TargetLine,
    TargetSeries,
    XMark,
    format_number,
    grouped_bar_chart,
    line_chart,
    nice_ceiling,
)
from tests.pdfutils import embedded_font_names, pdf_text

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & 山口'


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # well-formed XML or this raises


def discharge_chart(**kwargs):
    return grouped_bar_chart(
        categories=["入院後3か月時点", "入院後6か月時点", "入院後1年時点"],
        series=[BarSeries("H29年度（NDB）", [48.6, 69.6, 78.7]), BarSeries("H30年度", [50.0, None, 80.0])],
        targets=[TargetSeries("R5年度目標", [56, 74, 85]), TargetSeries("別の計画", [60, None, 90])],
        unit="%",
        y_max=100,
        title="退院率",
        **kwargs,
    )


def long_stay_chart(**kwargs):
    defaults = {
        "series": [LineSeries("1年以上", [(2014, 3906), (2021, 3496)])],
        "targets": [TargetLine("R5年度末目標", 2855)],
        "target_x": 2023,
        "target_x_label": "目標年",
        "x_label": lambda year: f"Y{year}",
        "unit": "人",
        "title": "長期在院者",
    }
    return line_chart(**{**defaults, **kwargs})


def texts(root):
    return root.iter(f"{SVG}text")


def test_every_text_names_the_japanese_font():
    for svg in (discharge_chart(), long_stay_chart()):
        root = parse(svg)
        assert "IPAexGothic" in root.get("font-family")
        all_texts = list(texts(root))
        assert all_texts
        for text in all_texts:
            assert text.get("font-family").startswith("IPAexGothic")


def test_bar_chart_draws_values_bars_and_target_lines():
    root = parse(discharge_chart())
    labels = [t.text for t in texts(root)]
    for expected in (
        "48.6%",
        "69.6%",
        "78.7%",
        "56%",
        "74%",
        "85%",
        "60%",
        "90%",
        "入院後1年時点",
        "R5年度目標",
    ):
        assert expected in labels
    bars = [r for r in root.iter(f"{SVG}rect") if float(r.get("height")) > 9]  # legend swatches are 9 high
    assert len(bars) == 5  # 3 + 2 (one value missing)
    assert "—" in labels  # the missing value is marked, not drawn as zero
    dashed = [line for line in root.iter(f"{SVG}line") if line.get("stroke-dasharray")]
    assert len(dashed) == 5 + 2  # 3 + 2 target lines, plus two legend keys


def test_bar_heights_follow_the_values():
    root = parse(discharge_chart())
    heights = sorted(float(r.get("height")) for r in root.iter(f"{SVG}rect") if float(r.get("height")) > 9)
    assert heights[0] / heights[-1] == pytest.approx(48.6 / 80.0, rel=0.02)


def test_line_chart_marks_the_target_and_its_year():
    root = parse(long_stay_chart())
    labels = [t.text for t in texts(root)]
    assert {"3,906人", "3,496人", "2,855人", "Y2014", "Y2021", "Y2023", "目標年"} <= set(labels)
    assert len(list(root.iter(f"{SVG}circle"))) == 2 + 1  # two points and the legend key


def test_line_chart_marks_events_on_the_x_axis():
    """Days as ordinals, a mark per meeting: the marks widen the x range (a meeting after the last
    value still shows) but add no tick, and each is labelled."""
    points = [(date(2021, 3, 31).toordinal(), 48.6), (date(2022, 3, 31).toordinal(), 53.0)]
    svg = line_chart(
        series=[LineSeries("岩国圏域", points)],
        targets=[TargetLine("目標", 56)],
        x_label=lambda x: {points[0][0]: "R2年度", points[1][0]: "R3年度"}[x],
        marks=[
            XMark(date(2021, 10, 5).toordinal(), "R3.10.5"),
            XMark(date(2022, 11, 1).toordinal(), HOSTILE),
        ],
        marks_label="会議の開催日",
        decimals=1,
        unit="％",
    )
    root = parse(svg)
    marks = [g for g in root.iter(f"{SVG}g") if g.get("class") == "x-mark"]
    assert [m.find(f"{SVG}text").text for m in marks] == ["R3.10.5", HOSTILE]
    xs = [float(m.find(f"{SVG}line").get("x1")) for m in marks]
    circles = sorted(float(c.get("cx")) for c in root.iter(f"{SVG}circle"))[1:]  # the legend key first
    assert circles[0] < xs[0] < circles[1] < xs[1]  # in date order, the later meeting past the last value
    labels = [t.text for t in texts(root)]
    assert {"48.6％", "53.0％", "R2年度", "R3年度", "会議の開催日"} <= set(labels)


def test_labels_are_escaped():
    bar = grouped_bar_chart(
        categories=[HOSTILE],
        series=[BarSeries(HOSTILE, [1])],
        targets=[TargetSeries(HOSTILE, [2])],
        title=HOSTILE,
    )
    line = long_stay_chart(
        series=[LineSeries(HOSTILE, [(2020, 1)])], targets=[TargetLine(HOSTILE, 2)], title=HOSTILE
    )
    for svg in (bar, line):
        assert "<script>" not in svg
        assert "&lt;script&gt;" in svg
        root = parse(svg)
        assert root.find(f"{SVG}title").text == HOSTILE
        assert HOSTILE in [t.text for t in texts(root)]


def test_charts_without_data_still_draw():
    parse(grouped_bar_chart(categories=["a"], series=[]))
    parse(line_chart(series=[]))


def test_number_helpers():
    assert format_number(3496) == "3,496"
    assert format_number(48.6) == "48.6"
    assert nice_ceiling(3906 * 1.1) == (5000, 1000)
    assert nice_ceiling(0) == (1.0, 0.2)


def test_the_charts_render_in_a_pdf_with_the_japanese_font():
    html = (
        f'<html><body style="font-family: IPAexGothic">{discharge_chart()}{long_stay_chart()}</body></html>'
    )
    pdf = render_pdf(html)
    assert "IPAexGothic" in embedded_font_names(pdf)
    text = pdf_text(pdf)
    assert "48.6%" in text
    assert "入院後3か月時点" in text
    assert "2,855人" in text
