"""Reading and detecting national wide tables: header rows, merged header cells, the area column,
value columns, notes above and below, marks of suppressed and missing cells."""

import pytest

from national import widetable
from regions.models import Prefecture
from tests.national.helpers import SAMPLE_CSV, SAMPLE_XLSX, sample_rows, table_bytes


@pytest.fixture
def matcher(reference_data):
    return widetable.AreaMatcher(Prefecture.objects.portal())


@pytest.mark.parametrize("path", [SAMPLE_XLSX, SAMPLE_CSV], ids=["xlsx", "csv"])
def test_the_sample_files_header_rows_area_column_and_value_columns(matcher, path):
    fmt, cells, formulas = widetable.read_table(path.name, path.read_bytes())
    detection = widetable.detect(cells, matcher)
    assert fmt == path.suffix[1:] and formulas == []
    assert detection.header_rows == [2, 3]  # the title and the unit note above are not headers
    assert detection.area_column in (0, 1) and detection.other_area_column in (0, 1)
    assert [c.index for c in detection.columns] == [2, 3, 4, 5, 6, 7]
    # the merged indicator cell is carried over its years, and the levels are joined
    assert detection.columns[0].label == "入院後3か月時点の退院率／令和元年度"
    assert detection.columns[1].label == "入院後3か月時点の退院率／令和2年度"
    assert detection.columns[5].label == "入院後1年時点の退院率／令和2年度"
    assert [c.period for c in detection.columns[:2]] == ["令和元年度", "令和2年度"]
    # 全国 and the 47 prefectures, every one matched (codes, names, names without 県); notes below ignored
    assert len(detection.rows) == 48 and detection.unmatched == []
    assert detection.rows[0].area.code == "000000"
    assert {r.area.code for r in detection.rows} >= {"350001", "010006", "470007"}
    assert detection.notes == []  # the 注）・出典 lines lie after the table's last row


def test_codes_and_names_match_with_or_without_suffix(matcher):
    assert matcher.match("350001").code == "350001"
    assert matcher.match("35000").code == "350001"  # without the check digit
    assert matcher.match("山口県").code == "350001"
    assert matcher.match("山口").code == "350001"
    assert matcher.match("東京").code == "130001"
    assert matcher.match("北海道").code == "010006"
    assert matcher.match("全国").code == "000000"
    assert matcher.match(" 山口 県 ").code == "350001"
    assert matcher.match("岩国").level == "region"
    assert matcher.match("岩国医療圏").code == "3501"
    assert matcher.match("宇部・小野田圏域").code == "3505"
    assert matcher.match("架空県") is None
    assert matcher.match("999999") is None


def test_a_region_table_with_three_header_rows(matcher):
    rows = [
        ["山口県 二次医療圏別の状況"],
        [None, "長期入院患者数", None, None],
        [None, "1年以上", None, "65歳以上"],
        ["二次医療圏", "令和3年度", "令和4年度", "令和4年度"],
        ["岩国医療圏", 250, 240, "＊"],
        ["柳井", 120, "‐", 90],
        ["周南圏域", 300, 310, 200],
        ["出典：630調査"],
    ]
    detection = widetable.detect(widetable.read_table("r.xlsx", table_bytes(rows, "xlsx"))[1], matcher)
    assert detection.header_rows == [1, 2, 3]
    assert [c.label for c in detection.columns] == [
        "長期入院患者数／1年以上／令和3年度",
        "長期入院患者数／1年以上／令和4年度",
        "長期入院患者数／65歳以上／令和4年度",
    ]
    assert [r.area.code for r in detection.rows] == ["3501", "3502", "3503"]


def test_a_row_that_matches_nothing_is_listed(matcher):
    rows = sample_rows()
    rows.insert(10, [None, "架空県", 1, 2, 3, 4, 5, 6])
    detection = widetable.detect(widetable.read_table("t.csv", table_bytes(rows))[1], matcher)
    assert [(r.line, r.area_text) for r in detection.unmatched] == [(11, "架空県")]


def test_next_years_file_has_the_same_shape(matcher):
    this = widetable.detect(widetable.read_table("a.csv", table_bytes(sample_rows((2019, 2020))))[1], matcher)
    later = widetable.detect(
        widetable.read_table("b.csv", table_bytes(sample_rows((2020, 2021))))[1], matcher
    )
    assert this.signature == later.signature
    assert later.columns[0].period == "令和2年度"


@pytest.mark.parametrize(
    "text,kind",
    [
        ("＊", "suppressed"),
        ("秘匿", "suppressed"),
        ("x", "suppressed"),
        ("ｘ", "suppressed"),
        ("※", "suppressed"),
        ("‐", "missing"),
        ("－", "missing"),
        ("-", "missing"),
        ("―", "missing"),
        ("…", "missing"),
        ("", "missing"),
        ("0", None),
        ("12.5", None),
    ],
)
def test_marks_of_suppressed_and_missing_cells(text, kind):
    assert widetable.gap_kind(text) == kind


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("t.csv", b"", "空"),
        ("t.csv", b"a,b\nc,d\n", "地域の列が見つかりません"),
        ("t.csv", "全国,値なし\n山口県,\n".encode(), "値の列が見つかりません"),
        ("t.csv", ("x," * 10000 + "\n全国,1\n").encode(), "列が多すぎます"),
        ("t.csv", "都道府県,値\n山口県,1\n".encode("utf-16"), "CSV"),
        ("t.csv", "都道府県,令和元年度\n山口県,1\n".encode("cp932"), "Shift_JIS"),
        ("t.xlsx", b"PK\x03\x04broken", "Excel"),
        ("t.xls", b"abc", "取り込めるのは"),
    ],
)
def test_unreadable_tables_are_refused_with_the_reason(matcher, name, data, message):
    with pytest.raises(widetable.UploadError, match=message):
        widetable.detect(widetable.read_table(name, data)[1], matcher)


def test_a_csv_of_a_few_columns_and_a_million_blank_lines_is_refused_before_pandas_reads_it():
    data = ("団体コード,都道府県,値\n" + "\n" * 1_000_000).encode()
    assert len(data) < 2 * 1024 * 1024  # within the upload limit
    with pytest.raises(widetable.UploadError, match="行数が多すぎます"):
        widetable.read_table("blank.csv", data)


def test_a_total_row_called_zentai_is_not_taken_for_the_nation(matcher):
    """In a 二次医療圏 table 「全体」 is the prefecture's total: never matched as 全国."""
    assert matcher.match("全体") is None
    assert matcher.match("全国") is not None and matcher.match("全国計") == matcher.match("全国")
