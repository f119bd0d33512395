"""Checks of a value before it is saved (issue #17, item 3): DHIS2's validation rules and outlier
detection, kept as data per indicator (`ValidationRule`), and the cross-field rules every indicator has.

The rules an official sets per indicator (active rows only):
- `range`: the value within a lower and / or upper bound (both bounds allowed);
- `change_percent` / `change_absolute`: the value no further than X % or Y (points for percentages,
  else the unit) from the previous period's value of the same indicator and area (the latest value
  whose period ends earlier; a previous value of 0 leaves the percentage rule silent);
- `zscore` / `modified_zscore`: the value within the bound of the area's history, DHIS2-style — the
  z-score |value − mean| ÷ standard deviation (population), or the modified z-score
  0.6745 × |value − median| ÷ MAD (median absolute deviation). Both need at least three earlier values
  and a history that varies (a standard deviation or MAD of 0 judges nothing): otherwise they are skipped.

Built in, whatever the rows say: hard — a percentage within 0–100 and a yes/no value of 1 or 0
(`values.type_problem`), and the parts of a breakdown never adding up to more than their total, whether
the part or the total is being saved; soft — the parts, when all are present, adding up to the total
(both through `checks.SumCheck`).

A hard finding refuses the value; a soft one asks for confirmation with a note and the value is
flagged (`FlaggedValue`, the 「確認が必要な値」 list). A bound is inclusive: a value exactly on it passes.

`RuleBook.load` reads everything a set of candidates needs in a fixed number of queries — the related
definitions (unless given), the active rules, the stored values of those indicators and areas — and
evaluates each candidate against the stored values with every candidate overlaid, so the rows of one
import file see each other (its earlier periods of the same area count as history) as if saved.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q

from indicators.checks import sum_check_of
from indicators.models import Indicator, Observation, ValidationRule
from indicators.values import Period, format_number, format_value, parts_by_total, stored_value, type_problem

HARD = ValidationRule.Severity.HARD
SOFT = ValidationRule.Severity.SOFT
Kind = ValidationRule.Kind

MIN_HISTORY = 3  # earlier values the z-score rules need before they judge
MODIFIED_Z_FACTOR = Decimal("0.6745")  # Iglewicz & Hoaglin: makes the MAD comparable to a standard deviation

BUILTIN_TYPE = "値の種類（割合は0～100、有・無は1か0）"
BUILTIN_PARTS_NOT_ABOVE = "内訳が合計を超えない"
BUILTIN_PARTS_ADD_UP = "内訳の合計が合計と一致する"


@dataclass(frozen=True)
class Candidate:
    """A value about to be saved: indicator × area (its key) × period × value."""

    indicator: Indicator
    area_key: str
    period: Period
    value: Decimal

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.indicator.pk, self.area_key, self.period.key)

    def as_observation(self) -> Observation:
        """Unsaved, as it would be stored (so the sum checks read it like a stored value)."""
        return Observation(
            indicator=self.indicator,
            area_key=self.area_key,
            period_key=self.period.key,
            period_kind=self.period.kind,
            fiscal_year=self.period.fiscal_year,
            as_of=self.period.as_of,
            period_end=self.period.period_end,
            value=stored_value(self.value),
        )


@dataclass(frozen=True)
class Finding:
    """What one rule says about a value: hard (refused) or soft (confirm with a note), in Japanese."""

    severity: str
    label: str
    message: str
    rule: ValidationRule | None = None

    @property
    def is_hard(self) -> bool:
        return self.severity == HARD

    @property
    def severity_label(self) -> str:
        return "誤り" if self.is_hard else "要確認"


def findings_digest(messages) -> str:
    """A short fingerprint of what a person was shown and confirmed: a confirmation counts only for
    the very findings it was given for (a changed value gives other messages, so asks again)."""
    text = "\n".join(sorted(str(m) for m in messages))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


class ValueRefused(ValidationError):
    """A hard rule refused the value (nothing is saved); `findings` says which and why."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__([f.message for f in findings], code="value_refused")


class ConfirmationRequired(Exception):
    """Soft rules question the value: it is saved only with a note, confirming these `findings`."""

    def __init__(self, findings: list[Finding], *, messages: list[str] | None = None):
        super().__init__("確認が必要な値です。")
        self.findings = findings
        self.messages = messages if messages is not None else [f.message for f in findings]
        self.digest = findings_digest(self.messages)


# --- the words -------------------------------------------------------------------------------------


def _plain(number) -> str:
    """A bound as entered: 15 → 15, 3.5 → 3.5, 10000 → 10,000."""
    return f"{Decimal(number).normalize():,f}"


def _unit(indicator: Indicator) -> str:
    return "" if indicator.value_type == Indicator.ValueType.YES_NO else indicator.unit


def _with_unit(value, indicator: Indicator) -> str:
    return f"{format_value(value, indicator)}{_unit(indicator)}"


def _amount(number, indicator: Indicator) -> str:
    """A difference or a statistic in the indicator's decimals (a yes/no indicator's as a plain number)."""
    if indicator.value_type == Indicator.ValueType.YES_NO:
        return format_number(number, 2).rstrip("0").rstrip(".")
    return format_value(number, indicator)


def _change_unit(indicator: Indicator) -> str:
    return "ポイント" if indicator.value_type == Indicator.ValueType.PERCENT else indicator.unit


def _severity_text(severity: str) -> str:
    if severity == HARD:
        return "誤りとして登録できません。"
    return "要確認として、確認のメモを添えれば登録でき、「確認が必要な値」に載ります。"


def rule_label(rule: ValidationRule, indicator: Indicator) -> str:
    """The rule in a few words, as a flag keeps it: 「前の期間からの変化幅: ±15ポイントまで」."""
    if rule.kind == Kind.RANGE:
        return f"許容範囲: {_bounds_text(rule, indicator)}"
    if rule.kind == Kind.CHANGE_PERCENT:
        return f"前の期間からの変化率: ±{_plain(rule.threshold)}％まで"
    if rule.kind == Kind.CHANGE_ABSOLUTE:
        return f"前の期間からの変化幅: ±{_plain(rule.threshold)}{_change_unit(indicator)}まで"
    if rule.kind == Kind.ZSCORE:
        return f"過去の値からのzスコア: {_plain(rule.threshold)}まで"
    return f"過去の値からの修正zスコア: {_plain(rule.threshold)}まで"


def _bounds_text(rule: ValidationRule, indicator: Indicator) -> str:
    parts = []
    if rule.minimum is not None:
        parts.append(f"下限 {_plain(rule.minimum)}{indicator.unit}")
    if rule.maximum is not None:
        parts.append(f"上限 {_plain(rule.maximum)}{indicator.unit}")
    return "・".join(parts)


def describe(rule: ValidationRule, indicator: Indicator) -> str:
    """What the rule means, in a sentence, for the indicator definition page."""
    threshold = _plain(rule.threshold) if rule.threshold is not None else ""
    if rule.kind == Kind.RANGE:
        text = f"値が許容範囲（{_bounds_text(rule, indicator)}）の外なら、"
    elif rule.kind == Kind.CHANGE_PERCENT:
        text = (
            f"同じ地域の前の期間の値から ±{threshold}％ を超えて変わったら"
            "（前の値が 0 のときは判定しません）、"
        )
    elif rule.kind == Kind.CHANGE_ABSOLUTE:
        text = f"同じ地域の前の期間の値から ±{threshold}{_change_unit(indicator)} を超えて変わったら、"
    elif rule.kind == Kind.ZSCORE:
        text = (
            f"同じ地域の過去の値（{MIN_HISTORY}期間以上あるとき）の平均から、標準偏差の {threshold} 倍を超えて"
            "離れていたら（過去の値にばらつきがないときは判定しません）、"
        )
    else:
        text = (
            f"同じ地域の過去の値（{MIN_HISTORY}期間以上あるとき）の中央値からの修正zスコア"
            f"（{MODIFIED_Z_FACTOR} ×｜値 − 中央値｜÷ 中央絶対偏差）が {threshold} を超えたら"
            "（中央絶対偏差が 0 のときは判定しません）、"
        )
    return text + _severity_text(rule.severity)


def builtin_descriptions(indicator: Indicator, *, parts: list[Indicator], total: Indicator | None) -> list:
    """(severity label, sentence) of the built-in rules that apply to `indicator`."""
    rows = []
    if indicator.value_type == Indicator.ValueType.PERCENT:
        rows.append(("誤り", "割合は 0～100 の範囲でなければ登録できません。"))
    if indicator.value_type == Indicator.ValueType.YES_NO:
        rows.append(("誤り", "有・無は 1（有）か 0（無）でなければ登録できません。"))
    if parts:
        names = "、".join(p.name_ja for p in parts)
        rows.append(("誤り", f"同じ地域・期間の内訳（{names}）の合計がこの値を超えるときは登録できません。"))
        rows.append(
            ("要確認", f"内訳（{names}）がすべてそろい、合計がこの値と一致しないときは確認が必要です。")
        )
    if total is not None:
        rows.append(
            ("誤り", f"同じ地域・期間の内訳の合計が「{total.name_ja}」の値を超えるときは登録できません。")
        )
        rows.append(
            ("要確認", f"内訳がすべてそろい、合計が「{total.name_ja}」の値と一致しないときは確認が必要です。")
        )
    return rows


# --- the statistics --------------------------------------------------------------------------------


def _median(numbers: list[Decimal]) -> Decimal:
    ordered = sorted(numbers)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _mean(numbers: list[Decimal]) -> Decimal:
    return sum(numbers, Decimal(0)) / len(numbers)


def _pstdev(numbers: list[Decimal]) -> Decimal:
    mean = _mean(numbers)
    return (sum(((n - mean) ** 2 for n in numbers), Decimal(0)) / len(numbers)).sqrt()


# --- the rule book ---------------------------------------------------------------------------------


class RuleBook:
    """The rules and stored values a set of candidates is judged against (see the module docstring)."""

    def __init__(self, *, indicators: dict[int, Indicator], rules: dict[int, list], stored, candidates):
        self.indicators = indicators
        self.parts_of = parts_by_total(sorted(indicators.values(), key=lambda i: (i.display_order, i.code)))
        self.rules = rules
        self.points: dict[tuple[int, str, str], Observation] = {}
        for observation in stored:
            observation.indicator = indicators[observation.indicator_id]
            self.points[(observation.indicator_id, observation.area_key, observation.period_key)] = (
                observation
            )
        for candidate in candidates:
            self.points[candidate.key] = candidate.as_observation()
        self.series: dict[tuple[int, str], list[Observation]] = {}
        for observation in self.points.values():
            self.series.setdefault((observation.indicator_id, observation.area_key), []).append(observation)
        for points in self.series.values():
            points.sort(key=lambda o: (o.period_end, o.period_key))

    @classmethod
    def load(cls, candidates, *, indicators=None) -> RuleBook:
        """Read what `candidates` need: the related definitions (skipped when `indicators`, every
        definition, is given), the active rules and the stored values — three queries at most,
        however many candidates and rules."""
        candidates = list(candidates)
        ids = {c.indicator.pk for c in candidates}
        totals = {c.indicator.part_of_id for c in candidates if c.indicator.part_of_id}
        if indicators is None:
            definitions = {
                i.pk: i
                for i in Indicator.objects.filter(
                    Q(pk__in=ids | totals) | Q(part_of__in=ids | totals)
                ).order_by("display_order", "code")
            }
        else:
            definitions = {i.pk: i for i in indicators}
        for candidate in candidates:
            definitions.setdefault(candidate.indicator.pk, candidate.indicator)
        related = ids | totals | {i.pk for i in definitions.values() if i.part_of_id in ids | totals}
        rules: dict[int, list] = {}
        if ids:
            for rule in ValidationRule.objects.filter(indicator__in=ids, is_active=True).order_by("pk"):
                rules.setdefault(rule.indicator_id, []).append(rule)
        stored = []
        if candidates:
            stored = Observation.objects.filter(
                indicator_id__in=related, area_key__in={c.area_key for c in candidates}
            ).only(
                "indicator_id",
                "area_key",
                "period_key",
                "period_kind",
                "fiscal_year",
                "as_of",
                "period_end",
                "value",
            )
        return cls(indicators=definitions, rules=rules, stored=stored, candidates=candidates)

    def evaluate(self, candidate: Candidate) -> list[Finding]:
        """Every finding about `candidate` (hard ones first), judged with the other candidates overlaid."""
        indicator = self.indicators.get(candidate.indicator.pk, candidate.indicator)
        value = stored_value(candidate.value)
        history = [
            o
            for o in self.series.get((indicator.pk, candidate.area_key), [])
            if o.period_end < candidate.period.period_end
        ]
        previous = history[-1] if history else None
        findings = []
        problem = type_problem(indicator, value)
        if problem:
            findings.append(Finding(HARD, BUILTIN_TYPE, f"{_with_unit(value, indicator)}: {problem}"))
        findings += self._sums(candidate)
        for rule in self.rules.get(indicator.pk, []):
            finding = CHECKS[rule.kind](rule, indicator, value, history, previous)
            if finding is not None:
                findings.append(finding)
        return sorted(findings, key=lambda f: not f.is_hard)

    def _sums(self, candidate: Candidate) -> list[Finding]:
        """The breakdown rules: the candidate as a total of its parts, and as a part of its total."""
        findings = []
        totals = [self.points[candidate.key]]
        part_of = self.indicators.get(candidate.indicator.pk, candidate.indicator).part_of_id
        if part_of and (part_of, candidate.area_key, candidate.period.key) in self.points:
            totals.append(self.points[(part_of, candidate.area_key, candidate.period.key)])
        for total in totals:
            check = sum_check_of(total, self.points, self.parts_of)
            if check is None or not check.parts:
                continue
            if check.exceeds:
                findings.append(Finding(HARD, BUILTIN_PARTS_NOT_ABOVE, check.excess_message))
            elif not check.ok and not check.missing:
                findings.append(Finding(SOFT, BUILTIN_PARTS_ADD_UP, check.message))
        return findings


def evaluate(candidate: Candidate) -> list[Finding]:
    """The findings about one value (three queries: definitions, rules, stored values)."""
    return RuleBook.load([candidate]).evaluate(candidate)


# --- one function per kind of rule: (rule, indicator, value, history, previous) → Finding or None ------


def _previous_text(previous: Observation | None, indicator: Indicator) -> str:
    if previous is None:
        return "前の期間の値はありません"
    return f"前の期間（{previous.period_label}）の値 {_with_unit(previous.value, indicator)}"


def _finding(rule: ValidationRule, indicator: Indicator, message: str) -> Finding:
    return Finding(rule.severity, rule_label(rule, indicator), message, rule)


def _range(rule, indicator, value, history, previous):
    too_low = rule.minimum is not None and value < rule.minimum
    too_high = rule.maximum is not None and value > rule.maximum
    if not (too_low or too_high):
        return None
    return _finding(
        rule,
        indicator,
        f"{_with_unit(value, indicator)} は許容範囲（{_bounds_text(rule, indicator)}）の外です"
        f"（{_previous_text(previous, indicator)}）。",
    )


def _direction(change: Decimal) -> str:
    return "増えて" if change > 0 else "減って"


def _change_percent(rule, indicator, value, history, previous):
    if previous is None or previous.value == 0:
        return None
    change = (value - previous.value) / abs(previous.value) * 100
    if abs(change) <= rule.threshold:
        return None
    return _finding(
        rule,
        indicator,
        f"{_with_unit(value, indicator)} は{_previous_text(previous, indicator)}から "
        f"{format_number(abs(change), 1)}％ {_direction(change)}います（目安: ±{_plain(rule.threshold)}％まで）。",
    )


def _change_absolute(rule, indicator, value, history, previous):
    if previous is None:
        return None
    change = value - previous.value
    if abs(change) <= rule.threshold:
        return None
    unit = _change_unit(indicator)
    return _finding(
        rule,
        indicator,
        f"{_with_unit(value, indicator)} は{_previous_text(previous, indicator)}から "
        f"{_amount(abs(change), indicator)}{unit} {_direction(change)}います"
        f"（目安: ±{_plain(rule.threshold)}{unit}まで）。",
    )


def _zscore(rule, indicator, value, history, previous):
    numbers = [o.value for o in history]
    if len(numbers) < MIN_HISTORY:
        return None
    mean, spread = _mean(numbers), _pstdev(numbers)
    if spread == 0:
        return None
    score = abs(value - mean) / spread
    if score <= rule.threshold:
        return None
    return _finding(
        rule,
        indicator,
        f"{_with_unit(value, indicator)} は過去{len(numbers)}期間の平均 {_amount(mean, indicator)}{_unit(indicator)}"
        f"（標準偏差 {_amount(spread, indicator)}）から zスコア {format_number(score, 1)} 離れています"
        f"（目安: {_plain(rule.threshold)}まで。{_previous_text(previous, indicator)}）。",
    )


def _modified_zscore(rule, indicator, value, history, previous):
    numbers = [o.value for o in history]
    if len(numbers) < MIN_HISTORY:
        return None
    median = _median(numbers)
    mad = _median([abs(n - median) for n in numbers])
    if mad == 0:
        return None
    score = MODIFIED_Z_FACTOR * abs(value - median) / mad
    if score <= rule.threshold:
        return None
    return _finding(
        rule,
        indicator,
        f"{_with_unit(value, indicator)} は過去{len(numbers)}期間の中央値 {_amount(median, indicator)}{_unit(indicator)}"
        f"（中央絶対偏差 {_amount(mad, indicator)}）から修正zスコア {format_number(score, 1)} 離れています"
        f"（目安: {_plain(rule.threshold)}まで。{_previous_text(previous, indicator)}）。",
    )


CHECKS = {
    Kind.RANGE: _range,
    Kind.CHANGE_PERCENT: _change_percent,
    Kind.CHANGE_ABSOLUTE: _change_absolute,
    Kind.ZSCORE: _zscore,
    Kind.MODIFIED_ZSCORE: _modified_zscore,
}
