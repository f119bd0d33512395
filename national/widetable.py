"""Reading a national wide table: one row per area, one column per indicator and period.

The sources (精神保健福祉資料, NDB open data, 630調査) publish tables with a title and notes above,
two or three header rows (an indicator's name merged across its years, then the years), 全国 and the
47 prefectures (or 二次医療圏) by 団体コード and/or name, and notes below (「注）」「出典：」). The file's
safety checks are the long import's (`indicators.importing`: size, extension, .xlsx container, CSV
encoding) and run before pandas sees the bytes; pandas then reads the grid as text (the openpyxl
engine for .xlsx), and a separate read-only openpyxl pass lists formula cells, which are refused
(never evaluated, as in the long import).

Detection (`detect`), all from the cells:
- the area column is the column whose cells match most areas (code first, then exact name; 都道府県
  with or without 都/府/県; the portal's regions with or without 圏域 / 医療圏), a second column of
  areas (code beside name) is used when the first does not match;
- the first data row is the first row whose area cell matches; the header rows are the up to three
  rows right above it with text right of the area column; rows further up are notes;
- the table ends at the last row that matches an area or carries a number; rows in between that match
  nothing but carry numbers are *unmatched* (listed; the import waits until each is skipped), blank
  rows and notes (「注」「出典」「資料」「※」…) are ignored;
- merged header cells arrive as one text and blanks to its right: each header row but the last is
  filled rightwards, and a column's levels are joined: 「退院率（3か月）／令和元年度」;
- value columns are the columns right of the area column with a header and at least one number or
  source mark; a 和暦/西暦 year in the header is the column's period (`period_in`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import InvalidOperation
from pathlib import PurePath

from core.fiscal import PeriodParseError, normalise
from indicators import importing
from indicators.areas import Area, AreaIndex
from indicators.values import period_from_text
from regions.models import prefecture_short_name

MAX_COLUMNS = 300
MAX_HEADER_ROWS = 3

# Marks the sources print instead of a value (compared after stripping; NFKC-normalised too).
SUPPRESSED_MARKS = {"＊", "*", "秘匿", "x", "X", "ｘ", "Ｘ", "※", "χ"}
MISSING_MARKS = {"", "‐", "－", "-", "―", "…", "—", "–", "−", "･･･", "・・・", "..."}
NOTE_PREFIXES = ("注", "（注", "(注", "出典", "資料", "※", "備考", "（出典", "(出典", "＊", "*")

_YEAR_RE = re.compile(r"(令和|平成|[RH])\s*(元|\d{1,2})\s*年(度)?|(?:FY)?(\d{4})\s*年(度)?|FY(\d{4})")


class UploadError(importing.UploadError):
    """The file as a whole cannot be read as a wide table; the message is Japanese."""


def gap_kind(text: str) -> str | None:
    """ "suppressed" / "missing" when the cell is a source's mark (or blank), else None."""
    stripped = (text or "").strip()
    if stripped in SUPPRESSED_MARKS or normalise(stripped) in SUPPRESSED_MARKS:
        return "suppressed"
    if stripped in MISSING_MARKS or normalise(stripped) in MISSING_MARKS:
        return "missing"
    return None


def is_number(text: str) -> bool:
    try:
        importing.parse_number(text)
    except (InvalidOperation, ValueError):
        return False
    return True


def period_in(label: str) -> str:
    """The period a header names (its last year), as text `period_from_text` reads; "" when none."""
    matches = list(_YEAR_RE.finditer(normalise(label)))
    for match in reversed(matches):
        text = match.group(0).replace(" ", "")
        try:
            period_from_text(text)
        except PeriodParseError:
            continue
        return text
    return ""


def year_free(label: str) -> str:
    """The header without its years: the part of the shape that stays the same next year."""
    return _YEAR_RE.sub("{年}", normalise(label))


# --- reading ---------------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN: pandas' empty cell
            return ""
        return repr(value) if not value.is_integer() else str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def read_table(name: str, data: bytes) -> tuple[str, list[list[str]], list[list[int]]]:
    """(format, cells as text, formula cells as [row, column]) of an upload, or UploadError."""
    if len(data) > importing.MAX_UPLOAD_BYTES:
        raise UploadError(f"ファイルが大きすぎます（{importing.MAX_UPLOAD_BYTES // (1024 * 1024)}MB まで）。")
    if not data:
        raise UploadError("ファイルが空です。")
    file_format = importing.ALLOWED_EXTENSIONS.get(PurePath(name or "").suffix.lower())
    if file_format is None:
        raise UploadError("取り込めるのは CSV（.csv）と Excel（.xlsx）のファイルだけです。")
    if file_format == "xlsx":
        cells, formulas = _read_xlsx(data)
    else:
        cells, formulas = _read_csv(data), []
    cells = [[c if isinstance(c, str) else _text(c) for c in row] for row in cells]
    while cells and not any(c.strip() for c in cells[-1]):
        cells.pop()
    if not cells:
        raise UploadError("表が空です（値の入った行がありません）。")
    if len(cells) > TABLE_ROWS_LIMIT:
        raise UploadError(_too_many_rows())
    return file_format, cells, formulas


def _check_width(width: int) -> None:
    if width > MAX_COLUMNS:
        raise UploadError(
            f"列が多すぎます（{width:,} 列。{MAX_COLUMNS} 列まで）。表を分けて取り込んでください。"
        )


TABLE_ROWS_LIMIT = importing.MAX_ROWS
LINES_AROUND_TABLE = 100  # titles, notes and blank lines a file may carry beyond its rows


def _too_many_rows() -> str:
    return f"行数が多すぎます（{TABLE_ROWS_LIMIT:,} 行まで）。"


def _read_csv(data: bytes) -> list[list[str]]:
    import pandas

    try:
        text = importing.decode_csv(data)
    except importing.UploadError as exc:
        raise UploadError(str(exc)) from exc
    # Width and row count from one plain pass before pandas builds a table: a small file of many blank
    # lines must be refused here, not become millions of cells.
    width = rows = 0
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            rows += 1
            if rows > TABLE_ROWS_LIMIT + LINES_AROUND_TABLE:
                raise UploadError(_too_many_rows())
            width = max(width, len(row))
    except csv.Error as exc:
        raise UploadError(f"CSV として読めません（{exc}）。") from exc
    if width == 0:
        raise UploadError("表が空です（値の入った行がありません）。")
    _check_width(width)
    try:
        frame = pandas.read_csv(
            io.StringIO(text),
            header=None,
            names=list(range(width)),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
        )
    except Exception as exc:  # pandas raises many kinds for a malformed file
        raise UploadError("CSV として読めません（区切りや引用符を確かめてください）。") from exc
    return frame.fillna("").values.tolist()


def _read_xlsx(data: bytes) -> tuple[list[list[str]], list[list[int]]]:
    import pandas
    from openpyxl import load_workbook

    try:
        importing.check_xlsx_container(data)
    except importing.UploadError as exc:
        raise UploadError(str(exc)) from exc
    formulas = []
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
        try:
            sheet = workbook.worksheets[0]
            for number, cells in enumerate(sheet.iter_rows(), start=0):
                if number > TABLE_ROWS_LIMIT:
                    break
                _check_width(len(cells))
                for index, cell in enumerate(cells):
                    if getattr(cell, "data_type", None) == "f":
                        formulas.append([number, index])
        finally:
            workbook.close()
        frame = pandas.read_excel(
            io.BytesIO(data),
            sheet_name=0,
            header=None,
            dtype=object,
            engine="openpyxl",
            na_filter=False,
            nrows=TABLE_ROWS_LIMIT + 1,
        )
    except UploadError:
        raise
    except Exception as exc:  # openpyxl / pandas raise many kinds for a damaged workbook
        raise UploadError("Excel ファイル（.xlsx）として読めません（壊れている可能性があります）。") from exc
    _check_width(frame.shape[1])
    return [[_text(v) for v in row] for row in frame.values.tolist()], formulas


# --- areas -----------------------------------------------------------------------------------------


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", normalise(text))


class AreaMatcher:
    """Areas of a national table: 全国, the 47 prefectures and the portal's regions (二次医療圏) and
    municipalities, by code first, then by exact name."""

    def __init__(self, prefecture):
        self.index = AreaIndex(prefecture, reference=True)
        self.by_name: dict[str, Area] = {}
        self.by_code5: dict[str, Area] = {}
        for area in self.index.by_code.values():
            if area.level in ("nation", "prefecture"):
                name = area.name.removesuffix("（県全体）")
                for variant in {name, prefecture_short_name(name)}:
                    self.by_name.setdefault(_squeeze(variant), area)
                if len(area.code) == 6:
                    self.by_code5[area.code[:5]] = area  # 団体コード without its check digit
            elif area.level == "region":
                base = area.region.name
                for variant in (base, f"{base}圏域", f"{base}医療圏", f"{base}二次医療圏", f"{base}圏"):
                    self.by_name.setdefault(_squeeze(variant), area)
        nation = self.index.by_code.get("000000")
        if nation is not None:
            for variant in (
                "全国計",
                "全国平均",
                "全国合計",
            ):  # not 「全体」: in a 二次医療圏 table it is the prefecture
                self.by_name.setdefault(variant, nation)

    def match(self, text: str) -> Area | None:
        cleaned = _squeeze(text)
        if not cleaned:
            return None
        if cleaned.isascii() and cleaned.isdigit():
            if len(cleaned) == 5:
                return self.by_code5.get(cleaned)
            return self.index.by_code.get(cleaned)
        return self.by_name.get(cleaned)


# --- detection -------------------------------------------------------------------------------------


@dataclass
class ValueColumn:
    index: int
    label: str
    period: str  # found in the header, "" when none

    @property
    def shape(self) -> str:
        return year_free(self.label)


@dataclass
class DataRow:
    index: int  # 0-based row of the table
    area_text: str
    area: Area | None

    @property
    def line(self) -> int:
        return self.index + 1


@dataclass
class Detection:
    area_column: int
    other_area_column: int | None
    header_rows: list[int]
    columns: list[ValueColumn]
    rows: list[DataRow]
    notes: list[int] = field(default_factory=list)

    @property
    def unmatched(self) -> list[DataRow]:
        return [row for row in self.rows if row.area is None]

    @property
    def signature(self) -> str:
        shape = {"area": self.area_column, "columns": [[c.index, c.shape] for c in self.columns]}
        return hashlib.sha256(json.dumps(shape, ensure_ascii=False).encode()).hexdigest()


def _cell(row: list[str], index: int) -> str:
    return row[index].strip() if index < len(row) else ""


def _is_note(text: str) -> bool:
    return normalise(text).startswith(tuple(normalise(p) for p in NOTE_PREFIXES))


def detect(cells: list[list[str]], matcher: AreaMatcher) -> Detection:
    width = max((len(row) for row in cells), default=0)
    scores = [sum(1 for row in cells if matcher.match(_cell(row, c))) for c in range(width)]
    best = max(scores, default=0)
    if best == 0:
        raise UploadError(
            "地域の列が見つかりません。都道府県名（または団体コード）や圏域名が並ぶ列のある表を選んでください。"
        )
    area_column = scores.index(best)
    others = [c for c in range(width) if c != area_column and scores[c] * 2 >= best]
    other_area_column = others[0] if others else None
    area_columns = {area_column} | ({other_area_column} if other_area_column is not None else set())

    def area_of(row):
        found = matcher.match(_cell(row, area_column))
        if found is None and other_area_column is not None:
            found = matcher.match(_cell(row, other_area_column))
        return found

    first = next(i for i, row in enumerate(cells) if area_of(row))
    right = max(area_columns) + 1
    header_rows = []
    for index in range(first - 1, -1, -1):
        row = cells[index]
        if len(header_rows) >= MAX_HEADER_ROWS or not any(_cell(row, c) for c in range(right, width)):
            break
        if any(_is_note(_cell(row, c)) for c in range(width) if _cell(row, c)) and len(header_rows) > 0:
            break
        header_rows.insert(0, index)

    # Header levels: every level but the last filled rightwards (merged cells), joined per column.
    levels = []
    for position, index in enumerate(header_rows):
        row = cells[index]
        texts, carry = [], ""
        for c in range(width):
            text = _cell(row, c)
            if c >= right and position < len(header_rows) - 1:
                carry = text or carry
                text = carry
            texts.append(text)
        levels.append(texts)

    candidates = list(range(right, width))
    rows: list[DataRow] = []
    notes: list[int] = []
    last = first
    for index in range(first, len(cells)):
        row = cells[index]
        area = area_of(row)
        has_number = any(is_number(_cell(row, c)) for c in candidates)
        if area is not None or (has_number and not _is_note(_cell(row, area_column))):
            last = index
    for index in range(first, last + 1):
        row = cells[index]
        if not any(c.strip() for c in row):
            continue
        area = area_of(row)
        if area is None and (
            _is_note(next((c for c in row if c.strip()), ""))
            or not any(is_number(_cell(row, c)) for c in candidates)
        ):
            notes.append(index)
            continue
        text = _cell(row, area_column) or (
            _cell(row, other_area_column) if other_area_column is not None else ""
        )
        rows.append(DataRow(index, text, area))

    columns = []
    for c in candidates:
        parts = []
        for level in levels:
            text = level[c] if c < len(level) else ""
            if text and text not in parts:
                parts.append(text)
        label = "／".join(parts)
        filled = any(
            is_number(_cell(cells[r.index], c)) or gap_kind(_cell(cells[r.index], c)) == "suppressed"
            for r in rows
        )
        if label and filled:
            columns.append(ValueColumn(c, label, period_in(label)))
    if not columns:
        raise UploadError(
            "値の列が見つかりません。地域の列の右に、見出しのある数値の列がある表を選んでください。"
        )
    return Detection(area_column, other_area_column, header_rows, columns, rows, notes)
