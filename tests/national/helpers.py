"""Sample national tables for the tests: the shipped files, or the same shape built in memory (another
year's file, an extra row, a changed cell) with `national/samples/make_samples.py`'s own functions."""

from __future__ import annotations

import importlib.util
import io
import tempfile
from pathlib import Path

from django.conf import settings

SAMPLES = Path(settings.BASE_DIR) / "national" / "samples"
SAMPLE_XLSX = SAMPLES / "退院率_都道府県別.xlsx"
SAMPLE_CSV = SAMPLES / "退院率_都道府県別.csv"
# The sample's columns, as the official maps them (0-based column → indicator code).
SAMPLE_MAPPING = {
    2: "discharge_rate_3m",
    3: "discharge_rate_3m",
    4: "discharge_rate_6m",
    5: "discharge_rate_6m",
    6: "discharge_rate_12m",
    7: "discharge_rate_12m",
}


def _maker():
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sample_rows(years=(2019, 2020)) -> list[list]:
    return _maker().table(years)


def table_bytes(rows: list[list], fmt: str = "csv", *, sample_merges: bool = False) -> bytes:
    """The rows as a file; .xlsx with the sample's merged header cells only when asked (other shapes
    would lose cells to them)."""
    maker = _maker()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"t.{fmt}"
        if fmt == "csv":
            maker.write_csv(path, rows)
        elif sample_merges:
            maker.write_xlsx(path, rows)
        else:
            from openpyxl import Workbook

            workbook = Workbook()
            for row in rows:
                workbook.active.append(row)
            workbook.save(path)
        return path.read_bytes()


def csv_text_bytes(text: str) -> bytes:
    return io.StringIO(text).getvalue().encode("utf-8")


def mapping_post(
    detection_columns, *, layout_name="精神保健福祉資料（NDB）", skip_lines=(), mapping=None
) -> dict:
    """The mapping form's data: each sample column mapped, its period as read from its header."""
    mapping = SAMPLE_MAPPING if mapping is None else mapping
    data = {"layout_name": layout_name}
    for column in detection_columns:
        data[f"indicator_{column.index}"] = mapping.get(column.index, "")
        data[f"period_{column.index}"] = column.period
    for line in skip_lines:
        data[f"skip_{line}"] = "on"
    return data
