"""The read side's pages: the home page, the indicator dashboard and its downloads.

Everyone signed in reads them; what each person sees is scoped by role (a health centre's staff land
on their own region) and by the deployment's prefecture.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from accounts import roles
from core.exports import csv_response, xlsx_response
from core.fiscal import fiscal_year_of
from dashboard import forms, progress
from dashboard.overview import UnknownRegion, dashboard_overview
from dashboard.proposals import ProposalMarks
from indicators import values
from indicators.areas import portal_prefecture
from meetings.models import ActionItem
from regions.models import Region

HOME_ACTION_LIMIT = 20


def _action_items_for_staff(region_ids, today):
    """The open items of the staff's region(s), overdue first, and their counts (two queries)."""
    items = ActionItem.objects.alive().open().for_regions(region_ids)
    counts = items.aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
    rows = list(
        items.select_related("meeting", "meeting__region").order_by("due_date", "pk")[:HOME_ACTION_LIMIT]
    )
    return {"items": [(item, item.is_overdue(today)) for item in rows], **counts}


def _action_counts_per_region(today):
    """Open and overdue items per region for officials: one grouped query plus the region list."""
    grouped = (
        ActionItem.objects.alive()
        .open()
        .order_by()
        .values("meeting__region")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
    )
    by_region = {row["meeting__region"]: row for row in grouped}
    rows = [
        (region, by_region.get(region.pk, {}).get("open", 0), by_region.get(region.pk, {}).get("overdue", 0))
        for region in Region.objects.order_by("display_order", "code")
    ]
    prefecture = by_region.get(None, {})
    rows.append((None, prefecture.get("open", 0), prefecture.get("overdue", 0)))
    return rows


def home(request):
    """ダッシュボード: the signed-in user's starting page."""
    centre = roles.health_centre_of(request.user)
    regions = list(centre.regions.all()) if centre else []
    today = timezone.localdate()
    context = {"health_centre": centre, "own_regions": regions, "today": today}
    if centre:
        context["own_actions"] = _action_items_for_staff([r.pk for r in regions], today)
    elif roles.is_prefecture(request.user):
        context["region_actions"] = _action_counts_per_region(today)
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
    """One of the dashboard's tables as CSV (UTF-8 with BOM) or Excel, for the same filters."""
    if fmt not in {"csv", "xlsx"}:
        raise Http404("その形式には対応していません")
    overview, _ = _overview_for(request)
    table = overview.tables.get(key)
    if table is None:
        raise Http404("その表はありません")
    area = overview.region.name if overview.region else overview.prefecture.name
    filename = f"{table.title}_{area}_{overview.fiscal_year}年度"
    if fmt == "csv":
        return csv_response(f"{filename}.csv", table.header, table.rows)
    return xlsx_response(f"{filename}.xlsx", table.header, table.rows, sheet_title=table.title[:31])
