"""Writes the sample national wide tables (退院率_都道府県別.xlsx / .csv) the README and the tests use.

    .venv/bin/python national/samples/make_samples.py

The shape is the 精神保健福祉資料 / NDB one: a title row, a note row, two header rows (each
indicator merged across its years, then 令和元年度 / 令和2年度), 全国 and the 47 prefectures (団体コード
and name; some rows give the name only, some without 県), a few suppressed (＊) and missing (‐) cells,
and notes below the table. The values are made up for the sample (near the national levels of the
time: about 63 / 80 / 88 %), not official statistics; the file says so.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
JAPAN = HERE.parent.parent / "regions" / "data" / "japan.json"
INDICATORS = [
    ("入院後3か月時点の退院率", 63.5),
    ("入院後6か月時点の退院率", 80.2),
    ("入院後1年時点の退院率", 87.6),
]
ERA = {2019: "令和元年度", 2020: "令和2年度", 2021: "令和3年度", 2022: "令和4年度"}
# Yamaguchi's own made-up values, one step on from its stored H29 figures (48.6 / 69.6 / 78.7 %).
YAMAGUCHI = {0: (50.1, 51.0), 1: (71.0, 71.8), 2: (80.2, 80.9)}
SUPPRESSED = {("320005", 0), ("390003", 2)}  # 島根県 3か月, 高知県 1年: ＊ in the first year
MISSING = {("470007", 1)}  # 沖縄県 6か月: ‐ in the first year


def table(years: tuple[int, int] = (2019, 2020)) -> list[list]:
    """The sheet as rows of cells (None for an empty cell, numbers as numbers)."""
    prefectures = json.loads(JAPAN.read_text(encoding="utf-8"))["prefectures"]
    rng = random.Random(18 + years[0])
    first, second = ERA.get(years[0], f"{years[0]}年度"), ERA.get(years[1], f"{years[1]}年度")
    rows: list[list] = [
        ["表5　都道府県別 精神病床からの退院率（見本・架空の値）"] + [None] * 7,
        ["単位：％　＊は対象者が少ないため非公表、‐は該当データなし"] + [None] * 7,
        ["団体コード", "都道府県"],
        [None, None],
    ]
    for name, _ in INDICATORS:
        rows[2] += [name, None]  # merged across its two years in the workbook
        rows[3] += [first, second]
    national = ["000000", "全国"]
    for _, level in INDICATORS:
        national += [level, round(level + 0.6, 1)]
    rows.append(national)
    for number, item in enumerate(prefectures):
        code, name = item["code"], item["name"]
        if number % 9 == 4:
            code = None  # the name alone
        elif number % 7 == 3:
            name = name.removesuffix("県")  # 「青森」 for 青森県
        row = [code, name]
        for position, (_, level) in enumerate(INDICATORS):
            if item["code"] == "350001":
                values = list(YAMAGUCHI[position])
            else:
                base = round(level + rng.uniform(-6, 6), 1)
                values = [base, round(base + rng.uniform(-0.5, 1.5), 1)]
            if (item["code"], position) in SUPPRESSED:
                values[0] = "＊"
            if (item["code"], position) in MISSING:
                values[0] = "‐"
            row += values
        rows.append(row)
    rows.append([None] * 8)
    rows.append(
        ["注）退院率は、当該年度に精神病床へ新たに入院した患者のうち、各時点までに退院した者の割合。"]
    )
    rows.append(["出典：精神保健福祉資料（NDB）の形式による見本。実際の統計値ではありません。"])
    return rows


def write_csv(path: Path, rows: list[list]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        for row in rows:
            writer.writerow(["" if cell is None else cell for cell in row])


def write_xlsx(path: Path, rows: list[list]) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "退院率"
    for row in rows:
        sheet.append(row)
    sheet.merge_cells("A3:A4")
    sheet.merge_cells("B3:B4")
    for start in ("C", "E", "G"):
        end = chr(ord(start) + 1)
        sheet.merge_cells(f"{start}3:{end}3")
    workbook.save(path)


def main() -> None:
    rows = table()
    write_csv(HERE / "退院率_都道府県別.csv", rows)
    write_xlsx(HERE / "退院率_都道府県別.xlsx", rows)


if __name__ == "__main__":
    main()
