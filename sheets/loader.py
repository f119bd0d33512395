"""Loading a prefecture's sheet (and the indicator definitions it uses) from the repo's JSON files.

Idempotent: a second run changes nothing. Records an official changed in the portal are left alone
(observations and targets carry `edited_at`; parts 2–6 and the header are tracked per part in
`Edition.edited_parts`) unless `overwrite=True`.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from core import versions
from indicators.models import Indicator, Observation, Plan, Target, ValidationRule, area_key_for
from indicators.values import period_from_text
from regions.models import Prefecture
from sheets import services
from sheets.models import (
    Challenge,
    ChallengeRole,
    Edition,
    HistoryEntry,
    InitiativeHeading,
    OutcomeRow,
    ScheduleEntry,
    Strength,
)

BASE_DIR = Path(__file__).resolve().parent.parent
INDICATORS_FILE = BASE_DIR / "indicators" / "data" / "indicators.json"
SHEET_FILES = [Path(__file__).resolve().parent / "data" / "yamaguchi_r4.json"]


@dataclass
class LoadReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    kept: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        def fmt(counter):
            return "、".join(f"{k} {v}" for k, v in sorted(counter.items())) or "なし"

        return (
            f"作成: {fmt(self.created)} ／ 更新: {fmt(self.updated)} ／ 編集済みのため保持: {fmt(self.kept)}"
        )


def _apply(obj, values: dict) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def load_indicator_definitions(*, path: Path, report: LoadReport, overwrite: bool) -> None:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    by_code, created = {}, set()
    for order, item in enumerate(data["indicators"], start=1):
        values = {
            "name_ja": item["name_ja"],
            "unit": item.get("unit", ""),
            "value_type": item.get("value_type", Indicator.ValueType.NUMBER),
            "decimal_places": item.get("decimal_places", 0),
            "direction": item.get("direction", Indicator.Direction.NEUTRAL),
            "definition": item.get("definition", ""),
            "usual_source": item.get("usual_source", ""),
            "computation": item.get("computation", ""),
            "caveats": item.get("caveats", ""),
            "survey_month": item.get("survey_month"),
            "survey_day": item.get("survey_day"),
            "chart_group": item.get("chart_group", ""),
            "counts_people": item.get("counts_people", False),
            "display_order": order * 10,
            "cycle_months": item.get("cycle_months"),
            "release_lag_months": item.get("release_lag_months", 0),
        }
        indicator = Indicator.objects.filter(code=item["code"]).first()
        if indicator is None:
            indicator = Indicator.objects.create(code=item["code"], **values)
            created.add(item["code"])
            report.created["indicator"] += 1
        elif overwrite and _apply(indicator, values):
            indicator.version += 1
            indicator.save()
            report.updated["indicator"] += 1
        elif not (indicator.computation or indicator.caveats) and _apply(indicator, _explanation(values)):
            # Loaded before definitions had explanations: the file's text fills the gap, never over an
            # official's own wording.
            indicator.version += 1
            indicator.save(update_fields=["computation", "caveats", "version"])
            report.updated["indicator"] += 1
        elif indicator.cycle_months is None and _apply(indicator, _cycle(values)):
            # Loaded before definitions had a cycle (migration 0006): the file's cycle fills the gap.
            indicator.version += 1
            indicator.save(update_fields=["cycle_months", "release_lag_months", "version"])
            report.updated["indicator"] += 1
        by_code[item["code"]] = indicator
    for item in data["indicators"]:
        indicator = by_code[item["code"]]
        links = {
            "part_of": by_code.get(item.get("part_of")),
            "denominator": by_code.get(item.get("denominator")),
        }
        # Definitions belong to the officials once loaded: links are set on creation or on --overwrite.
        if (item["code"] in created or overwrite) and _apply(indicator, links):
            indicator.version += 1
            indicator.save(update_fields=["part_of", "denominator", "version"])
    for item in data["plans"]:
        values = {k: item[k] for k in ("issuer", "first_fiscal_year", "last_fiscal_year")}
        values.update(is_draft=item.get("is_draft", False), source=item.get("source", ""))
        plan = Plan.objects.filter(name=item["name"]).first()
        if plan is None:
            Plan.objects.create(name=item["name"], **values)
            report.created["plan"] += 1
        elif overwrite and _apply(plan, values):
            plan.save()
            report.updated["plan"] += 1
        elif not plan.source and values["source"]:
            # A plan loaded before plans had a source note: the file's note fills the gap.
            plan.source = values["source"]
            plan.save(update_fields=["source"])
            report.updated["plan"] += 1
    load_validation_rules(
        data.get("validation_rules", []), by_code=by_code, report=report, overwrite=overwrite
    )


def load_validation_rules(items: list[dict], *, by_code: dict, report: LoadReport, overwrite: bool) -> None:
    """The default validation rules: one per indicator and kind, created when the indicator has no rule
    of that kind (so a rule an official changed or took out of use stays as they left it, unless
    `overwrite`)."""
    for item in items:
        indicator = by_code[item["indicator"]]
        values = {
            "severity": item.get("severity", ValidationRule.Severity.SOFT),
            "minimum": Decimal(item["minimum"]) if item.get("minimum") is not None else None,
            "maximum": Decimal(item["maximum"]) if item.get("maximum") is not None else None,
            "threshold": Decimal(item["threshold"]) if item.get("threshold") is not None else None,
            "note": item.get("note", ""),
        }
        rule = ValidationRule.objects.filter(indicator=indicator, kind=item["kind"]).order_by("pk").first()
        if rule is None:
            rule = ValidationRule(indicator=indicator, kind=item["kind"], **values)
            rule.full_clean()
            rule.save()
            report.created["validation_rule"] += 1
        elif overwrite and _apply(rule, {**values, "is_active": True}):
            rule.full_clean()
            rule.version += 1
            rule.save()
            report.updated["validation_rule"] += 1


def _explanation(values: dict) -> dict:
    return {name: values[name] for name in ("computation", "caveats")}


def _cycle(values: dict) -> dict:
    return {name: values[name] for name in ("cycle_months", "release_lag_months")}


def _sync_tracked(model, lookup: dict, values: dict, *, kind: str, report: LoadReport, overwrite: bool):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        report.created[kind] += 1
        return obj
    if obj.is_edited and not overwrite:
        report.kept[kind] += 1
        return obj
    changed = _apply(obj, values)
    if overwrite and obj.is_edited:
        obj.edited_by, obj.edited_at = None, None
        changed = True
    if changed:
        obj.full_clean()
        obj.version += 1  # an edit form loaded before this load is now stale
        obj.save()
        report.updated[kind] += 1
    return obj


def _observation_lookup(prefecture, item) -> tuple[dict, dict]:
    period = period_from_text(item["period"])
    lookup = {
        "indicator": Indicator.objects.get(code=item["indicator"]),
        "area_key": area_key_for(prefecture=prefecture),
        "period_key": period.key,
    }
    values = {
        "prefecture": prefecture,
        "period_kind": period.kind,
        "fiscal_year": period.fiscal_year,
        "as_of": period.as_of,
        "period_end": period.period_end,
    }
    return lookup, values


def _target_lookup(prefecture, item) -> dict:
    return {
        "indicator": Indicator.objects.get(code=item["indicator"]),
        "area_key": area_key_for(prefecture=prefecture),
        "fiscal_year": item["fiscal_year"],
        "plan": Plan.objects.get(name=item["plan"]),
    }


def _sync_part(
    *, edition: Edition, part: str, records: list, report: LoadReport, overwrite: bool, build
) -> None:
    """Replace one part's records with the file's, unless an official edited the part in the portal."""
    if part in edition.edited_parts and not overwrite:
        report.kept[part] += 1
        return
    models_ = services.PART_MODELS[part]
    existing = []
    for model in models_:
        existing.extend(
            (type(obj).__name__, obj.order, services_snapshot(obj))
            for obj in model.objects.filter(edition=edition)
        )
    wanted = build(dry_run=True)
    if sorted(existing, key=repr) == sorted(wanted, key=repr) and part not in edition.edited_parts:
        return
    for model in models_:
        model.objects.filter(edition=edition).delete()
    build(dry_run=False)
    if part in edition.edited_parts:
        edition.edited_parts = [p for p in edition.edited_parts if p != part]
        edition.save(update_fields=["edited_parts"])
    (report.updated if existing else report.created)[part] += len(records)


def services_snapshot(obj) -> tuple:
    """Comparable content of a part record (ids, edition and edit tracking left out)."""
    skip = {"id", "edition", "edited_by", "edited_at"}
    values = tuple((f.name, getattr(obj, f.attname)) for f in obj._meta.concrete_fields if f.name not in skip)
    if isinstance(obj, Challenge) and obj.pk:
        roles = tuple((r.actor, r.text, r.same_as_above) for r in obj.roles.order_by("actor"))
        values += (("roles", roles),)
    return values


@transaction.atomic
@versions.once()  # every value and target of the sheet: the dashboard's data version rises once
def sheet_load(*, path: Path, overwrite: bool = False, report: LoadReport | None = None) -> LoadReport:
    report = report or LoadReport()
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    prefecture = Prefecture.objects.get(code=data["prefecture"])

    for item in data["observations"]:
        lookup, values = _observation_lookup(prefecture, item)
        values.update({"value": Decimal(item["value"]), "provenance": item.get("provenance", "")})
        _sync_tracked(Observation, lookup, values, kind="observation", report=report, overwrite=overwrite)
    for item in data["targets"]:
        lookup = _target_lookup(prefecture, item)
        values = {
            "prefecture": prefecture,
            "value": Decimal(item["value"]),
            "comparator": item["comparator"],
            "note": item.get("note", ""),
            "source": item.get("source", ""),
        }
        _sync_tracked(Target, lookup, values, kind="target", report=report, overwrite=overwrite)

    header = data["edition"]
    edition = Edition.objects.filter(prefecture=prefecture, fiscal_year=data["fiscal_year"]).first()
    if edition is None:
        edition = Edition.objects.create(prefecture=prefecture, fiscal_year=data["fiscal_year"], **header)
        report.created["edition"] += 1
    elif services.PART_HEADER not in edition.edited_parts or overwrite:
        changed = _apply(edition, header)
        if services.PART_HEADER in edition.edited_parts:
            edition.edited_parts = [p for p in edition.edited_parts if p != services.PART_HEADER]
            changed = True
        if changed:
            edition.version += 1
            edition.save()
            report.updated["edition"] += 1
    else:
        report.kept[services.PART_HEADER] += 1

    def find_observation(ref):
        if not ref:
            return None
        lookup, _ = _observation_lookup(prefecture, ref)
        return Observation.objects.get(**lookup)

    def find_target(ref):
        return Target.objects.get(**_target_lookup(prefecture, ref)) if ref else None

    def initiatives(dry_run):
        rows = [
            InitiativeHeading(
                edition=edition,
                order=order,
                section=item["section"],
                level=item["level"],
                heading=item["heading"],
                items="\n".join(item["items"]),
            )
            for order, item in enumerate(data["initiatives"], start=1)
        ]
        return _finish(rows, dry_run)

    def history_entries(dry_run):
        rows = [
            HistoryEntry(edition=edition, order=order, **item)
            for order, item in enumerate(data["history"], start=1)
        ]
        return _finish(rows, dry_run)

    def outcomes(dry_run):
        rows = []
        for order, item in enumerate(data["outcomes"], start=1):
            rows.append(
                OutcomeRow(
                    edition=edition,
                    order=order,
                    number=item["number"],
                    label=item["label"],
                    indicator=Indicator.objects.get(code=item["indicator"])
                    if item.get("indicator")
                    else None,
                    target=find_target(item.get("target")),
                    actual=find_observation(item.get("actual")),
                    achievement=item.get("achievement", ""),
                    achievement_same_as_above=item.get("achievement_same_as_above", False),
                    reference_baseline=find_observation(item.get("reference_baseline")),
                    reference_target=find_target(item.get("reference_target")),
                )
            )
        return _finish(rows, dry_run)

    def strengths_challenges(dry_run):
        strengths = [
            Strength(edition=edition, order=order, text=text)
            for order, text in enumerate(data["strengths"], start=1)
        ]
        challenges = [
            Challenge(edition=edition, order=order, title=item["title"], policy=item["policy"])
            for order, item in enumerate(data["challenges"], start=1)
        ]
        if dry_run:
            result = [(type(o).__name__, o.order, services_snapshot(o)) for o in strengths]
            for challenge, item in zip(challenges, data["challenges"], strict=True):
                roles = tuple(
                    sorted((r["actor"], r["text"], r.get("same_as_above", False)) for r in item["roles"])
                )
                result.append(
                    ("Challenge", challenge.order, (*services_snapshot(challenge), ("roles", roles)))
                )
            return result
        Strength.objects.bulk_create(strengths)
        for challenge, item in zip(challenges, data["challenges"], strict=True):
            challenge.save()
            ChallengeRole.objects.bulk_create(
                [
                    ChallengeRole(
                        challenge=challenge,
                        actor=role["actor"],
                        text=role["text"],
                        same_as_above=role.get("same_as_above", False),
                    )
                    for role in item["roles"]
                ]
            )
        return None

    def schedule(dry_run):
        rows = [
            ScheduleEntry(edition=edition, order=order, **item)
            for order, item in enumerate(data["schedule"], start=1)
        ]
        return _finish(rows, dry_run)

    for part, records, build in (
        (services.PART_INITIATIVES, data["initiatives"], initiatives),
        (services.PART_HISTORY, data["history"], history_entries),
        (services.PART_OUTCOMES, data["outcomes"], outcomes),
        (services.PART_STRENGTHS, data["strengths"] + data["challenges"], strengths_challenges),
        (services.PART_SCHEDULE, data["schedule"], schedule),
    ):
        _sync_part(
            edition=edition, part=part, records=records, report=report, overwrite=overwrite, build=build
        )
    return report


def _finish(rows, dry_run):
    if dry_run:
        return [(type(o).__name__, o.order, services_snapshot(o)) for o in rows]
    type(rows[0]).objects.bulk_create(rows)
    return None


def load_all(*, overwrite: bool = False) -> LoadReport:
    report = LoadReport()
    with transaction.atomic(), versions.once():
        load_indicator_definitions(path=INDICATORS_FILE, report=report, overwrite=overwrite)
        for path in SHEET_FILES:
            sheet_load(path=path, overwrite=overwrite, report=report)
    return report
