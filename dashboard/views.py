"""The read side's pages: the home page, the indicator dashboard and its downloads.

Everyone signed in reads them; what each person sees is scoped by role (a health centre's staff land
on their own region) and by the deployment's prefecture.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from accounts import roles
from core.exports import csv_response, download_stem, xlsx_response
from core.fiscal import fiscal_year_label, fiscal_year_of
from dashboard import forms, progress
from dashboard import home as home_page
from dashboard.overview import UnknownRegion, dashboard_overview
from dashboard.proposals import ProposalMarks
from indicators import values
from indicators.areas import portal_prefecture
from regions.models import Region


def home(request):
    """ダッシュボード: the signed-in user's starting page — a work page for staff and officials (dashboard.home)."""
    centre = roles.health_centre_of(request.user)
    today = timezone.localdate()
    context = {"health_centre": centre, "own_regions": [], "today": today}
    if centre:
        work = home_page.staff_home(
            request.user, centre.regions.order_by("display_order", "code"), today=today
        )
        context.update(own_regions=work.regions, work=work, own_actions=work.actions)
    elif roles.is_prefecture(request.user):
        context["region_rows"] = home_page.region_rows(request.user, today=today)
    return render(request, "dashboard/home.html", context)


# --- the indicator dashboard ----------------------------------------------------------------------


def _current_fiscal_year() -> int:
    return fiscal_year_of(timezone.localdate())


def _own_region_code(user, prefecture) -> str:
    """The region a health-centre user lands on (the first their centre covers in this prefecture)."""
    if not roles.is_health_centre_staff(user):
        return forms.ALL_AREAS
    ids = roles.editable_region_ids(user)
    region = (
        Region.objects.filter(prefecture=prefecture, pk__in=ids).order_by("display_order", "code").first()
        if ids
        else None
    )
    return region.code if region else forms.ALL_AREAS


def _overview_for(request):
    """The dashboard for the request's filters (health-centre staff default to their own region)."""
    prefecture = portal_prefecture()
    form = forms.DashboardFilterForm(request.GET, default_region=_own_region_code(request.user, prefecture))
    try:
        overview = dashboard_overview(
            prefecture=prefecture, **form.overview_arguments(current_fiscal_year=_current_fiscal_year())
        )
    except UnknownRegion as exc:
        raise Http404("その圏域はありません") from exc
    return overview, form


def dashboard(request):
    """指標ダッシュボード: actual against target, pace, regions, 協議の場, activity — for one 年度 and area."""
    overview, form = _overview_for(request)
    if form.year_refused:
        messages.warning(request, f"年度の指定が読めないため、{overview.fiscal_year}年度を表示しています。")
    shown = form.shown(overview)
    marks = ProposalMarks(user=request.user, overview=overview)
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "overview": overview,
            # The tables' marks, per user (dashboard.proposals: how they are cached).
            "status_table": marks.status_table,
            "matrix_table": marks.matrix,
            "proposals": marks,
            "filter_form": shown,
            "export_query": shown.data.urlencode(),
            "status_help": values.STATUS_HELP,
            "pace_help": progress.PACE_HELP,
            "is_prefecture": roles.is_prefecture(request.user),
        },
    )


def dashboard_export(request, key: str, fmt: str):
    """One of the dashboard's tables as CSV (UTF-8 with BOM) or Excel, for the same filters; small
    counts 「＊」 for everyone, with the legend under the rows (indicators.small_counts)."""
    if fmt not in {"csv", "xlsx"}:
        raise Http404("その形式には対応していません")
    overview, _ = _overview_for(request)
    table = overview.tables.get(key)
    if table is None:
        raise Http404("その表はありません")
    area = overview.region.name if overview.region else overview.prefecture.name
    filename = download_stem(table.title, area, fiscal_year_label(overview.fiscal_year))
    rows = table.public_rows()  # a download is read as the public reads it, whoever asks: 「＊」
    if fmt == "csv":
        return csv_response(f"{filename}.csv", table.header, rows)
    return xlsx_response(f"{filename}.xlsx", table.header, rows, sheet_title=table.title[:31])
