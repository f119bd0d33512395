"""CSV and Excel downloads shared by every app.

CSV is UTF-8 with a BOM so that Excel on Japanese Windows opens it correctly; any cell that
looks like a formula is neutralised so a downloaded file can never run anything in Excel.
File names are sent per RFC 6266 (filename* with UTF-8) so Japanese names survive.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def safe_cell(value):
    """Cell value for an export: formula-looking text gets a leading apostrophe; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else value
    if isinstance(value, int | float | date):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> StreamingHttpResponse:
    """Stream rows as CSV (UTF-8 with BOM) without holding the file in memory."""
    writer = csv.writer(_Echo())

    def generate():
        yield "\ufeff" + writer.writerow(header)
        for row in rows:
            yield writer.writerow([_csv_text(safe_cell(v)) for v in row])

    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in generate()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _csv_text(value):
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value


def xlsx_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence], *, sheet_title: str = "データ"
) -> HttpResponse:
    """An .xlsx download built with openpyxl's write-only mode (constant memory per row)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    bold = Font(bold=True)
    header_cells = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=safe_cell(title))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        values = []
        for value in row:
            value = safe_cell(value)
            if isinstance(value, datetime) and timezone.is_aware(value):
                value = timezone.localtime(value).replace(tzinfo=None)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            values.append(cell)
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def download_stem(what: str, *qualifiers: str, edition: str = "", today=None) -> str:
    """Every download is named the same way: 「<内容>_<地域・年度…>_<版 or 作成日>」, e.g.
    会議一覧_20261201, 退院率_山口県_令和8年度_20261201, 自治体状況共有シート_山口県_令和4年度_第1版.
    A published edition is named by its number (the same file whenever downloaded); anything else by the
    day it was made, which keeps successive downloads apart."""
    last = edition or f"{(today or timezone.localdate()):%Y%m%d}"
    return "_".join([what, *(q for q in qualifiers if q), last])


def export_response(
    fmt: str, stem: str, header: Sequence[str], rows: Iterable[Sequence], *, sheet_title: str
):
    """The download `<stem>.csv` or `<stem>.xlsx` as `fmt` says; any other format is a 404."""
    if fmt == "csv":
        return csv_response(f"{stem}.csv", header, rows)
    if fmt == "xlsx":
        return xlsx_response(f"{stem}.xlsx", header, rows, sheet_title=sheet_title)
    raise Http404("形式が違います")
