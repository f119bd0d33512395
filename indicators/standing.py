"""Where an indicator stands for one area on one day: the latest value whose period ended by then, the
target of the plan the dashboard takes as its basis for that day's 年度, and the status between them.

The dashboard's status table and matrix, a meeting's agenda item (live while the meeting is 予定,
frozen when it is held), the PDCA page and the staff home page all read it from here, so they agree.
Everything for many (indicator, area) pairs is read in three queries, none per pair.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core import fiscal
from indicators import small_counts, values
from indicators.models import Indicator, Observation, Plan, Target, area_key_for

NOT_MET = frozenset({values.BEHIND, values.CLOSE})  # 目標未達成: what a region should put on its agenda


class Targets:
    """The final target of each plan for an indicator and area, with the rates' fall-back to the prefecture."""

    def __init__(self, targets: list[Target], prefecture_key: str):
        self.prefecture_key = prefecture_key
        self.by_key: dict[tuple[int, int, str], Target] = {}
        for target in sorted(targets, key=lambda t: t.fiscal_year):
            self.by_key[(target.indicator_id, target.plan_id, target.area_key)] = target

    def find(self, indicator: Indicator, plan: Plan, area_key: str) -> tuple[Target | None, bool]:
        target = self.by_key.get((indicator.pk, plan.pk, area_key))
        if target is not None or area_key == self.prefecture_key or not indicator.is_rate:
            return target, False
        target = self.by_key.get((indicator.pk, plan.pk, self.prefecture_key))
        return target, target is not None


@dataclass(frozen=True)
class Standing(values.StatusDisplay):
    """An indicator's value against its target for one area, as of one day (or as frozen on an agenda item)."""

    indicator: Indicator
    value: Decimal | None
    period_label: str
    period_end: date | None
    target_value: Decimal | None
    comparator: str
    plan_name: str
    status: str
    inherited: bool = False  # the prefecture's target applied to a region (rates only)
    region_id: int | None = None  # the region whose value it is (None: the prefecture's)
    hidden: bool = False  # a small count the published view hides (indicators.small_counts)
    # The day it was judged on (a held meeting's day; today for a live one): what its period mark's
    # 「古いデータ」 is judged on (indicators.freshness). None: today.
    on: date | None = None

    @property
    def value_text(self) -> str:
        if self.value is None:
            return "データなし"
        return _with_unit(values.format_value(self.value, self.indicator), self.indicator)

    @property
    def value_cell(self):
        """`value_text`, or a Hidden cell (「＊」 to readers who may not see it: small_counts.Reader)."""
        return (
            small_counts.Hidden(self.value, self.value_text, self.region_id)
            if self.hidden
            else self.value_text
        )

    @property
    def gap_cell(self):
        """`gap_text`, hidden with the value (the target minus the gap would give it back)."""
        text = self.gap_text
        return small_counts.Hidden(self.value, text, self.region_id) if self.hidden and text else text

    @property
    def target_text(self) -> str:
        if self.target_value is None:
            return "目標なし"
        amount = _with_unit(values.format_value(self.target_value, self.indicator), self.indicator)
        word = dict(Target.Comparator.choices).get(self.comparator, "")
        return f"{amount}{word}"

    @property
    def gap_text(self) -> str:
        if self.value is None or self.target_value is None:
            return ""
        return values.gap_text(
            self.value,
            self.target_value,
            self.comparator,
            unit=self.indicator.unit,
            places=self.indicator.decimal_places,
            is_percent=self.indicator.value_type == Indicator.ValueType.PERCENT,
        )

    @property
    def is_not_met(self) -> bool:
        return self.status in NOT_MET


def _with_unit(text: str, indicator: Indicator) -> str:
    return text if indicator.value_type == Indicator.ValueType.YES_NO else f"{text}{indicator.unit}"


class Basis:
    """The prefecture's targets and plans, read once (two queries): what standings are judged against;
    and, when first asked for, which small counts are hidden (`judge`, one query)."""

    def __init__(self, prefecture):
        self.prefecture = prefecture
        self.prefecture_key = area_key_for(prefecture=prefecture)
        self.judge = small_counts.Judge(prefecture)
        targets = list(
            Target.objects.filter(prefecture=prefecture, municipality__isnull=True).select_related("plan")
        )
        self.targets = Targets(targets, self.prefecture_key)
        self.plans = sorted({t.plan for t in targets}, key=lambda p: (p.first_fiscal_year, p.issuer, p.name))
        self._with_targets: dict[str, set[int]] = defaultdict(set)
        for target in targets:
            self._with_targets[target.area_key].add(target.indicator_id)

    def plan_for(self, day: date) -> Plan | None:
        return values.default_basis_plan(self.plans, fiscal.fiscal_year_of(day))

    def area_key(self, region) -> str:
        return area_key_for(prefecture=self.prefecture, region=region) if region else self.prefecture_key

    def indicators_for(self, region, indicators: Iterable[Indicator]) -> list[Indicator]:
        """Those with a target that applies to the area: its own, or for a rate the prefecture's."""
        own = self._with_targets.get(self.area_key(region), set())
        prefecture = self._with_targets.get(self.prefecture_key, set())
        return [i for i in indicators if i.pk in own or (i.is_rate and i.pk in prefecture)]


def standings(
    pairs: Iterable[tuple[Indicator, object]], *, on: date, basis: Basis
) -> dict[tuple[int, int | None], Standing]:
    """{(indicator id, region id or None): Standing} for each (indicator, region or None) pair, as of `on`."""
    pairs = list(pairs)
    if not pairs:
        return {}
    keys = {basis.area_key(region) for _, region in pairs}
    latest: dict[tuple[int, str], Observation] = {}
    rows = (
        Observation.objects.filter(
            area_key__in=keys, indicator_id__in={i.pk for i, _ in pairs}, period_end__lte=on
        )
        .order_by("indicator_id", "area_key", "period_end", "pk")
        .only("indicator_id", "area_key", "period_kind", "fiscal_year", "as_of", "period_end", "value")
    )
    for row in rows:  # ascending: the last one kept is the latest
        latest[(row.indicator_id, row.area_key)] = row
    plan = basis.plan_for(on)
    found = {}
    for indicator, region in pairs:
        observation = latest.get((indicator.pk, basis.area_key(region)))
        region_id = getattr(region, "pk", None)
        found[(indicator.pk, region_id)] = basis.judge(
            _standing(indicator, observation, plan, basis, basis.area_key(region), region_id, on=on)
        )
    return found


def standing(indicator: Indicator, region, *, on: date, basis: Basis) -> Standing:
    return standings([(indicator, region)], on=on, basis=basis)[(indicator.pk, getattr(region, "pk", None))]


def _standing(
    indicator, observation, plan, basis: Basis, area_key: str, region_id=None, *, on: date
) -> Standing:
    target, inherited = basis.targets.find(indicator, plan, area_key) if plan else (None, False)
    value = observation.value if observation else None
    if target is None:
        status = values.NO_DATA if value is None else values.NO_TARGET
    else:
        status = values.status_of(
            value,
            target.value,
            target.comparator,
            is_percent=indicator.value_type == Indicator.ValueType.PERCENT,
        )
    return Standing(
        indicator=indicator,
        value=value,
        period_label=observation.period_label if observation else "",
        period_end=observation.period_end if observation else None,
        target_value=target.value if target else None,
        comparator=target.comparator if target else "",
        plan_name=plan.name if plan and target else "",
        status=status,
        inherited=inherited,
        region_id=region_id,
        on=on,
    )
