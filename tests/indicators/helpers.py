"""Building upload files for the import tests, and values stored as an import stores them."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from core.fiscal import fiscal_year_range
from indicators.models import Indicator, Observation, Plan, Target, area_key_for
from regions.models import Prefecture, Region

HEADER = "指標コード,地域コード,期間,値,出典,備考,更新"


def csv_file(lines: list[str], *, name: str = "data.csv", encoding: str = "utf-8", header: str = HEADER):
    text = "\n".join([header, *lines]) + "\n"
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def xlsx_bytes(rows: list[list], *, formulas: dict | None = None) -> bytes:
    """A workbook whose first sheet holds `rows`; `formulas` {"D2": "=1+1"} become formula cells."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for ref, formula in (formulas or {}).items():
        sheet[ref] = formula
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_file(rows: list[list], *, name: str = "data.xlsx", formulas: dict | None = None):
    return SimpleUploadedFile(name, xlsx_bytes(rows, formulas=formulas))


def observe(code: str, region_code: str | None, value, *, fiscal_year: int):
    """A 年度 value of an indicator for a region of Yamaguchi (None: the prefecture), stored as an
    import stores it (the `sheet` fixture's indicators and targets judge it)."""
    prefecture = Prefecture.objects.get(code="350001")
    region = Region.objects.get(code=region_code) if region_code else None
    return Observation.objects.create(
        indicator=Indicator.objects.get(code=code),
        prefecture=prefecture,
        region=region,
        area_key=area_key_for(prefecture=prefecture, region=region),
        period_kind="fiscal_year",
        fiscal_year=fiscal_year,
        period_end=fiscal_year_range(fiscal_year)[1],
        period_key=f"fy:{fiscal_year}",
        value=value,
    )


PREFECTURE_SEVENTH = "山口県障害福祉サービス実施計画（第7期）"


def fill_prefecture_seventh_plan(
    rates=(("discharge_rate_3m", 56), ("discharge_rate_6m", 74), ("discharge_rate_12m", 85)),
):
    """The prefecture's 第7期 plan (R6–R8, loaded without targets) with discharge-rate targets for R8年度,
    as officials enter them: from R6年度 on it is the plan in force (indicators.values.default_basis_plan),
    the one the dashboard, agenda items and the home page judge against today. The figures are the
    第6期's 56 / 74 / 85 % — test data, not the plan's."""
    prefecture = Prefecture.objects.get(code="350001")
    plan = Plan.objects.get(name=PREFECTURE_SEVENTH)
    for code, value in rates:
        Target.objects.create(
            indicator=Indicator.objects.get(code=code),
            plan=plan,
            prefecture=prefecture,
            area_key=area_key_for(prefecture=prefecture),
            fiscal_year=2026,
            value=value,
            comparator="gte",
            source="テスト用（第6期と同じ値）",
        )
    return plan
