"""core.svgcharts: the bar chart's target labels never overlap, however close the targets (the sheet's
discharge rates at 1 year: 85 / 91 / 92 % of three plans)."""

import itertools
import xml.etree.ElementTree as ET

from core.svgcharts import (
    TARGET_LABEL_GAP,
    TARGET_LABEL_SIZE,
    BarSeries,
    TargetSeries,
    grouped_bar_chart,
    spread_labels,
)

SVG = "{http://www.w3.org/2000/svg}"


def test_labels_far_apart_stay_where_they_want_to_be():
    assert spread_labels([100.0, 40.0, 70.0], gap=11, lowest=200) == [100.0, 40.0, 70.0]


def test_labels_too_close_move_down_just_enough_in_the_given_order():
    assert spread_labels([50.0, 47.6, 62.0], gap=11, lowest=200) == [58.6, 47.6, 69.6]


def test_labels_pushed_below_the_lowest_line_move_back_up():
    assert spread_labels([195.0, 196.0, 197.0], gap=10, lowest=198) == [178.0, 188.0, 198.0]


def test_every_pair_of_labels_is_a_gap_apart():
    placed = spread_labels([10.0, 10.0, 10.5, 11.0, 30.0], gap=11, lowest=500)
    ordered = sorted(placed)
    assert all(b - a >= 11 - 1e-9 for a, b in itertools.pairwise(ordered))


def _target_label_boxes(svg: str, colours: set[str]) -> list[tuple[float, float, float, float, str]]:
    """(left, top, right, bottom, text) of each target label (a text in a target colour)."""
    boxes = []
    for text in ET.fromstring(svg).iter(f"{SVG}text"):
        if text.get("fill") in colours:
            x, baseline = float(text.get("x")), float(text.get("y"))
            width = sum(
                TARGET_LABEL_SIZE if ord(ch) > 0x2E7F else TARGET_LABEL_SIZE * 0.55 for ch in text.text
            )
            left = x - width if text.get("text-anchor") == "end" else x
            boxes.append((left, baseline - TARGET_LABEL_SIZE, left + width, baseline, text.text))
    return boxes


def test_the_sheets_close_targets_have_labels_that_do_not_overlap():
    from core.svgcharts import TARGET_COLOURS

    svg = grouped_bar_chart(
        categories=["入院後3か月時点", "入院後6か月時点", "入院後1年時点"],
        series=[BarSeries("H29年度実績（NDB）", [48.6, 69.6, 78.7])],
        targets=[
            TargetSeries("R5年度目標（第6期計画）", [56, 74, 85]),
            TargetSeries("R5年度目標（第6期基本指針）", [69, 86, 92]),
            TargetSeries("R8年度目標（第7期基本指針）", [68.9, 84.5, 91]),
        ],
        unit="%",
        y_max=100,
        width=470,
        height=280,
    )
    boxes = _target_label_boxes(svg, set(TARGET_COLOURS))
    assert sorted(b[4] for b in boxes) == sorted(
        ["56%", "74%", "85%", "69%", "86%", "92%", "68.9%", "84.5%", "91%"]
    )
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            overlap = a[0] < b[2] and b[0] < a[2] and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5
            assert not overlap, f"{a[4]} と {b[4]} のラベルが重なっています"
    assert TARGET_LABEL_GAP > TARGET_LABEL_SIZE

    # No target line crosses a label: each stands on a white ground drawn after the lines beside it.
    elements = list(ET.fromstring(svg))

    def number(e, name):
        return float(e.get(name))

    for left, _top, right, bottom, label in boxes:
        top = bottom - TARGET_LABEL_SIZE * 0.85  # the figures' height (no descenders)
        last_line = max(
            i
            for i, e in enumerate(elements)
            if e.tag == f"{SVG}line"
            and e.get("stroke") in TARGET_COLOURS
            and number(e, "x1") < right
            and number(e, "x2") > left
        )
        assert any(
            i > last_line
            and e.tag == f"{SVG}rect"
            and e.get("fill") == "#fff"
            and number(e, "x") <= left + 0.2
            and number(e, "y") <= top + 0.2
            and number(e, "x") + number(e, "width") >= right - 0.2
            and number(e, "y") + number(e, "height") >= bottom - 0.2
            for i, e in enumerate(elements)
        ), label
