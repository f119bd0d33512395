"""CSV (UTF-8 with BOM) and Excel exports of the filtered list; formulas neutralised."""

import csv
import io
from datetime import date
from urllib.parse import quote

from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import region
from tests.training.factories import TrainingSessionFactory


def _csv_rows(response):
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_has_bom_header_and_rows(client_for, viewer):
    TrainingSessionFactory(
        title="地域移行研修A", respondents=10, satisfied=8, attendees={"hospital_nurse": 4, "family": 1}
    )
    response = client_for(viewer).get("/training/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    stamp = timezone.localdate().strftime("%Y%m%d")
    assert quote(f"研修一覧_{stamp}.csv") in response["Content-Disposition"]  # as every list download
    rows = _csv_rows(response)
    header, row = rows[0], rows[1]
    assert header[:7] == ["ID", "年度", "開始日", "終了日", "研修時間", "研修区分", "研修名"]
    record = dict(zip(header, row, strict=True))
    assert record["研修名"] == "地域移行研修A"
    assert record["年度"] == "令和4年度"
    assert record["圏域"] == "岩国圏域"
    assert record["参加者計"] == "5"
    assert record["精神科病院：看護師"] == "4"
    assert record["家族"] == "1"
    assert record["精神科病院：医師"] == "0"
    assert record["満足の割合（%）"] == "80.0"
    assert len(rows) == 2


def test_csv_follows_the_filters(client_for, official):
    TrainingSessionFactory(title="岩国R4", region=region("3501"))
    TrainingSessionFactory(title="萩R4", region=region("3508"))
    TrainingSessionFactory(title="岩国R5", region=region("3501"), start_date=date(2023, 5, 1))
    TrainingSessionFactory(title="県全域R4", region=None, course="awareness")
    TrainingSessionFactory(title="削除済み", region=region("3501"), is_deleted=True)
    client = client_for(official)
    titles = [
        r[6]
        for r in _csv_rows(client.get(f"/training/export.csv?fiscal_year=2022&region={region('3501').pk}"))[
            1:
        ]
    ]
    assert titles == ["岩国R4"]
    titles = [r[6] for r in _csv_rows(client.get("/training/export.csv?region=pref"))[1:]]
    assert titles == ["県全域R4"]
    titles = [r[6] for r in _csv_rows(client.get("/training/export.csv?course=awareness"))[1:]]
    assert titles == ["県全域R4"]


def test_csv_neutralises_formulas(client_for, viewer):
    TrainingSessionFactory(title='=HYPERLINK("http://x")', place="+1", requests="@SUM(A1)")
    rows = _csv_rows(client_for(viewer).get("/training/export.csv"))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["研修名"] == '\'=HYPERLINK("http://x")'
    assert record["会場"] == "'+1"
    assert record["参加者の要望・意見"] == "'@SUM(A1)"


def test_xlsx_content_and_no_formulas(client_for, viewer):
    TrainingSessionFactory(title="=1+1", attendees={"peer": 3})
    response = client_for(viewer).get("/training/export.xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["研修名"] == "'=1+1"
    assert record["当事者・ピアサポーター"] == 3
    assert record["参加者計"] == 3
    assert record["研修時間"] == 2.5
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"
