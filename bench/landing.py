"""Requests for the pages whose features were built on other branches (the dashboard, imports).

Each function raises NotLanded while its feature is not on this branch, so RESULTS.md lists the
page as not yet measurable instead of inventing a figure.
"""

from __future__ import annotations

import io


class NotLanded(Exception):
    """The page's feature is not on this branch yet (its URL or code is missing)."""


def _view_name(url_name: str) -> str:
    from django.urls import NoReverseMatch, resolve, reverse

    try:
        return resolve(reverse(url_name)).func.__name__
    except NoReverseMatch:
        return ""


def dashboard_url(ctx, *, region=None) -> str:
    """The indicator dashboard for the prefecture (no region) or one region, in the newest fiscal
    year the generated data has (fixed, so that the page does not change with the calendar)."""
    from django.urls import reverse

    from bench.dataset import LAST_OBSERVATION_FY

    if _view_name("dashboard:index") != "dashboard":
        raise NotLanded("ダッシュボード（dashboard）が main にありません")
    code = region.code if region is not None else ""
    return f"{reverse('dashboard:index')}?region={code}&fiscal_year={LAST_OBSERVATION_FY}"


def import_rows(ctx, rows: int) -> bytes:
    """An .xlsx in the import template's layout with `rows` new observations for Yamaguchi's areas
    (every indicator × prefecture, regions and municipalities × fiscal years before the generated ones)."""
    from openpyxl import Workbook

    from bench.dataset import LAST_OBSERVATION_FY, YAMAGUCHI
    from core.fiscal import fiscal_year_label
    from indicators.models import Indicator
    from regions.models import Municipality, Region

    indicators = list(Indicator.objects.filter(is_active=True).order_by("display_order", "code"))
    areas = [YAMAGUCHI]
    areas += list(
        Region.objects.filter(prefecture__code=YAMAGUCHI).order_by("code").values_list("code", flat=True)
    )
    areas += list(
        Municipality.objects.filter(prefecture__code=YAMAGUCHI)
        .order_by("code")
        .values_list("code", flat=True)
    )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("取り込み")
    sheet.append(["指標コード", "指標名", "地域コード", "地域名", "期間", "値", "出典", "備考", "更新"])
    year = LAST_OBSERVATION_FY - 40  # decades before any generated or real figure: every row is new
    written = 0
    while written < rows:
        for indicator in indicators:
            for area in areas:
                if written == rows:
                    break
                if indicator.value_type == Indicator.ValueType.YES_NO:
                    value = 1
                elif indicator.value_type == Indicator.ValueType.PERCENT:
                    value = 50.5
                else:
                    value = 100 + written % 50
                period = fiscal_year_label(year, short=True)
                sheet.append([indicator.code, "", area, "", period, value, "ベンチマーク", "", ""])
                written += 1
        year += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def import_flow(ctx, *, rows: int):
    """Upload → preview → confirm, as an official does it; returns (status, bytes) of the last step.

    The batch is undone afterwards by `import_undo` (not timed), so every run imports new rows."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import NoReverseMatch, reverse

    try:
        upload_url = reverse("indicators:imports")
    except NoReverseMatch as exc:
        raise NotLanded("取り込み（dashboard の CSV/Excel 取り込み）が main にありません") from exc
    if "data" not in ctx.import_cache:
        ctx.import_cache["data"] = import_rows(ctx, rows)
    data = ctx.import_cache["data"]

    def run(client):
        upload = SimpleUploadedFile(
            "bench.xlsx",
            data,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response = client.post(upload_url, {"file": upload})
        if response.status_code != 302:
            errors = response.context.get("errors") if response.context else None
            upload_error = response.context.get("upload_error") if response.context else None
            raise RuntimeError(
                f"取り込めませんでした: HTTP {response.status_code} {upload_error or ''} {errors or ''}"
            )
        preview = client.get(response["Location"])
        pk = int(response["Location"].rstrip("/").split("/")[-1])
        confirm = client.post(reverse("indicators:import_confirm", args=[pk]))
        ctx.import_cache["last"] = pk
        return confirm.status_code if confirm.status_code >= 400 else preview.status_code, len(
            preview.content
        )

    return run


def import_undo(ctx, client) -> None:
    from django.urls import reverse

    pk = ctx.import_cache.pop("last", None)
    if pk is not None:
        client.post(reverse("indicators:import_undo", args=[pk]))
