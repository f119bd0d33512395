"""Fiscal years (年度, April–March) and the Japanese era calendar (和暦).

Everything the portal shows as 令和4年度 or R3年6月 goes through this module, and everything
typed in those forms (the seed writes 令和５年度 with full-width digits, H29年度, R3年6月) is
parsed here.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Era:
    name: str  # 令和
    letter: str  # R
    start: date  # first day of the era

    def year_of(self, western_year: int) -> int:
        return western_year - self.start.year + 1

    def western_year(self, era_year: int) -> int:
        return self.start.year + era_year - 1


ERAS = (
    Era("令和", "R", date(2019, 5, 1)),
    Era("平成", "H", date(1989, 1, 8)),
    Era("昭和", "S", date(1926, 12, 25)),
    Era("大正", "T", date(1912, 7, 30)),
    Era("明治", "M", date(1868, 10, 23)),
)
MEIJI_START = ERAS[-1].start  # 1868-10-23: no 和暦 name before it, so the Western form is shown
_ERA_BY_KEY = {key: era for era in ERAS for key in (era.name, era.letter, era.letter.lower())}


class PeriodParseError(ValueError):
    """Raised with a Japanese message when a period cannot be understood."""


def era_for_date(day: date) -> Era:
    for era in ERAS:
        if day >= era.start:
            return era
    raise ValueError(f"{day} は明治より前の日付です")


def era_for_year(western_year: int) -> Era:
    """The era used to name a whole (fiscal) year: the later one when an era began that year.

    2019 is 令和元年 / 令和元年度, 1989 is 平成元年度 — the convention of government documents.
    """
    for era in ERAS:
        if western_year >= era.start.year:
            return era
    raise ValueError(f"{western_year} 年は明治より前です")


def fiscal_year_of(day: date) -> int:
    """年度 of a date, as its starting Western year: 2023-03-31 → 2022, 2023-04-01 → 2023."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_range(fiscal_year: int) -> tuple[date, date]:
    """First and last day of a 年度: 2022 → (2022-04-01, 2023-03-31)."""
    return date(fiscal_year, 4, 1), date(fiscal_year + 1, 3, 31)


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after (or before, if negative) the month of `day`:
    2023-01-15 + 3 → 2023-04-01, 2023-01-15 - 6 → 2022-07-01 (follow-ups count whole months)."""
    month_index = day.month - 1 + months
    return date(day.year + month_index // 12, month_index % 12 + 1, 1)


def _era_year_text(era_year: int) -> str:
    return "元" if era_year == 1 else str(era_year)


def wareki_year(western_year: int, *, short: bool = False) -> str:
    """2022 → 令和4年 (short: R4); before 明治 the Western year (1867年)."""
    if western_year < MEIJI_START.year:
        return f"{western_year}" if short else f"{western_year}年"
    era = era_for_year(western_year)
    era_year = era.year_of(western_year)
    return f"{era.letter}{era_year}" if short else f"{era.name}{_era_year_text(era_year)}年"


_CASE_NUMBER = re.compile(r"(?P<prefix>.+)-(?P<year>\d{4})-(?P<sequence>\d+)")


def case_number_display(number: str) -> str:
    """A stored case number read in 和暦: 岩国-2026-001 → 岩国-R8-001 (the number people wrote down
    stays stored as it is; anything not in that shape is shown unchanged)."""
    match = _CASE_NUMBER.fullmatch(number or "")
    if match is None:
        return number
    year = wareki_year(int(match["year"]), short=True)
    return f"{match['prefix']}-{year}-{match['sequence']}"


def fiscal_year_label(fiscal_year: int, *, short: bool = False) -> str:
    """2022 → 令和4年度 (short: R4年度); 2019 → 令和元年度; 2017 → 平成29年度; before 明治 1867年度."""
    if fiscal_year < MEIJI_START.year:
        return f"{fiscal_year}年度"
    era = era_for_year(fiscal_year)
    era_year = era.year_of(fiscal_year)
    if short:
        return f"{era.letter}{era_year}年度"
    return f"{era.name}{_era_year_text(era_year)}年度"


def wareki_date(day: date, *, short: bool = False) -> str:
    """2022-04-01 → 令和4年4月1日 (short: R4.4.1). The era is the one in force on that day.

    Before 明治 there is no era to name: the Western date (1867年1月1日, short 1867.1.1), so a stray
    old row is shown rather than taking its page down.
    """
    if day < MEIJI_START:
        return f"{day.year}.{day.month}.{day.day}" if short else f"{day.year}年{day.month}月{day.day}日"
    era = era_for_date(day)
    era_year = era.year_of(day.year)
    if short:
        return f"{era.letter}{era_year}.{day.month}.{day.day}"
    return f"{era.name}{_era_year_text(era_year)}年{day.month}月{day.day}日"


def wareki_month(day: date) -> str:
    """2021-06-30 → 令和3年6月; before 明治 1867年6月."""
    if day < MEIJI_START:
        return f"{day.year}年{day.month}月"
    era = era_for_date(day)
    return f"{era.name}{_era_year_text(era.year_of(day.year))}年{day.month}月"


@dataclass(frozen=True)
class ParsedPeriod:
    """What a period string meant: a 年度, a calendar year, a month or a day."""

    kind: str  # "fiscal_year" | "year" | "month" | "date"
    year: int  # the fiscal year for kind="fiscal_year", else the calendar year
    month: int | None = None
    day: int | None = None
    end_of_period: bool = False  # 年度末 / 月末

    @property
    def fiscal_year(self) -> int:
        if self.kind in {"fiscal_year", "year"}:
            return self.year
        return fiscal_year_of(self.as_date())

    def as_date(self) -> date:
        """The day the period points at: a 年度末 is March 31, a month its last day (as-of dates)."""
        if self.kind == "date":
            return date(self.year, self.month, self.day)
        if self.kind == "month":
            return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        if self.kind == "fiscal_year":
            return fiscal_year_range(self.year)[1] if self.end_of_period else fiscal_year_range(self.year)[0]
        return date(self.year, 12, 31) if self.end_of_period else date(self.year, 1, 1)


_PERIOD_RE = re.compile(
    r"""^(?:(?P<era>令和|平成|昭和|大正|明治|[RHSTMrhstm])\s*(?P<era_year>元|\d{1,3})
          |(?:FY\s*)?(?P<western>\d{4}))
        \s*(?:年|[./-])?
        (?:(?P<month>\d{1,2})(?:月|[./-])?(?:(?P<day>\d{1,2})日?)?)?
        \s*(?P<nendo>年度)?\s*(?P<suffix>末|時点|当初|末時点)?$""",
    re.VERBOSE,
)


def normalise(text: str) -> str:
    """Full-width digits and letters to ASCII, spaces trimmed: 令和５年度 → 令和5年度."""
    return unicodedata.normalize("NFKC", text or "").strip()


def parse_period(text: str) -> ParsedPeriod:
    """Parse the period forms the sheet and official data use.

    令和4年度 / R4年度 / H29年度 / 2022年度 / FY2022 → fiscal year; R5年度末 → fiscal year, end;
    R3年6月 / 2021-06 → month; R3年6月30日 / 2021-06-30 / 2021/6/30 → day; H26年 / 2014 → year.
    """
    cleaned = normalise(text).replace("（", "(").replace(" ", "")
    fy_prefix = cleaned.upper().startswith("FY")
    match = _PERIOD_RE.match(cleaned)
    if not match:
        raise PeriodParseError(f"「{text}」は期間として読めません（例: 令和4年度、R3年6月、2022年度）")
    if match["era"]:
        era = _ERA_BY_KEY[match["era"]]
        era_year = 1 if match["era_year"] == "元" else int(match["era_year"])
        if era_year < 1:
            raise PeriodParseError(f"「{text}」の年が正しくありません")
        year = era.western_year(era_year)
        next_era = next((e for e in reversed(ERAS) if e.start > era.start), None)
        if next_era and year > next_era.start.year:
            raise PeriodParseError(f"「{text}」: {era.name}{era_year}年は存在しません")
    else:
        year = int(match["western"])
    if not 1868 <= year <= 2200:
        raise PeriodParseError(f"「{text}」の年が範囲外です")
    month = int(match["month"]) if match["month"] else None
    day = int(match["day"]) if match["day"] else None
    end = match["suffix"] in {"末", "末時点"}
    if match["nendo"] or fy_prefix:
        if month or day:
            raise PeriodParseError(f"「{text}」: 年度に月日は付けられません")
        return ParsedPeriod("fiscal_year", year, end_of_period=end)
    if month is None:
        return ParsedPeriod("year", year, end_of_period=end)
    if not 1 <= month <= 12:
        raise PeriodParseError(f"「{text}」の月が正しくありません")
    if day is None:
        return ParsedPeriod("month", year, month)
    try:
        date(year, month, day)
    except ValueError as exc:
        raise PeriodParseError(f"「{text}」は存在しない日付です") from exc
    return ParsedPeriod("date", year, month, day)


def parse_fiscal_year(text: str | int) -> int:
    """A fiscal year from 令和4年度 / R4 / R4年度 / 2022 / 2022年度 / FY2022."""
    if isinstance(text, int):
        return text
    cleaned = normalise(str(text))
    if re.fullmatch(r"(令和|平成|昭和|[RHSrhs])(元|\d{1,2})", cleaned):
        cleaned += "年度"
    if re.fullmatch(r"\d{4}", cleaned):
        cleaned += "年度"
    period = parse_period(cleaned)
    if period.kind != "fiscal_year":
        raise PeriodParseError(f"「{text}」は年度として読めません（例: 令和4年度、R4、2022）")
    return period.year
