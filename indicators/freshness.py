"""How fresh a figure is (issue #17): when the next one is expected, and whether the one shown is old.

An indicator's `cycle_months` says how often a new figure comes (630調査 and the prefecture's own
counts: every 12 months), its `release_lag_months` how long after a period ends its figure comes out
(the NDB discharge rates: years). After a value whose period ends on day E, the next figure is
expected in the month of E + cycle + lag ("次の値は令和N年M月ごろ"); once that month is over and the
value is still the latest shown, it is 「古いデータ」. An indicator without a cycle is never judged.

Judged on a day the caller chooses: today (Asia/Tokyo) for what is current, the last day of the
年度 a page is read for (the dashboard of a past year, the sheet of an edition), the meeting day for
what a held meeting saw. Pure functions over a definition already fetched: no queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core import fiscal
from indicators.models import Indicator

STALE_LABEL = "古いデータ"


@dataclass(frozen=True)
class Freshness:
    """A displayed value's period and, where its indicator has a cycle, whether a newer one is due."""

    period_label: str
    next_expected: date | None  # period end + cycle + lag: the next figure is expected in its month
    stale: bool

    @property
    def next_expected_text(self) -> str:
        """「令和4年12月ごろ」 ("" when the indicator has no cycle)."""
        return f"{fiscal.wareki_month(self.next_expected)}ごろ" if self.next_expected else ""

    @property
    def note(self) -> str:
        """「古いデータ（次の値は令和4年12月ごろ）」 for a stale value, "" otherwise (exports, titles)."""
        return f"{STALE_LABEL}（次の値は{self.next_expected_text}）" if self.stale else ""


def next_expected(indicator: Indicator, period_end: date) -> date | None:
    """When the figure after a value ending `period_end` is expected: the period's end + cycle +
    publication lag (shown as its month). None when the indicator has no cycle."""
    if not indicator.cycle_months:
        return None
    return fiscal.add_months(period_end, indicator.cycle_months + (indicator.release_lag_months or 0))


def is_stale(indicator: Indicator, period_end: date, *, on: date) -> bool:
    """Whether, on `on`, a month has passed since the next figure was expected (so this one is old)."""
    expected = next_expected(indicator, period_end)
    return expected is not None and on >= fiscal.add_months(expected, 1)


def freshness(indicator: Indicator, period_end: date, period_label: str = "", *, on: date) -> Freshness:
    return Freshness(
        period_label=period_label,
        next_expected=next_expected(indicator, period_end),
        stale=is_stale(indicator, period_end, on=on),
    )


def _months_text(months: int) -> str:
    if months % 12 == 0:
        return "1年" if months == 12 else f"{months // 12}年"
    return f"{months}か月"


def cycle_text(indicator: Indicator) -> str:
    """How the definitions page states the cycle: 「毎年（12か月ごと）・期間の終わりから約3年後に公表」."""
    if not indicator.cycle_months:
        return "定めなし（「古いデータ」の表示をしません）"
    cycle = indicator.cycle_months
    text = "毎年" if cycle == 12 else f"{_months_text(cycle)}ごと"
    lag = indicator.release_lag_months or 0
    if lag:
        text += f"・期間の終わりから約{_months_text(lag)}後に公表"
    return text
