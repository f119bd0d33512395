"""Small counts where people read them: the constructed table of tests/indicators/test_suppression.py
stored as 630調査 values (R4年6月, 8 regions × 65歳以上 / 65歳未満 / 1年以上 with the prefecture's
row), then read on the dashboard by a viewer, an official and a region's staff, and downloaded as CSV
and Excel (always as the public reads it); the region sheet's PDF text; the definitions pages."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.test import override_settings

from indicators import small_counts
from indicators.models import Indicator, Observation, area_key_for
from indicators.small_counts import PUBLIC, Hidden, pattern_for, reader_for
from regions.models import Prefecture, Region
from tests.indicators.test_suppression import ROWS
from tests.pdfutils import pdf_text

pytestmark = pytest.mark.django_db

URL = "/indicators/"
PARAMS = {"fiscal_year": 2022}
CODES = {
    "3501": "岩国",
    "3502": "柳井",
    "3503": "周南",
    "3504": "山口・防府",
    "3505": "宇部・小野田",
    "3506": "下関",
    "3507": "長門",
    "3508": "萩",
}
OVER, UNDER, TOTAL = "inpatients_1y_plus_65_over", "inpatients_1y_plus_under_65", "inpatients_1y_plus"
AS_OF = date(2022, 6, 30)
REGION_TABLE = "chart-inpatients-1y-plus-regions"
LEGEND = "＊: 10人未満のため秘匿（他の値から逆算できないよう一部の値も秘匿）"
# What the published view hides: 岩国's 65歳以上 (6, primary), then 岩国's 65歳未満 (15), 長門's
# 65歳以上 (25) and 65歳未満 (12) so that no total minus the shown parts gives one back.
HIDDEN = {("3501", OVER): 6, ("3501", UNDER): 15, ("3507", OVER): 25, ("3507", UNDER): 12}


def _store(code: str, region, value):
    prefecture = Prefecture.objects.get(code="350001")
    return Observation.objects.create(
        indicator=Indicator.objects.get(code=code),
        prefecture=prefecture,
        region=region,
        area_key=area_key_for(prefecture=prefecture, region=region),
        period_kind="month",
        fiscal_year=2022,
        as_of=AS_OF,
        period_end=AS_OF,
        period_key="month:2022-06",
        value=value,
        provenance="630調査（圏域別）",
    )


@pytest.fixture
def table(sheet):
    """The constructed table, stored as an import stores it."""
    for region_code, name in CODES.items():
        region = Region.objects.get(code=region_code)
        over, under = ROWS[name]
        _store(OVER, region, over)
        _store(UNDER, region, under)
        _store(TOTAL, region, over + under)
    _store(OVER, None, sum(o for o, _ in ROWS.values()))
    _store(UNDER, None, sum(u for _, u in ROWS.values()))
    _store(TOTAL, None, sum(o + u for o, u in ROWS.values()))


def _june_rows(html: str) -> dict[str, str]:
    """The R4年6月 rows of the dashboard's region table (圏域別の値) as drawn, by region name."""
    drawn = html.split(f'data-testid="table-{REGION_TABLE}"')[1].split("</table>")[0]
    rows = [row for row in drawn.split("<tr>") if "令和4年6月" in row]
    return {name: next(r for r in rows if f">{name}圏域<" in r) for name in CODES.values()}


# --- which cells are hidden ----------------------------------------------------------------------


def test_the_stored_table_hides_the_small_cell_and_the_cells_that_would_give_it_back(table):
    pattern = pattern_for(Prefecture.objects.get(code="350001"))
    code_of = {i.pk: i.code for i in Indicator.objects.filter(code__in=(OVER, UNDER, TOTAL))}
    assert {(key.removeprefix("region:"), code_of[i]) for i, key, _ in pattern.hidden} == set(HIDDEN)
    assert {end for _, _, end in pattern.hidden} == {AS_OF}
    # the prefecture's own figures and every region's total stay published
    assert not any(key.startswith("pref:") for _, key, _ in pattern.hidden)


def test_an_indicator_that_does_not_count_people_is_never_hidden(table):
    rate = Indicator.objects.get(code="discharge_rate_3m")
    pattern = pattern_for(Prefecture.objects.get(code="350001"))
    assert not rate.counts_people
    assert pattern.hides(rate, "region:3501", AS_OF, Decimal("3")) is False
    over = Indicator.objects.get(code=OVER)
    assert pattern.hides(over, "region:3501", AS_OF, Decimal("6")) is True
    assert pattern.hides(over, "pref:350001", AS_OF, Decimal("6")) is False  # the prefecture publishes it
    assert pattern.hides(over, "region:3502", AS_OF, Decimal("0")) is False  # zero is shown


@override_settings(SMALL_COUNT_THRESHOLD=5)
def test_the_threshold_is_a_setting(table):
    pattern = pattern_for(Prefecture.objects.get(code="350001"))
    assert pattern.threshold == 5
    assert not pattern.hidden  # nothing below 5 in the table
    assert small_counts.legend().startswith("＊: 5人未満のため秘匿")


# --- who sees what -------------------------------------------------------------------------------


def test_the_one_decision_point(table, official, iwakuni_staff, hagi_staff, viewer):
    iwakuni, hagi = Region.objects.get(code="3501"), Region.objects.get(code="3508")
    cell = Hidden(6, "6人", iwakuni.pk)
    assert str(cell) == "＊" and small_counts.public(cell) == "＊"
    assert PUBLIC.show(cell) == "＊"
    assert reader_for(viewer).show(cell) == "＊"
    assert reader_for(hagi_staff).show(cell) == "＊"
    for user in (official, iwakuni_staff):
        shown = reader_for(user).show(cell)
        assert shown.startswith('6人<sup class="small-count" title="閲覧者の画面と出力')
    assert reader_for(official).reveals(hagi.pk) and not reader_for(iwakuni_staff).reveals(hagi.pk)
    assert reader_for(official).show(Hidden(3, "3人", None)) != "＊"  # unknown region: officials only
    assert reader_for(iwakuni_staff).show(Hidden(3, "3人", None)) == "＊"
    assert {reader_for(u).key for u in (official, iwakuni_staff, hagi_staff, viewer)} == {
        "all",
        f"regions:{iwakuni.pk}",
        f"regions:{hagi.pk}",
        "public",
    }
    assert PUBLIC.key == "public"


# --- the dashboard -------------------------------------------------------------------------------


def test_a_viewer_sees_stars_and_the_legend_in_the_dashboards_html(table, viewer, client_for):
    html = client_for(viewer).get(URL, PARAMS).content.decode()
    rows = _june_rows(html)
    for name, total in (("岩国", 21), ("長門", 37)):
        assert rows[name].count('<td class="text-end">＊</td>') == 2
        assert f'<td class="text-end">{total}</td>' in rows[name]
    for value in (6, 15):
        assert f'<td class="text-end">{value}</td>' not in rows["岩国"]
    for value in (25, 12):
        assert f'<td class="text-end">{value}</td>' not in rows["長門"]
    for value in (60, 40, 20):
        assert f'<td class="text-end">{value}</td>' in rows["柳井"]
    assert "＊" not in rows["柳井"]
    assert LEGEND in html
    assert 'class="small-count"' not in html and "上付きの＊" not in html


def test_an_official_sees_the_values_with_a_mark(table, official, client_for):
    html = client_for(official).get(URL, PARAMS).content.decode()
    rows = _june_rows(html)
    for name, values in (("岩国", (6, 15)), ("長門", (25, 12))):
        for value in values:
            assert (
                f'<td class="text-end">{value}<sup class="small-count" title="閲覧者の画面と出力'
                in rows[name]
            )
        assert '<td class="text-end">＊</td>' not in rows[name]
    assert "上付きの＊" in html  # the legend says what the mark means
    assert LEGEND in html


def test_a_regions_staff_sees_their_own_regions_values_only(table, iwakuni_staff, client_for):
    rows = _june_rows(client_for(iwakuni_staff).get(URL, {**PARAMS, "region": ""}).content.decode())
    for value in (6, 15):  # 岩国's own
        assert f'<td class="text-end">{value}<sup class="small-count"' in rows["岩国"]
    assert rows["長門"].count('<td class="text-end">＊</td>') == 2  # another region's
    assert "<sup" not in rows["長門"]


def test_the_region_page_of_the_dashboard_hides_the_regions_latest_values(
    table, viewer, official, client_for
):
    viewer_html = client_for(viewer).get(URL, {**PARAMS, "region": "3501"}).content.decode()
    status = viewer_html.split('data-testid="status-table"')[1].split("</table>")[0]
    row = status.split(f'data-indicator="{OVER}"')[1].split("</tr>")[0]
    assert '<span class="fw-bold fs-6">＊</span>' in row
    assert "6人" not in row
    total_row = status.split(f'data-indicator="{TOTAL}"')[1].split("</tr>")[0]
    assert "21人" in total_row
    official_html = client_for(official).get(URL, {**PARAMS, "region": "3501"}).content.decode()
    official_status = official_html.split('data-testid="status-table"')[1].split("</table>")[0]
    assert "6人<sup" in official_status.split(f'data-indicator="{OVER}"')[1].split("</tr>")[0]


def test_charts_never_plot_a_hidden_value(table, official, client_for):
    overview = client_for(official).get(URL, {**PARAMS, "region": "3501"}).context["overview"]
    chart = next(c for c in overview.charts if c.key == "inpatients-1y-plus")
    traces = {t["name"]: t for t in chart.figure["data"]}
    over = next(
        t for name, t in traces.items() if name.startswith("１年以上の長期在院者数（65歳以上）（岩国")
    )
    total = next(
        t for name, t in traces.items() if name.startswith("１年以上の長期在院者数（慢性期入院需要）（岩国")
    )
    assert AS_OF.isoformat() not in over["x"] and 6 not in over["y"]
    assert AS_OF.isoformat() in total["x"] and 21 in total["y"]
    assert chart.has_hidden


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("persona", ["official", "viewer", "iwakuni_staff"])
def test_the_csv_has_stars_and_the_legend_whoever_downloads_it(table, persona, request, client_for):
    client = client_for(request.getfixturevalue(persona))
    rows = _csv(client.get(f"{URL}export/{REGION_TABLE}.csv", PARAMS))
    assert rows[-1] == [LEGEND]
    june = {row[0]: row for row in rows[1:-1] if row[1].startswith("令和4年6月")}
    by_region = {name: row[2:] for name, row in june.items()}
    assert sorted(by_region["岩国圏域"]) == sorted(["21", "＊", "＊"])
    assert sorted(by_region["長門圏域"]) == sorted(["37", "＊", "＊"])
    assert sorted(by_region["柳井圏域"]) == sorted(["60", "40", "20"])
    assert "6" not in by_region["岩国圏域"] and "25" not in by_region["長門圏域"]


def test_the_excel_file_has_stars_and_the_legend(table, official, client_for):
    from openpyxl import load_workbook

    response = client_for(official).get(f"{URL}export/{REGION_TABLE}.xlsx", PARAMS)
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[-1][0] == LEGEND
    june = {row[0]: row for row in rows[1:-1] if str(row[1]).startswith("令和4年6月")}
    assert sorted(map(str, june["岩国圏域"][2:])) == sorted(["21", "＊", "＊"])
    assert sorted(map(str, june["長門圏域"][2:])) == sorted(["37", "＊", "＊"])
    assert 6 not in june["岩国圏域"] and 15 not in june["岩国圏域"]
    assert 40 in june["柳井圏域"]


def test_the_matrix_download_keeps_the_status_beside_a_star(table, official, client_for):
    rows = _csv(client_for(official).get(f"{URL}export/matrix.csv", PARAMS))
    assert rows[-1] == [LEGEND]
    header = rows[0]
    iwakuni = next(row for row in rows if row[0] == "岩国圏域")
    over = iwakuni[
        next(i for i, h in enumerate(header) if h.startswith("１年以上の長期在院者数（65歳以上）"))
    ]
    assert over.startswith("＊")
    assert "6" not in over


# --- the region sheet's PDF ------------------------------------------------------------------------


def test_the_region_sheet_pdf_hides_them_for_everyone(table, official, client_for):
    response = client_for(official).get("/sheets/2022/regions/3501.pdf")
    text = pdf_text(response.content).replace("\n", "")
    assert LEGEND in text
    # The values' data set is not approved (nothing approves it here): each value carries 「※未承認」.
    assert "１年以上の長期在院者数（65歳以上） ＊ ※未承認 令和4年6月" in text
    assert "１年以上の長期在院者数（65歳未満） ＊ ※未承認 令和4年6月" in text
    assert "１年以上の長期在院者数（慢性期入院需要） 21人 ※未承認 令和4年6月" in text
    assert "（65歳以上） 6人" not in text and "（65歳未満） 15人" not in text
    assert "上付きの＊" not in text  # a PDF never reveals, not even to an official


def test_the_pdftotext_of_the_region_sheet_has_the_stars(table, viewer, client_for, tmp_path):
    import subprocess

    pdf = tmp_path / "region.pdf"
    pdf.write_bytes(client_for(viewer).get("/sheets/2022/regions/3507.pdf").content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    over = next(line for line in text.splitlines() if "１年以上の長期在院者数（65歳以上）" in line)
    under = next(line for line in text.splitlines() if "１年以上の長期在院者数（65歳未満）" in line)
    total = next(line for line in text.splitlines() if "１年以上の長期在院者数（慢性期入院需要）" in line)
    assert "＊" in over and "25" not in over
    assert "＊" in under and "12" not in under
    assert "37人" in total
    assert "10人未満のため秘匿" in text


# --- the definitions ---------------------------------------------------------------------------------


def test_the_definitions_page_states_the_rule_and_the_threshold(table, viewer, client_for):
    html = client_for(viewer).get("/indicators/definitions/").content.decode()
    assert "少ない人数の秘匿（しきい値 10）" in html
    assert "1～9（10人未満）のとき「＊」で秘匿" in html
    # population, the 630調査's six counts, and its 75歳以上 and 認知症・40歳以上 long-stay counts
    assert html.count('data-testid="counts-people"') == 9


def test_a_definition_page_states_the_rule_and_hides_the_values(table, viewer, official, client_for):
    html = client_for(viewer).get(f"/indicators/definitions/{OVER}/").content.decode()
    rule = html.split('data-testid="small-count-rule"')[1].split("</dd>")[0]
    assert "対象（人数を数える指標）" in rule and "しきい値は 10" in rule
    values = html.split('data-testid="observations"')[1].split("</table>")[0]
    assert values.count('<td class="text-end">＊</td>') == 2
    assert LEGEND in html
    official_html = client_for(official).get(f"/indicators/definitions/{OVER}/").content.decode()
    assert "6人<sup" in official_html and "25人<sup" in official_html
    rate = client_for(viewer).get("/indicators/definitions/discharge_rate_3m/").content.decode()
    assert "対象外" in rate.split('data-testid="small-count-rule"')[1].split("</dd>")[0]
