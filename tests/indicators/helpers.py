"""Building upload files for the import tests."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile

HEADER = "指標コード,地域コード,期間,値,出典,備考,更新"


def csv_file(lines: list[str], *, name: str = "data.csv", encoding: str = "utf-8", header: str = HEADER):
    text = "\n".join([header, *lines]) + "\n"
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def xlsx_bytes(rows: list[list], *, formulas: dict | None = None) -> bytes:
    """A workbook whose first sheet holds `rows`; `formulas` {"D2": "=1+1"} become formula cells."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for ref, formula in (formulas or {}).items():
        sheet[ref] = formula
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_file(rows: list[list], *, name: str = "data.xlsx", formulas: dict | None = None):
    return SimpleUploadedFile(name, xlsx_bytes(rows, formulas=formulas))
