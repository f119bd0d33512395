"""Reading official data files (CSV / Excel) and checking every row before anything is saved.

Files: at most 2 MB; the extension must match the content (.xlsx is a zip holding
`[Content_Types].xml`, .csv is UTF-8 text with or without a BOM). A CSV saved as Shift_JIS (Excel's
plain 「CSV（コンマ区切り）」) is refused with a message saying how to save it as UTF-8, rather than
guessed at. Workbooks are checked before openpyxl sees them (member count, uncompressed size — a zip
bomb declares sizes it cannot exceed when read — and no DTD / entity declarations), then opened
read-only with `data_only=False`, so a formula cell arrives as its text (=1+1) and is refused, never
evaluated.

Rows: indicator code, area code, period (和暦 or Western, via `core.fiscal.parse_period`), value,
provenance, note and an update flag. Every row is checked — unknown indicator or area, a value that is
not a number or out of range for the indicator, a period not understood, duplicates within the file,
and rows that already exist unless marked as updates — and every error is reported with its row.
Rows that pass are then judged by the validation rules (`indicators.validation`) as the entry form's
values are, each row seeing the file's other rows as if saved (several periods of one area: the
earlier ones are its history): a hard finding is an error of its row, soft findings stay with the
row (`CheckedRow.findings`) for the preview and the one confirmation note the file needs.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

from core.fiscal import PeriodParseError, normalise
from indicators import validation
from indicators.areas import Area, AreaIndex
from indicators.models import Indicator, Observation
from indicators.values import Period, format_value, format_value_with_unit, period_from_text, value_error

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10000
MAX_XLSX_MEMBERS = 500
MAX_XLSX_UNCOMPRESSED = 30 * 1024 * 1024
ALLOWED_EXTENSIONS = {".csv": "csv", ".xlsx": "xlsx"}
# The formats of a batch built from a national wide table (national app): its rows may name reference
# areas (全国, other prefectures; `AreaIndex(reference=True)`), and rows of the portal's own areas in a
# locked data set were already left out when the batch was built (the wide import skips and lists them).
WIDE_FORMATS = ("wide-csv", "wide-xlsx")


def is_wide(file_format: str) -> bool:
    return file_format in WIDE_FORMATS


# Column → accepted header names (compared after NFKC normalisation, case-insensitively).
COLUMNS = {
    "indicator": ("指標コード", "indicator", "indicator_code"),
    "area": ("地域コード", "area", "area_code"),
    "period": ("期間", "時点", "period"),
    "value": ("値", "value"),
    "provenance": ("出典", "source", "provenance"),
    "note": ("備考", "note"),
    "update": ("更新", "update"),
}
INFORMATIVE_COLUMNS = ("指標名", "地域名")  # in the template for people to read; ignored on import
REQUIRED = ("indicator", "area", "period", "value")
LABELS = {
    "indicator": "指標コード",
    "area": "地域コード",
    "period": "期間",
    "value": "値",
    "provenance": "出典",
    "note": "備考",
    "update": "更新",
}
TEMPLATE_HEADER = ["指標コード", "指標名", "地域コード", "地域名", "期間", "値", "出典", "備考", "更新"]
TRUE_WORDS = {"1", "はい", "更新", "yes", "y", "true", "○", "◯", "〇"}
FALSE_WORDS = {"", "0", "いいえ", "no", "n", "false", "×"}


class UploadError(Exception):
    """The file as a whole cannot be read (size, type, encoding); the message is Japanese."""


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self):
        where = f"{self.line}行目" if self.line else "ファイル"
        return f"{where}（{self.column}）: {self.message}" if self.column else f"{where}: {self.message}"


@dataclass
class RawRow:
    """One data row as read from the file (text cells), with its row number in the file."""

    line: int
    indicator: str = ""
    area: str = ""
    period: str = ""
    value: str = ""
    provenance: str = ""
    note: str = ""
    update: str = ""
    formulas: list[str] = field(default_factory=list)  # columns whose cell was a formula

    def as_json(self) -> dict:
        return asdict(self)


@dataclass
class CheckedRow:
    line: int
    indicator: Indicator
    area: Area
    period: Period
    value: Decimal
    provenance: str
    note: str
    update: bool
    existing: Observation | None
    findings: list[validation.Finding] = field(default_factory=list)  # soft ones: to confirm with a note

    @property
    def candidate(self) -> validation.Candidate:
        return validation.Candidate(self.indicator, self.area.key, self.period, self.value)

    @property
    def action(self) -> str:
        return "updated" if self.existing else "created"

    @property
    def action_label(self) -> str:
        return "更新" if self.existing else "新規"

    @property
    def period_label(self) -> str:
        from indicators.models import period_label

        return period_label(self.period.kind, self.period.fiscal_year, self.period.as_of)

    @property
    def value_text(self) -> str:
        return format_value(self.value, self.indicator)

    @property
    def previous_text(self) -> str:
        return format_value(self.existing.value, self.indicator) if self.existing else ""

    @property
    def value_with_unit(self) -> str:
        return format_value_with_unit(self.value, self.indicator)

    @property
    def previous_with_unit(self) -> str:
        return format_value_with_unit(self.existing.value, self.indicator) if self.existing else ""


# --- reading files ---------------------------------------------------------------------------------


def read_upload(name: str, data: bytes) -> tuple[str, list[RawRow]]:
    """(format, rows) of an uploaded file, or UploadError with the reason in Japanese."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError(f"ファイルが大きすぎます（{MAX_UPLOAD_BYTES // (1024 * 1024)}MB まで）。")
    if not data:
        raise UploadError("ファイルが空です。")
    suffix = PurePath(name or "").suffix.lower()
    file_format = ALLOWED_EXTENSIONS.get(suffix)
    if file_format is None:
        raise UploadError("取り込めるのは CSV（.csv）と Excel（.xlsx）のファイルだけです。")
    if file_format == "xlsx":
        return file_format, _read_xlsx(data)
    return file_format, _read_csv(data)


def decode_csv(data: bytes) -> str:
    """UTF-8 text (a BOM is dropped). Shift_JIS and binary files are refused with the reason."""
    if data.startswith(b"PK\x03\x04"):
        raise UploadError("Excel ファイルのようです。拡張子を .xlsx にして取り込んでください。")
    if b"\x00" in data:
        raise UploadError(
            "テキストの CSV ファイルではありません（UTF-16 や別の形式のファイルは取り込めません）。"
            "Excel で「CSV UTF-8（コンマ区切り）」を選んで保存してください。"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp932")
    except UnicodeDecodeError as exc:
        raise UploadError("文字コードを判別できません。UTF-8 で保存した CSV を取り込んでください。") from exc
    raise UploadError(
        "文字コードが Shift_JIS（Excel の「CSV（コンマ区切り）」）のようです。文字化けを防ぐため、"
        "Excel で「CSV UTF-8（コンマ区切り）」を選んで保存し直してから取り込んでください。"
    )


def _read_csv(data: bytes) -> list[RawRow]:
    text = decode_csv(data)
    try:
        table = [(number, row) for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), 1)]
    except csv.Error as exc:
        raise UploadError(f"CSV として読めません（{exc}）。") from exc
    return _rows_from_table(table, formulas={})


def check_xlsx_container(data: bytes) -> None:
    """Refuse anything that is not a plain, reasonably sized .xlsx before openpyxl opens it."""
    if not data.startswith(b"PK\x03\x04"):
        raise UploadError(
            "Excel ファイル（.xlsx）ではありません。古い形式（.xls）は .xlsx で保存し直してください。"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise UploadError("Excel ファイル（.xlsx）として読めません（壊れている可能性があります）。") from exc
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names:
        raise UploadError("Excel ファイル（.xlsx）ではありません（[Content_Types].xml がありません）。")
    if len(members) > MAX_XLSX_MEMBERS:
        raise UploadError(
            "Excel ファイルの構成が複雑すぎます。値だけを新しいブックに貼り付けて保存してください。"
        )
    if sum(m.file_size for m in members) > MAX_XLSX_UNCOMPRESSED:
        raise UploadError(
            f"Excel ファイルの展開後の大きさが上限（{MAX_XLSX_UNCOMPRESSED // (1024 * 1024)}MB）を超えます。"
        )
    if any(m.flag_bits & 0x1 for m in members):
        raise UploadError("パスワードで保護された Excel ファイルは取り込めません。")
    try:
        for member in members:
            if member.filename.endswith((".xml", ".rels")):
                with archive.open(member) as handle:
                    content = handle.read(MAX_XLSX_UNCOMPRESSED + 1)
                if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
                    raise UploadError("Excel ファイルに取り込めない定義（DTD）が含まれています。")
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise UploadError("Excel ファイル（.xlsx）として読めません（壊れている可能性があります）。") from exc


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    return str(value)


def _read_xlsx(data: bytes) -> list[RawRow]:
    check_xlsx_container(data)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise UploadError("Excel ファイル（.xlsx）として読めません（壊れている可能性があります）。") from exc
    try:
        sheet = workbook.worksheets[0]
        table, formulas = [], {}
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            if number > MAX_ROWS + 50:
                table.append((number, ["…"]))
                break
            texts = []
            for index, cell in enumerate(cells):
                if getattr(cell, "data_type", None) == "f":
                    formulas.setdefault(number, set()).add(index)
                texts.append(_cell_text(getattr(cell, "value", None)))
            table.append((number, texts))
    finally:
        workbook.close()
    return _rows_from_table(table, formulas=formulas)


def _header_key(text: str) -> str | None:
    cleaned = normalise(text).lower()
    for key, names in COLUMNS.items():
        if cleaned in {n.lower() for n in names}:
            return key
    return None


def _rows_from_table(table: list[tuple[int, list[str]]], *, formulas: dict[int, set[int]]) -> list[RawRow]:
    table = [(n, [c if isinstance(c, str) else _cell_text(c) for c in row]) for n, row in table]
    body = [(n, row) for n, row in table if any(c.strip() for c in row)]
    if not body:
        raise UploadError("データがありません（1行目に見出し、2行目以降に値を入力してください）。")
    header_line, header = body[0]
    positions: dict[str, int] = {}
    unknown = []
    for index, title in enumerate(header):
        if not title.strip():
            continue
        key = _header_key(title)
        if key is None:
            if normalise(title) not in INFORMATIVE_COLUMNS:
                unknown.append(title.strip())
            continue
        if key in positions:
            raise UploadError(f"見出し「{title.strip()}」が重複しています。")
        positions[key] = index
    missing = [LABELS[k] for k in REQUIRED if k not in positions]
    if missing:
        raise UploadError(
            f"{header_line}行目の見出しに {'、'.join(missing)} の列がありません"
            "（ひな形と同じ見出しにしてください）。"
        )
    if unknown:
        raise UploadError(
            f"見出し {'、'.join(f'「{u}」' for u in unknown)} は分かりません（ひな形の見出しを使ってください）。"
        )
    rows = []
    for line, cells in body[1:]:
        if len(rows) >= MAX_ROWS:
            raise UploadError(
                f"行数が多すぎます（一度に {MAX_ROWS:,} 行まで）。ファイルを分けて取り込んでください。"
            )
        raw = RawRow(line=line)
        for key, index in positions.items():
            setattr(raw, key, cells[index].strip() if index < len(cells) else "")
            if index in formulas.get(line, set()):
                raw.formulas.append(key)
        rows.append(raw)
    return rows


# --- checking rows ---------------------------------------------------------------------------------


def parse_number(text: str) -> Decimal:
    """「1,234」「48.6」「48.6%」「１２」 → Decimal; InvalidOperation when not a number."""
    cleaned = normalise(text).replace(",", "").removesuffix("%").strip()
    if not cleaned:
        raise InvalidOperation
    number = Decimal(cleaned)
    if not number.is_finite():
        raise InvalidOperation
    return number


def check_rows(
    raw_rows: list[RawRow], *, prefecture, reference: bool = False
) -> tuple[list[CheckedRow], list[RowError]]:
    """Every row checked against the indicators, areas and existing values, then the validation rules
    (five to six queries). `reference`: the rows may also name 全国 and other prefectures (a national
    wide table's batch)."""
    indicators = {i.code: i for i in Indicator.objects.all()}
    areas = AreaIndex(prefecture, reference=reference)
    errors: list[RowError] = []
    partial = []
    seen: dict[tuple[int, str, str], int] = {}
    for raw in raw_rows:
        row_errors = []
        for key in raw.formulas:
            row_errors.append(RowError(raw.line, LABELS[key], "数式は取り込めません。値を入力してください。"))
        if raw.formulas:
            errors.extend(row_errors)
            continue
        indicator = indicators.get(normalise(raw.indicator))
        if not raw.indicator:
            row_errors.append(RowError(raw.line, "指標コード", "指標コードが空欄です。"))
        elif indicator is None:
            row_errors.append(
                RowError(raw.line, "指標コード", f"「{raw.indicator}」という指標はありません。")
            )
        elif not indicator.is_active:
            row_errors.append(
                RowError(raw.line, "指標コード", f"指標「{indicator.name_ja}」は使用されていません。")
            )
        area = areas.get(raw.area)
        if not raw.area:
            row_errors.append(RowError(raw.line, "地域コード", "地域コードが空欄です。"))
        elif area is None:
            row_errors.append(
                RowError(
                    raw.line,
                    "地域コード",
                    f"「{raw.area}」は{prefecture.name}の県・圏域・市町村のコードではありません。",
                )
            )
        period = None
        if not raw.period:
            row_errors.append(RowError(raw.line, "期間", "期間が空欄です。"))
        else:
            try:
                period = period_from_text(raw.period)
            except PeriodParseError as exc:
                row_errors.append(RowError(raw.line, "期間", str(exc)))
        value = None
        if not raw.value:
            row_errors.append(RowError(raw.line, "値", "値が空欄です。"))
        else:
            try:
                value = parse_number(raw.value)
            except (InvalidOperation, ValueError):
                row_errors.append(RowError(raw.line, "値", f"「{raw.value}」は数値ではありません。"))
            else:
                problem = value_error(indicator, value) if indicator else None
                if problem:
                    row_errors.append(RowError(raw.line, "値", f"{raw.value}: {problem}"))
        update = normalise(raw.update).lower()
        if update not in TRUE_WORDS and update not in FALSE_WORDS:
            row_errors.append(
                RowError(raw.line, "更新", f"「{raw.update}」は分かりません（更新するときは 1）。")
            )
        if len(raw.provenance) > 200:
            row_errors.append(RowError(raw.line, "出典", "出典は200文字までです。"))
        if indicator and area and period and not row_errors:
            key = (indicator.pk, area.key, period.key)
            if key in seen:
                row_errors.append(
                    RowError(raw.line, "", f"{seen[key]}行目と同じ指標・地域・期間です（ファイル内の重複）。")
                )
            else:
                seen[key] = raw.line
        if row_errors:
            errors.extend(row_errors)
            continue
        partial.append((raw, indicator, area, period, value, update in TRUE_WORDS))

    existing = _existing(
        {prefecture.pk} | {p[2].prefecture.pk for p in partial if p[2].is_reference},
        [(p[1].pk, p[2].key, p[3].key) for p in partial],
    )
    checked = []
    for raw, indicator, area, period, value, update in partial:
        current = existing.get((indicator.pk, area.key, period.key))
        if current is not None and not update:
            errors.append(
                RowError(
                    raw.line,
                    "",
                    f"{indicator.name_ja}・{area.name}・{raw.period} の値は既に登録されています"
                    f"（登録済み {format_value(current.value, indicator, as_entered=True)}）。"
                    "置き換えるときは「更新」の列に 1 を入れてください。",
                )
            )
            continue
        checked.append(
            CheckedRow(raw.line, indicator, area, period, value, raw.provenance, raw.note, update, current)
        )
    _judge(checked, errors, indicators.values())
    errors.sort(key=lambda e: e.line)
    return checked, errors


def _judge(checked: list[CheckedRow], errors: list[RowError], indicators) -> None:
    """The validation rules over every checked row at once (two queries): hard findings become the
    row's errors, soft ones its `findings`."""
    if not checked:
        return
    book = validation.RuleBook.load([row.candidate for row in checked], indicators=indicators)
    for row in checked:
        found = book.evaluate(row.candidate)
        errors.extend(RowError(row.line, "値", f"{f.label}: {f.message}") for f in found if f.is_hard)
        row.findings = [f for f in found if not f.is_hard]


def soft_messages(checked: list[CheckedRow]) -> list[str]:
    """Every soft finding of a file with its row, as the preview lists them (and the confirmation's digest)."""
    return [f"{row.line}行目: {f.message}" for row in checked for f in row.findings]


def _existing(prefecture_ids, keys: list[tuple[int, str, str]]) -> dict[tuple[int, str, str], Observation]:
    if not keys:
        return {}
    wanted = set(keys)
    candidates = Observation.objects.filter(
        prefecture_id__in=prefecture_ids,
        indicator_id__in={k[0] for k in keys},
        area_key__in={k[1] for k in keys},
        period_key__in={k[2] for k in keys},
    )
    return {
        (o.indicator_id, o.area_key, o.period_key): o
        for o in candidates
        if (o.indicator_id, o.area_key, o.period_key) in wanted
    }


def raw_rows_from_json(rows: list[dict]) -> list[RawRow]:
    return [RawRow(**row) for row in rows]
