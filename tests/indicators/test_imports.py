"""Official data imports: every row validated, all or nothing, recorded, undoable; files checked."""

import io
import zipfile
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from core.models import ChangeRecord
from indicators.importing import MAX_UPLOAD_BYTES, TEMPLATE_HEADER
from indicators.models import ImportBatch, ImportChange, Indicator, Observation
from indicators.services import imports as import_services
from indicators.services import observation_record
from regions.models import Prefecture
from tests.indicators.helpers import HEADER, csv_file, xlsx_bytes, xlsx_file

URL = "/indicators/imports/"


def state():
    """Everything an import could touch, to prove a refused file changed nothing."""
    return (
        list(
            Observation.objects.order_by("pk").values_list("pk", "value", "provenance", "note", "edited_at")
        ),
        ChangeRecord.objects.count(),
        ImportBatch.objects.count(),
        ImportChange.objects.count(),
    )


def obs(code, area_key, period_key):
    return Observation.objects.get(indicator__code=code, area_key=area_key, period_key=period_key)


@pytest.fixture
def client(client_for, official, sheet):
    return client_for(official)


def upload(client, file):
    return client.post(URL, {"file": file})


def test_a_valid_csv_is_previewed_then_saved_on_confirm(client, official):
    before = state()
    response = upload(
        client,
        csv_file(
            [
                "discharge_rate_3m,3501,R2年度,45.5,NDB（R2年度）,,",
                "discharge_rate_3m,350001,2020年度,50.1,NDB（R2年度）,,",
                'inpatients_1y_plus,350001,令和4年6月30日,"3,400",630調査,,',
                "consultation_venue,352012,R4年4月,1,県調べ,,",
            ]
        ),
    )
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.row_count, batch.file_name, batch.uploaded_by) == (
        "pending",
        4,
        "data.csv",
        official,
    )
    assert state()[0] == before[0]  # nothing saved before the confirm step

    preview = client.get(response.url)
    page = preview.content.decode()
    assert "取り込みの確認" in page and page.count(">新規<") == 4
    assert "岩国圏域" in page and "令和2年度" in page and "令和4年6月30日" in page and "下関市" in page

    response = client.post(f"{URL}{batch.pk}/confirm/")
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.created_count, batch.updated_count, batch.applied_by) == (
        "applied",
        4,
        0,
        official,
    )
    assert obs("discharge_rate_3m", "region:3501", "fy:2020").value == Decimal("45.5")
    assert obs("discharge_rate_3m", "pref:350001", "fy:2020").value == Decimal("50.1")
    long_stay = obs("inpatients_1y_plus", "pref:350001", "date:2022-06-30")
    assert long_stay.value == 3400 and long_stay.edited_by == official and long_stay.created_by == official
    assert obs("consultation_venue", "muni:352012", "month:2022-04").value == 1
    assert sorted(batch.changes.values_list("line", "action")) == [(n, "created") for n in (2, 3, 4, 5)]
    assert ChangeRecord.objects.count() == before[1] + 4
    record = client.get(URL).content.decode()
    assert "data.csv" in record and "取り込み済み" in record


def test_every_row_is_checked_errors_are_listed_by_row_and_nothing_is_saved(client):
    before = state()
    response = upload(
        client,
        csv_file(
            [
                "discharge_rate_3m,350001,R2年度,50.1,,,",  # 2: valid
                "readmission_rate,350001,R2年度,12,,,",  # 3: unknown indicator
                "discharge_rate_3m,3599,R2年度,50,,,",  # 4: unknown area
                "discharge_rate_3m,131016,R2年度,50,,,",  # 5: Tokyo's 千代田区, not this prefecture
                "discharge_rate_3m,350001,そのうち,50,,,",  # 6: period not understood
                "discharge_rate_3m,350001,R3年度,abc,,,",  # 7: not a number
                "discharge_rate_3m,350001,R3年度,120,,,",  # 8: percentage above 100
                "inpatients_1y_plus,350001,R3年7月,-5,,,",  # 9: negative count
                "consultation_venue,352012,R4年4月,2,,,",  # 10: yes/no must be 1 or 0
                "discharge_rate_3m,350001,令和2年度,49,,,",  # 11: same as row 2 (R2年度 = 令和2年度)
                "discharge_rate_3m,350001,H29年度,48.6,,,",  # 12: already stored, not marked as update
                "discharge_rate_3m,350001,R1年度,45,,,たぶん",  # 13: update flag not understood
                "discharge_rate_6m,350001,R2年度,,,,",  # 14: value missing
                "discharge_rate_6m,350001,R2年度,NaN,,,",  # 15: NaN is not a number
            ]
        ),
    )
    assert response.status_code == 200
    errors = [str(e) for e in response.context["errors"]]
    assert errors == [
        "3行目（指標コード）: 「readmission_rate」という指標はありません。",
        "4行目（地域コード）: 「3599」は山口県の県・圏域・市町村のコードではありません。",
        "5行目（地域コード）: 「131016」は山口県の県・圏域・市町村のコードではありません。",
        "6行目（期間）: 「そのうち」は期間として読めません（例: 令和4年度、R3年6月、2022年度）",
        "7行目（値）: 「abc」は数値ではありません。",
        "8行目（値）: 120: 割合は0～100の範囲で入力してください。",
        "9行目（値）: -5: 負の数は入力できません。",
        "10行目（値）: 2: 有・無は1（有）か0（無）で入力してください。",
        "11行目: 2行目と同じ指標・地域・期間です（ファイル内の重複）。",
        "12行目: 入院後３か月時点の退院率・山口県（県全体）・H29年度 の値は既に登録されています（登録済み 48.6）。"
        "置き換えるときは「更新」の列に 1 を入れてください。",
        "13行目（更新）: 「たぶん」は分かりません（更新するときは 1）。",
        "14行目（値）: 値が空欄です。",
        "15行目（値）: 「NaN」は数値ではありません。",
    ]
    page = response.content.decode()
    assert "取り込めない行があります（13件）" in page and "何も保存していません" in page
    assert state() == before


def test_western_and_japanese_periods_are_both_understood(client):
    response = upload(
        client,
        csv_file(
            [
                "inpatients_1y_plus,350001,2022-06-30,3401,,,",
                "inpatients_1y_plus,350001,R5年6月30日,3350,,,",
                "discharge_rate_12m,350001,FY2019,80.1,,,",
                "discharge_rate_12m,350001,平成30年度,79.5,,,",
                "population,350001,2023/4/1,1300000,,,",
            ]
        ),
    )
    assert response.status_code == 302
    client.post(f"{response.url}confirm/")
    keys = set(Observation.objects.filter(created_by__isnull=False).values_list("period_key", flat=True))
    assert keys == {"date:2022-06-30", "date:2023-06-30", "fy:2019", "fy:2018", "date:2023-04-01"}


def test_updates_need_the_flag_and_undo_restores_previous_values(client, official):
    h29 = obs("discharge_rate_3m", "pref:350001", "fy:2017")
    assert (h29.value, h29.edited_at) == (Decimal("48.6"), None)
    response = upload(
        client,
        csv_file(
            [
                "discharge_rate_3m,350001,H29年度,49.0,NDB（再集計）,見直し,1",
                "discharge_rate_6m,350001,R2年度,70.0,NDB,,",
            ]
        ),
    )
    preview = client.get(response.url).content.decode()
    assert ">更新<" in preview and ">新規<" in preview and "48.6" in preview  # the value it replaces
    client.post(f"{response.url}confirm/")
    batch = ImportBatch.objects.get()
    assert (batch.created_count, batch.updated_count) == (1, 1)
    h29.refresh_from_db()
    assert (h29.value, h29.provenance, h29.edited_by) == (Decimal("49.0"), "NDB（再集計）", official)
    update = batch.changes.get(action="updated")
    assert update.previous["value"] == "48.600" and update.previous["provenance"] == "NDB（H29年度）"
    created_pk = batch.changes.get(action="created").observation_pk

    history_before = ChangeRecord.objects.count()
    response = client.post(f"{URL}{batch.pk}/undo/", {"confirmed": "yes"}, follow=True)
    assert "取り込みを取り消しました" in response.content.decode()
    h29.refresh_from_db()
    assert (h29.value, h29.provenance, h29.note, h29.edited_at, h29.edited_by) == (
        Decimal("48.6"),
        "NDB（H29年度）",
        "",
        None,
        None,
    )
    assert not Observation.objects.filter(pk=created_pk).exists()
    batch.refresh_from_db()
    assert (batch.status, batch.undone_by) == ("undone", official)
    assert ChangeRecord.objects.count() == history_before + 2
    assert ChangeRecord.objects.filter(action="delete", object_id=str(created_pk)).exists()
    # a second undo is refused
    response = client.post(f"{URL}{batch.pk}/undo/", {"confirmed": "yes"}, follow=True)
    assert "取り込み済みの状態ではないため" in response.content.decode()


@pytest.mark.parametrize("which", ["created", "updated"])
def test_undo_is_refused_when_a_row_changed_since(client, official, which):
    response = upload(
        client,
        csv_file(["discharge_rate_3m,350001,H29年度,49.0,,,1", "discharge_rate_6m,350001,R2年度,70.0,,,"]),
    )
    client.post(f"{response.url}confirm/")
    batch = ImportBatch.objects.get()
    pref = Prefecture.objects.get(code="350001")
    indicator, period = (
        ("discharge_rate_6m", "R2年度") if which == "created" else ("discharge_rate_3m", "H29年度")
    )
    observation_record(
        by=official,
        indicator=Indicator.objects.get(code=indicator),
        prefecture=pref,
        period_text=period,
        value=Decimal("71.5"),
    )
    before = state()
    response = client.post(f"{URL}{batch.pk}/undo/", {"confirmed": "yes"}, follow=True)
    page = response.content.decode()
    assert "取り消せませんでした" in page and "取り込み後に変更されています（現在の値 71.5）" in page
    assert state() == before
    batch.refresh_from_db()
    assert batch.status == "applied"


def test_confirm_checks_again_and_saves_nothing_if_the_data_changed(client, official):
    response = upload(
        client,
        csv_file(["discharge_rate_6m,350001,R2年度,70.0,,,", "discharge_rate_12m,350001,R2年度,80.0,,,"]),
    )
    batch = ImportBatch.objects.get()
    observation_record(
        by=official,
        indicator=Indicator.objects.get(code="discharge_rate_12m"),
        prefecture=Prefecture.objects.get(code="350001"),
        period_text="R2年度",
        value=Decimal("81"),
    )
    before = state()
    response = client.post(f"{URL}{batch.pk}/confirm/")
    assert response.status_code == 409
    assert "既に登録されています" in response.content.decode()
    assert state() == before
    assert not Observation.objects.filter(indicator__code="discharge_rate_6m", period_key="fy:2020").exists()


def test_a_failure_half_way_leaves_the_database_as_it_was(client, official, monkeypatch):
    upload(
        client,
        csv_file(["discharge_rate_6m,350001,R2年度,70.0,,,", "discharge_rate_12m,350001,R2年度,80.0,,,"]),
    )
    batch = ImportBatch.objects.get()
    before = state()
    calls = []
    real = import_services.history.change_record

    def fail_on_second(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(import_services.history, "change_record", fail_on_second)
    with pytest.raises(RuntimeError):
        import_services.import_batch_apply(by=official, batch=batch)
    assert state() == before
    batch.refresh_from_db()
    assert batch.status == "pending"


def test_discard_keeps_the_record_and_saves_nothing(client):
    upload(client, csv_file(["discharge_rate_6m,350001,R2年度,70.0,,,"]))
    batch = ImportBatch.objects.get()
    before = state()[0]
    client.post(f"{URL}{batch.pk}/discard/")
    batch.refresh_from_db()
    assert batch.status == "discarded" and state()[0] == before
    assert client.post(f"{URL}{batch.pk}/confirm/").status_code == 409


# --- files -----------------------------------------------------------------------------------------


def upload_error(client, file) -> str:
    before = state()
    response = upload(client, file)
    assert response.status_code == 200
    assert state() == before
    return response.context["upload_error"]


def test_csv_with_a_bom_is_read(client):
    response = upload(client, csv_file(["discharge_rate_6m,350001,R2年度,70.0,NDB,,"], encoding="utf-8-sig"))
    assert response.status_code == 302


def test_shift_jis_csv_is_refused_with_the_reason(client):
    message = upload_error(
        client, csv_file(["discharge_rate_6m,350001,R2年度,70.0,ＮＤＢ集計,,"], encoding="cp932")
    )
    assert "Shift_JIS" in message and "CSV UTF-8" in message


def test_size_type_and_content_are_checked(client):
    big = SimpleUploadedFile("big.csv", (HEADER + "\n").encode() + b"x" * MAX_UPLOAD_BYTES)
    assert "大きすぎます" in upload_error(client, big)
    assert "CSV（.csv）と Excel（.xlsx）" in upload_error(client, SimpleUploadedFile("data.txt", b"a,b\n"))
    not_xlsx = SimpleUploadedFile("data.xlsx", (HEADER + "\n").encode())
    assert "Excel ファイル（.xlsx）ではありません" in upload_error(client, not_xlsx)
    xlsx_as_csv = SimpleUploadedFile("data.csv", xlsx_bytes([TEMPLATE_HEADER]))
    assert "拡張子を .xlsx" in upload_error(client, xlsx_as_csv)
    utf16 = SimpleUploadedFile("data.csv", (HEADER + "\n").encode("utf-16"))
    assert "UTF-16" in upload_error(client, utf16)
    assert "見出しに 値 の列がありません" in upload_error(
        client, csv_file([], header="指標コード,地域コード,期間")
    )
    assert "見出し 「金額」 は分かりません" in upload_error(client, csv_file([], header=HEADER + ",金額"))
    assert "データがありません" in upload_error(client, SimpleUploadedFile("data.csv", b"\n\n"))


def test_too_many_rows_are_refused(client):
    lines = [f"population,350001,{1900 + n % 300}年,{n},,," for n in range(10001)]
    assert "一度に 10,000 行まで" in upload_error(client, csv_file(lines))


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_bombs_and_dtds_are_refused_before_opening(client):
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": b"0" * (40 * 1024 * 1024)})
    assert len(bomb) < MAX_UPLOAD_BYTES  # small on disk, 40 MB once expanded
    assert "展開後の大きさが上限" in upload_error(client, SimpleUploadedFile("bomb.xlsx", bomb))
    entities = _zip(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaa">]><Types/>',
            "xl/workbook.xml": b"<workbook/>",
        }
    )
    assert "DTD" in upload_error(client, SimpleUploadedFile("dtd.xlsx", entities))
    no_types = _zip({"xl/workbook.xml": b"<workbook/>"})
    assert "[Content_Types].xml がありません" in upload_error(client, SimpleUploadedFile("x.xlsx", no_types))
    broken = b"PK\x03\x04" + b"\x00" * 100
    assert "読めません" in upload_error(client, SimpleUploadedFile("broken.xlsx", broken))


def test_xlsx_values_are_read_and_formulas_are_refused_not_evaluated(client):
    rows = [
        TEMPLATE_HEADER,
        ["discharge_rate_3m", "入院後３か月時点の退院率", 350001, "山口県", "R2年度", 50.1, "NDB", "", ""],
        ["inpatients_1y_plus", "", "350001", "", datetime(2022, 6, 30), 3400, "630調査", "", ""],
        ["discharge_rate_6m", "", 3501, "", "R2年度", None, "NDB", "", ""],
        ["discharge_rate_12m", "", 3501, "", "R2年度", 80, "", "", ""],
    ]
    formulas = {"F4": "=1+1", "G5": '=HYPERLINK("http://example.com","x")'}
    before = state()
    response = upload(client, xlsx_file(rows, formulas=formulas))
    assert [str(e) for e in response.context["errors"]] == [
        "4行目（値）: 数式は取り込めません。値を入力してください。",
        "5行目（出典）: 数式は取り込めません。値を入力してください。",
    ]
    assert state() == before

    response = upload(client, xlsx_file(rows[:3]))
    assert response.status_code == 302
    client.post(f"{response.url}confirm/")
    assert obs("discharge_rate_3m", "pref:350001", "fy:2020").value == Decimal("50.1")
    assert obs("inpatients_1y_plus", "pref:350001", "date:2022-06-30").value == 3400


def test_text_that_looks_like_a_formula_is_kept_as_text(client):
    response = upload(client, csv_file(['discharge_rate_6m,350001,R2年度,70,"=HYPERLINK(""x"")",,']))
    client.post(f"{response.url}confirm/")
    assert obs("discharge_rate_6m", "pref:350001", "fy:2020").provenance == '=HYPERLINK("x")'


def test_templates_download_and_round_trip(client):
    response = client.get(f"{URL}template.csv")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf") and body.decode("utf-8-sig").strip() == ",".join(TEMPLATE_HEADER)

    response = client.get(f"{URL}template.xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["取り込み", "指標コード一覧", "地域コード一覧", "記入方法"]
    sheet = workbook["取り込み"]
    assert [c.value for c in sheet[1]] == TEMPLATE_HEADER
    codes = {row[0].value for row in workbook["指標コード一覧"].iter_rows(min_row=2)}
    assert {"discharge_rate_3m", "inpatients_1y_plus"} <= codes
    areas = {row[0].value for row in workbook["地域コード一覧"].iter_rows(min_row=2)}
    assert {"350001", "3501", "352012"} <= areas and len(areas) == 1 + 8 + 19
    sheet.append(
        ["discharge_rate_6m", "入院後６か月時点の退院率", "3508", "萩圏域", "R3年度", 71.2, "NDB", "", ""]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(client, SimpleUploadedFile("filled.xlsx", buffer.getvalue()))
    assert response.status_code == 302
    assert client.get(f"{URL}template.pdf").status_code == 404


def test_values_and_imports_cannot_be_changed_in_bulk_behind_the_history(client):
    from core.models import AuditedWriteError

    with pytest.raises(AuditedWriteError):
        Observation.objects.all().update(value=0)
    with pytest.raises(AuditedWriteError):
        ImportBatch.objects.all().delete()
