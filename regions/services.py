"""Loading a prefecture's reference data (regions, municipalities, health centres) from a JSON file."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from regions.models import HealthCentre, Municipality, Prefecture, Region
from regions.validators import NATION_CODE, is_valid_lg_code, validate_prefecture_code

DATA_DIR = Path(__file__).resolve().parent / "data"
COUNTRY_FILE = DATA_DIR / "japan.json"


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, created: bool, changed: bool) -> None:
        if created:
            self.created[kind] = self.created.get(kind, 0) + 1
        elif changed:
            self.updated[kind] = self.updated.get(kind, 0) + 1


def _upsert(model, lookup: dict, values: dict):
    """Create or update, reporting whether anything actually changed (so reruns report nothing)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values), True, False
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    for k in changed:
        setattr(obj, k, values[k])
    if changed:
        obj.save(update_fields=changed)
    return obj, False, bool(changed)


def validate_reference_data(data: dict) -> None:
    errors = []
    municipality_codes = {m["code"] for m in data["municipalities"]}
    assigned = [code for r in data["regions"] for code in r["municipalities"]]
    for code in [data["prefecture"]["code"], *municipality_codes]:
        if not is_valid_lg_code(code):
            errors.append(f"コード {code} の検査数字が正しくありません")
    if sorted(assigned) != sorted(municipality_codes):
        errors.append("市町村と圏域の対応が一致しません（未所属または重複があります）")
    region_codes = {r["code"] for r in data["regions"]}
    for centre in data["health_centres"]:
        unknown = set(centre["regions"]) - region_codes
        if unknown:
            errors.append(f"{centre['name']} の所管圏域 {sorted(unknown)} がありません")
    if errors:
        raise ValidationError(errors)


def _country_rows(data: dict) -> list[dict]:
    """全国 and the 47 prefectures as field values, checked (codes, names, one tile per square)."""
    rows = [{"code": data["nation"]["code"], "name": data["nation"]["name"], "kind": "nation"}]
    for item in data["prefectures"]:
        row, column = item["tile"]
        rows.append(
            {
                "code": item["code"],
                "name": item["name"],
                "kind": "prefecture",
                "tile_row": row,
                "tile_column": column,
            }
        )
    errors = []
    for row in rows:
        try:
            validate_prefecture_code(row["code"])
        except ValidationError as exc:
            errors.extend(exc.messages)
    if rows[0]["code"] != NATION_CODE:
        errors.append(f"全国のコードは {NATION_CODE} です")
    if len(data["prefectures"]) != 47 or len({r["code"] for r in rows}) != 48:
        errors.append("都道府県は重複なく47件必要です")
    if len({tuple(item["tile"]) for item in data["prefectures"]}) != len(data["prefectures"]):
        errors.append("タイル地図の位置が重複しています")
    if errors:
        raise ValidationError(errors)
    return rows


def country_load(*, path: Path = COUNTRY_FILE, report: LoadReport) -> None:
    """全国 and the 47 prefectures (names, kinds, tile positions). One query when nothing changed:
    every test that loads the reference data pays for this."""
    rows = _country_rows(json.loads(Path(path).read_text(encoding="utf-8")))
    existing = {p.code: p for p in Prefecture.objects.filter(code__in=[r["code"] for r in rows])}
    missing = [Prefecture(**row) for row in rows if row["code"] not in existing]
    Prefecture.objects.bulk_create(missing)
    report.created["prefecture"] = report.created.get("prefecture", 0) + len(missing)
    for row in rows:
        prefecture = existing.get(row["code"])
        if prefecture is None:
            continue
        changed = [k for k, v in row.items() if getattr(prefecture, k) != v]
        if changed:
            for k in changed:
                setattr(prefecture, k, row[k])
            prefecture.save(update_fields=changed)
            report.count("prefecture", False, True)
    if not report.created["prefecture"]:
        del report.created["prefecture"]


@transaction.atomic
def reference_data_load(*, path: Path) -> LoadReport:
    """Idempotently load the country (全国, 47 prefectures) and one prefecture's reference data;
    reruns change nothing."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    validate_reference_data(data)
    report = LoadReport()
    country_load(report=report)
    prefecture, created, changed = _upsert(
        Prefecture, {"code": data["prefecture"]["code"]}, {"name": data["prefecture"]["name"]}
    )
    report.count("prefecture", created, changed)
    region_by_municipality = {}
    regions = {}
    for order, item in enumerate(data["regions"], start=1):
        region, created, changed = _upsert(
            Region,
            {"code": item["code"]},
            {"prefecture": prefecture, "name": item["name"], "display_order": order},
        )
        report.count("region", created, changed)
        regions[item["code"]] = region
        for code in item["municipalities"]:
            region_by_municipality[code] = region
    for item in data["municipalities"]:
        _, created, changed = _upsert(
            Municipality,
            {"code": item["code"]},
            {
                "prefecture": prefecture,
                "region": region_by_municipality[item["code"]],
                "name": item["name"],
                "kind": item["kind"],
            },
        )
        report.count("municipality", created, changed)
    for order, item in enumerate(data["health_centres"], start=1):
        centre, created, changed = _upsert(
            HealthCentre,
            {"code": item["code"]},
            {
                "prefecture": prefecture,
                "name": item["name"],
                "operator": item["operator"],
                "display_order": order,
            },
        )
        wanted = {regions[c].pk for c in item["regions"]}
        current = set(centre.regions.values_list("pk", flat=True))
        if wanted != current:
            centre.regions.set(wanted)
            changed = True
        report.count("health_centre", created, changed)
    return report
