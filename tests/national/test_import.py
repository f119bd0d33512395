"""The wide import from upload to undo: mapping, matching, skipping, gaps, locks, the saved layout."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from indicators.models import ImportBatch, Observation
from national import services
from national.models import SourceGap, WideImport, WideTableLayout
from regions.models import Prefecture
from tests.factories import DataSetFactory
from tests.national.helpers import SAMPLE_CSV, SAMPLE_XLSX, mapping_post, sample_rows, table_bytes

NEW = "/national/imports/new/"


@pytest.fixture
def client(client_for, official, sheet):
    return client_for(official)


def upload(client, name, data, source="精神保健福祉資料（NDB）"):
    return client.post(NEW, {"file": SimpleUploadedFile(name, data), "source": source})


def last_wide() -> WideImport:
    return WideImport.objects.order_by("-pk").first()


def map_page(wide):
    return f"/national/imports/{wide.pk}/map/"


def post_mapping(client, wide, **kwargs):
    detection = services.detection_of(wide)
    return client.post(map_page(wide), mapping_post(detection.columns, **kwargs))


def confirm(client, batch, note=""):
    data = {"note": note}
    response = client.post(f"/indicators/imports/{batch.pk}/confirm/", data)
    if response.status_code == 200 and "confirmed_digest" in response.content.decode():
        # soft findings: the preview asks for one note, as in the long import
        digest = response.context["confirm_form"]["confirmed_digest"].value()
        response = client.post(
            f"/indicators/imports/{batch.pk}/confirm/",
            {"note": "全国の公表値を確認", "confirmed_digest": digest},
        )
    return response


def value(code, area_key, period_key):
    return Observation.objects.get(indicator__code=code, area_key=area_key, period_key=period_key)


@pytest.mark.parametrize("path", [SAMPLE_XLSX, SAMPLE_CSV], ids=["xlsx", "csv"])
def test_upload_map_confirm_and_undo_the_sample(client, path):
    response = upload(client, path.name, path.read_bytes())
    wide = last_wide()
    assert response.status_code == 302 and response["Location"] == map_page(wide)
    page = client.get(map_page(wide))
    assert page.status_code == 200
    text = page.content.decode()
    assert "見出し: 3行目・4行目" in text and "入院後3か月時点の退院率／令和元年度" in text
    assert Observation.objects.count() == Observation.objects.count()  # nothing yet
    before = Observation.objects.count()

    response = post_mapping(client, wide)
    assert response.status_code == 302
    wide.refresh_from_db()
    batch = wide.batch
    assert batch.status == ImportBatch.Status.PENDING and batch.file_format.startswith("wide-")
    assert batch.row_count == 48 * 6 - 3  # two ＊ and one ‐ are gaps, not rows
    assert len(wide.gaps) == 3 and Observation.objects.count() == before  # nothing saved before confirm
    assert WideTableLayout.objects.get().name == "精神保健福祉資料（NDB）"

    response = confirm(client, batch)
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED
    national = value("discharge_rate_3m", "pref:000000", "fy:2019")
    assert national.value == Decimal("63.5") and national.prefecture == Prefecture.objects.nation()
    assert value("discharge_rate_12m", "pref:350001", "fy:2020").value == Decimal("80.9")
    assert value("discharge_rate_6m", "pref:130001", "fy:2020").prefecture.name == "東京都"
    gaps = {(g.indicator.code, g.area_key, g.period_key): (g.kind, g.mark) for g in SourceGap.objects.all()}
    assert gaps == {
        ("discharge_rate_3m", "pref:320005", "fy:2019"): ("suppressed", "＊"),
        ("discharge_rate_12m", "pref:390003", "fy:2019"): ("suppressed", "＊"),
        ("discharge_rate_6m", "pref:470007", "fy:2019"): ("missing", "‐"),
    }
    # a suppressed cell is never a zero
    assert not Observation.objects.filter(
        area_key="pref:320005", indicator__code="discharge_rate_3m", period_key="fy:2019"
    ).exists()

    response = client.post(
        f"/indicators/imports/{batch.pk}/undo/", {"confirmed": "yes"}
    )  # the confirmation page posts it
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.UNDONE
    assert Observation.objects.count() == before and not SourceGap.objects.exists()


def test_a_row_that_matches_nothing_is_refused_until_skipped(client):
    rows = sample_rows()
    rows.insert(10, [None, "架空県", 50, 51, 70, 71, 80, 81])
    upload(client, "t.csv", table_bytes(rows))
    wide = last_wide()
    page = client.get(map_page(wide)).content.decode()
    assert "架空県" in page and "この行を取り込まない" in page
    response = post_mapping(client, wide)
    assert response.status_code == 400
    assert "11行目「架空県」はどの地域にも当たりません" in response.content.decode()
    wide.refresh_from_db()
    assert wide.batch is None and not ImportBatch.objects.exists() and not WideTableLayout.objects.exists()

    response = post_mapping(client, wide, skip_lines=[11])
    assert response.status_code == 302
    wide.refresh_from_db()
    assert wide.batch.row_count == 48 * 6 - 3
    assert all(row["line"] != 11 for row in wide.batch.rows)


def test_a_second_file_of_the_same_shape_reuses_the_saved_mapping(client):
    upload(client, "r1.csv", table_bytes(sample_rows((2019, 2020))))
    first = last_wide()
    post_mapping(client, first)
    first.refresh_from_db()
    confirm(client, first.batch)

    # next year's file: the years in its headers moved on; one step to the confirmation
    response = upload(client, "r2.csv", table_bytes(sample_rows((2020, 2021))), source="")
    second = last_wide()
    assert response.status_code == 302
    assert second.layout == WideTableLayout.objects.get() and second.batch is not None
    assert second.source == "精神保健福祉資料（NDB）"
    periods = {row["period"] for row in second.batch.rows}
    assert periods == {"令和2年度", "令和3年度"}
    page = client.get(map_page(second)).content.decode()
    assert "保存した対応付け「精神保健福祉資料（NDB）」" in page and "取り込む" in page
    assert confirm(client, second.batch).status_code == 302
    assert value("discharge_rate_3m", "pref:000000", "fy:2021").value is not None
    second.batch.refresh_from_db()
    assert second.batch.updated_count > 0  # 令和2年度 was in both files: updated, not refused


def test_rows_of_the_portals_locked_sets_are_skipped_and_listed(client):
    DataSetFactory(scope="prefecture", region=None, fiscal_year=2019, state="approved")
    upload(client, "t.csv", table_bytes(sample_rows()))
    wide = last_wide()
    assert post_mapping(client, wide).status_code == 302
    wide.refresh_from_db()
    skipped = {(s["area"], s["period"]) for s in wide.skipped}
    assert skipped == {("山口県（県全体）", "令和元年度")}
    assert len(wide.skipped) == 3 and "承認" in wide.skipped[0]["reason"]
    assert wide.batch.row_count == 48 * 6 - 3 - 3
    page = client.get(map_page(wide)).content.decode()
    assert 'data-testid="skipped-rows"' in page
    assert confirm(client, wide.batch).status_code == 302
    assert not Observation.objects.filter(area_key="pref:350001", period_key="fy:2019").exists()
    assert Observation.objects.filter(area_key="pref:350001", period_key="fy:2020").count() == 3


def test_a_gap_never_deletes_a_stored_value(client):
    upload(client, "a.csv", table_bytes(sample_rows()))
    first = last_wide()
    post_mapping(client, first)
    first.refresh_from_db()
    confirm(client, first.batch)
    rows = sample_rows()
    rows[4][2] = "＊"  # 全国 3か月 令和元年度 now suppressed
    upload(client, "b.csv", table_bytes(rows))
    second = last_wide()
    second.refresh_from_db()
    assert second.batch is not None
    page = client.get(map_page(second)).content.decode()
    assert 'data-testid="kept-values"' in page
    confirm(client, second.batch)
    assert value("discharge_rate_3m", "pref:000000", "fy:2019").value == Decimal("63.5")
    assert not SourceGap.objects.filter(area_key="pref:000000").exists()


def test_a_formula_cell_is_refused_not_evaluated(client):
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    for row in sample_rows():
        workbook.active.append(row)
    workbook.active["C5"] = "=1+1"
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload(client, "f.xlsx", buffer.getvalue())
    wide = last_wide()
    response = post_mapping(client, wide)
    assert response.status_code == 400 and "数式は取り込めません" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_value_out_of_range_refuses_the_file(client):
    rows = sample_rows()
    rows[6][3] = 150  # a percentage above 100
    upload(client, "t.csv", table_bytes(rows))
    wide = last_wide()
    response = post_mapping(client, wide)
    assert response.status_code == 400 and 'data-testid="row-errors"' in response.content.decode()
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize(
    "name,data",
    [
        ("t.csv", b""),
        ("t.csv", b"a,b\nc,d\n"),
        ("t.csv", "\n".join(["架空県,1,2"] * 5).encode()),
        ("t.csv", ("x," * 10000 + "\n全国,1\n").encode()),
        ("t.csv", "都道府県,令和元年度\n山口県,1\n".encode("cp932")),
        ("t.xlsx", b"PK\x03\x04broken"),
        ("t.txt", b"abc"),
    ],
)
def test_no_upload_answers_500(client, name, data):
    response = upload(client, name, data)
    assert response.status_code == 400
    text = response.content.decode()
    assert 'data-testid="upload-error"' in text or "ファイルが空です" in text
    assert not WideImport.objects.exists()


def test_saved_layouts_can_be_renamed_and_deleted(client):
    upload(client, "t.csv", table_bytes(sample_rows()))
    post_mapping(client, last_wide())
    layout = WideTableLayout.objects.get()
    assert "精神保健福祉資料（NDB）" in client.get("/national/layouts/").content.decode()
    client.post(f"/national/layouts/{layout.pk}/rename/", {"name": "NDB 退院率"})
    layout.refresh_from_db()
    assert layout.name == "NDB 退院率"
    client.post(f"/national/layouts/{layout.pk}/delete/")
    assert not WideTableLayout.objects.exists()


def test_the_import_list_links_to_the_wide_import(client):
    assert 'href="/national/imports/new/"' in client.get("/indicators/imports/").content.decode()


REGION_TABLE = [
    ["二次医療圏別 長期入院患者数（見本）"],
    [None, "１年以上の長期在院者数（慢性期入院需要）", None],
    ["二次医療圏", "令和3年度", "令和4年度"],
    ["岩国医療圏", 250, 240],
    ["柳井", 120, "‐"],
    ["周南圏域", 300, 310],
    ["注）630調査による"],
]


def test_a_region_table_fills_the_portals_regions_and_skips_a_locked_set(client):
    DataSetFactory(fiscal_year=2022, state="approved")  # 岩国圏域 令和4年度
    upload(client, "r.xlsx", table_bytes(REGION_TABLE, "xlsx"), source="630調査")
    wide = last_wide()
    page = client.get(map_page(wide)).content.decode()
    assert 'value="inpatients_1y_plus" selected' in page  # suggested from the header's name
    response = post_mapping(client, wide, mapping={1: "inpatients_1y_plus", 2: "inpatients_1y_plus"})
    assert response.status_code == 302
    wide.refresh_from_db()
    assert [(s["area"], s["period"]) for s in wide.skipped] == [("岩国圏域", "令和4年度")]
    assert confirm(client, wide.batch).status_code == 302
    stored = Observation.objects.get(
        area_key="region:3503", period_key="fy:2022", indicator__code="inpatients_1y_plus"
    )
    assert stored.value == 310 and stored.region.code == "3503" and stored.prefecture.code == "350001"
    assert not Observation.objects.filter(area_key="region:3501", period_key="fy:2022").exists()
    assert SourceGap.objects.get().area_key == "region:3502"


def test_undoing_a_later_import_gives_a_cell_back_the_earlier_imports_mark(client):
    upload(client, SAMPLE_CSV.name, SAMPLE_CSV.read_bytes())
    first = last_wide()
    post_mapping(client, first)
    first.refresh_from_db()
    assert confirm(client, first.batch).status_code == 302
    marked = {(g.indicator_id, g.area_key, g.period_key): (g.kind, g.mark) for g in SourceGap.objects.all()}
    assert len(marked) == 3 and {g.batch_id for g in SourceGap.objects.all()} == {first.batch_id}

    upload(client, "again.csv", SAMPLE_CSV.read_bytes())  # the same table again: the saved mapping
    second = last_wide()
    assert confirm(client, second.batch).status_code == 302
    assert {g.batch_id for g in SourceGap.objects.all()} == {second.batch_id}  # taken over

    response = client.post(f"/indicators/imports/{second.batch_id}/undo/", {"confirmed": "yes"})
    assert response.status_code == 302
    second.batch.refresh_from_db()
    assert second.batch.status == "undone"
    restored = {(g.indicator_id, g.area_key, g.period_key): (g.kind, g.mark) for g in SourceGap.objects.all()}
    assert restored == marked and {g.batch_id for g in SourceGap.objects.all()} == {first.batch_id}
