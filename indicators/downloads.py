"""The Excel template for imports: the sheet to fill in, and the indicator and area codes beside it."""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from core.exports import safe_cell
from indicators.importing import TEMPLATE_HEADER

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_template(*, indicators, areas) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    bold = Font(bold=True)
    sheet = workbook.active
    sheet.title = "取り込み"
    sheet.append(TEMPLATE_HEADER)
    for column, width in zip("ABCDEFGHI", (26, 30, 12, 18, 14, 12, 24, 20, 8), strict=True):
        sheet.column_dimensions[column].width = width
    # Codes and periods are text: keep Excel from turning 350001 or R3年6月 into something else.
    for column in ("A", "C", "E"):
        for row in range(2, 502):
            sheet[f"{column}{row}"].number_format = "@"

    codes = workbook.create_sheet("指標コード一覧")
    codes.append(["指標コード", "指標名", "単位", "値の種類", "値の範囲"])
    for indicator in indicators:
        rule = {"percent": "0～100", "yes_no": "1（有）または 0（無）"}.get(indicator.value_type, "0 以上")
        codes.append(
            [
                safe_cell(indicator.code),
                safe_cell(indicator.name_ja),
                safe_cell(indicator.unit),
                indicator.get_value_type_display(),
                rule,
            ]
        )
    places = workbook.create_sheet("地域コード一覧")
    places.append(["地域コード", "地域名", "区分"])
    labels = {"prefecture": "県", "region": "圏域", "municipality": "市町村"}
    for area in areas:
        places.append([area.code, safe_cell(area.name), labels[area.level]])

    notes = workbook.create_sheet("記入方法")
    for line in (
        "1行目の見出しは変えずに、2行目から1行に1つの値を入力します。",
        "期間: 年度の値は「R4年度」「2022年度」、時点の値は「R3年6月」「2021-06-30」のように入力します。",
        "値: 数値のみ（割合は0～100、有・無は1か0）。数式は取り込めません。",
        "更新: 既に登録されている値を置き換えるときだけ 1 を入力します。",
        "指標名・地域名の列は確認用で、取り込みには使いません。",
    ):
        notes.append([line])
    for ws in (sheet, codes, places):
        for cell in ws[1]:
            cell.font = bold
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, "指標データ取り込みひな形.xlsx")
    return response
