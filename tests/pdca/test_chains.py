"""pdca.chains: each indicator's chain for a region, 「議題になっていない遅れ」 and the side-by-side counts,
all from stored rows; the change in words."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

import pytest

from indicators import values
from indicators.models import Indicator
from indicators.standing import Standing
from meetings.models import MeetingStatus
from pdca.chains import change_text, improved, region_page, side_by_side
from tests.pdca.factories import discuss, observe, scenario

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def world(official):
    return scenario(official)


def by_code(chains):
    return {chain.indicator.code: chain for chain in chains}


def test_it_keeps_the_status_when_first_discussed_after_newer_values_arrive(world):
    chain = by_code(region_page(world.own, today=world.today).chains)["pdca_a"]
    assert chain.first_standing.value == Decimal("48.6")
    assert chain.first_standing.status_label == "遅れ"
    assert chain.change == "48.6％ → 48.6％（変化なし）"

    world.newer_value()  # a newer 年度's value
    observe(world.official, world.a, world.own, world.fy - 3, "49.9")  # and the old period revised
    chain = by_code(region_page(world.own, today=world.today).chains)["pdca_a"]
    assert chain.first_standing.value == Decimal("48.6")  # what people saw at the meeting
    assert chain.first_standing.status == values.BEHIND
    assert chain.first_standing.period_label.endswith("年度")
    assert chain.current.value == Decimal("53.0")
    assert chain.current.status_label == "目標に近い"
    assert chain.change == "48.6％ → 53.0％（4.4ポイント改善）"


def test_it_lists_the_meetings_in_date_order_with_what_was_seen(world):
    chain = by_code(region_page(world.own, today=world.today).chains)["pdca_b"]
    meetings = [d.meeting for d in chain.discussions]
    assert [m.title for m in meetings] == ["第1回 B会議", "第3回 圏域会議", "次回 圏域会議"]
    assert [d.is_held for d in chain.discussions] == [True, True, False]
    assert chain.discussions[0].standing.value == Decimal("40.0")
    assert chain.discussions[2].standing == chain.current  # a planned meeting: the live standing


def test_it_lists_the_actions_on_the_items_with_status_and_overdue(world):
    chain = by_code(region_page(world.own, today=world.today).chains)["pdca_a"]
    rows = [(r.action.description, r.action.get_status_display(), r.overdue) for r in chain.actions]
    assert rows == [
        ("病院訪問の計画を立てる", "完了", False),
        ("ピアサポーターの派遣を調整する", "対応中", True),
    ]
    assert chain.discussions[0].item.notes == "退院支援の状況を共有した"


def test_a_first_meeting_only_planned_is_said_so(world):
    item = discuss(world.c, world.other, world.today, status=MeetingStatus.PLANNED)
    chain = by_code(region_page(world.other, today=world.today).chains)["pdca_c"]
    assert chain.first.item == item
    assert chain.first_standing is None
    assert chain.change == ""


def test_indicators_never_discussed_follow_with_their_standing(world):
    page = region_page(world.own, today=world.today)
    assert [c.indicator.code for c in page.chains] == ["pdca_a", "pdca_b"]
    assert [c.indicator.code for c in page.undiscussed] == ["pdca_c", "pdca_d"]
    d = by_code(page.undiscussed)["pdca_d"]
    assert d.waiting is not None and d.current.status == values.BEHIND


def test_not_on_agenda_is_computed_from_stored_rows(world):
    """A discussed two 年度 ago appears; B discussed last 年度 does not; C is met; D waits as a proposal."""
    rows = region_page(world.own, today=world.today).not_on_agenda
    assert [(r.indicator.code, r.agenda_label) for r in rows] == [
        ("pdca_a", "議題になっていない"),
        ("pdca_d", "提案済み（会議の計画待ち）"),
    ]
    discuss(world.a, world.own, date(world.fy - 1, 4, 1))  # discussed on the first day of last 年度
    rows = region_page(world.own, today=world.today).not_on_agenda
    assert [r.indicator.code for r in rows] == ["pdca_d"]


def test_the_chart_marks_each_meeting_day(world):
    world.newer_value()
    chain = by_code(region_page(world.own, today=world.today).chains)["pdca_b"]
    root = ET.fromstring(str(chain.chart))
    marks = [g.find(f"{SVG}text").text for g in root.iter(f"{SVG}g") if g.get("class") == "x-mark"]
    assert len(marks) == 3
    assert marks[0].startswith("R") and marks[-1].endswith("予定")
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "40.0％" in texts and "目標 56.0％以上" in texts
    assert by_code(region_page(world.other, today=world.today).undiscussed)["pdca_d"].chart == ""


def test_side_by_side_counts(world):
    world.newer_value()
    overview = side_by_side(today=world.today, own_region_ids={world.own.pk})
    rows = {row.region.code: row for row in overview.rows}
    counts = lambda r: (r.not_met, r.discussed, r.acted_on, r.improved, r.not_on_agenda)  # noqa: E731
    assert counts(rows["3501"]) == (3, 1, 1, 1, 2)  # A, B, D; B; B; A; A and D
    assert counts(rows["3508"]) == (1, 0, 0, 0, 1)
    assert counts(rows["3502"]) == (0, 0, 0, 0, 0)
    assert counts(overview.total) == (4, 1, 1, 1, 3)
    assert [r.region.code for r in overview.own] == ["3501"]
    assert len(overview.rows) == 8


def standing(value, target="56", comparator="gte", *, value_type="percent", unit="％", direction="higher"):
    indicator = Indicator(
        code="x", name_ja="x", unit=unit, value_type=value_type, decimal_places=1, direction=direction
    )
    return Standing(
        indicator=indicator,
        value=None if value is None else Decimal(value),
        period_label="",
        period_end=None,
        target_value=None if target is None else Decimal(target),
        comparator=comparator if target is not None else "",
        plan_name="",
        status=values.BEHIND,
    )


def test_change_text_is_direction_aware():
    assert change_text(standing("48.6"), standing("53.0")) == "48.6％ → 53.0％（4.4ポイント改善）"
    assert change_text(standing("53.0"), standing("48.6")) == "53.0％ → 48.6％（4.4ポイント悪化）"
    assert change_text(standing("53.04"), standing("53.0")) == "53.0％ → 53.0％（変化なし）"
    fewer = {"comparator": "lte", "value_type": "number", "unit": "人"}
    assert change_text(standing("3496", "2855", **fewer), standing("3200", "2855", **fewer)) == (
        "3,496.0人 → 3,200.0人（296.0人改善）"
    )
    neutral = {"target": None, "direction": "neutral", "value_type": "number", "unit": "か所"}
    assert (
        change_text(standing("3", **neutral), standing("5", **neutral)) == "3.0か所 → 5.0か所（2.0か所増加）"
    )
    lower = {"target": None, "direction": "lower"}
    assert change_text(standing("20", **lower), standing("18", **lower)).endswith("（2.0ポイント改善）")
    assert change_text(standing(None), standing("50")) == ""


def test_improved_compares_the_shortfalls():
    assert improved(standing("48.6"), standing("53.0"))
    assert not improved(standing("48.6"), standing("48.6"))
    assert not improved(standing("53.0"), standing("48.6"))
    assert not improved(None, standing("53.0"))
    assert not improved(standing("48.6", target=None), standing("53.0"))
