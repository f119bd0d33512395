"""全国との比較: the list of indicators with national data, and one indicator compared.

Everyone signed in reads them (national tables are public; the portal's own values shown here are the
prefecture-wide ones every signed-in user already sees on the dashboard). Any signed-in user saves
their own peer prefectures. The query string is validated: an unknown period or level shows a
message and the default, never an error page.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.exports import download_stem, export_response
from indicators.models import Indicator
from indicators.standing import Basis
from national import charts, comparison, services, tilemap
from national.forms import PeersForm, SelectionForm
from regions.models import Prefecture

LEVELS = {"prefecture": "都道府県", "region": "県内の圏域（二次医療圏）"}


def index(request):
    """全国との比較: the indicators that have a 全国 value, each linked to its comparison."""
    return render(request, "national/index.html", {"indicators": comparison.indicators_with_national_data()})


def _param(request, name: str) -> str:
    value = request.GET.get(name, "")
    return value if value.isprintable() and len(value) <= 40 else "\x00"


class _Selection:
    """The comparison the query string asks for: level and period, with the messages for refused input."""

    def __init__(self, request, indicator: Indicator, portal: Prefecture):
        self.portal = portal
        self.areas = comparison.country_areas()
        by_key, nation = self.areas
        self.nation = nation
        self.warnings: list[str] = []
        # Counts of people are not compared region by region: a region's small count (1–9) is hidden on
        # every page (indicators.small_counts), and a ranking, chart or export would show it.
        self.region_periods = [] if indicator.counts_people else comparison.region_periods(indicator, portal)
        level = _param(request, "level") or "prefecture"
        if level == "region" and indicator.counts_people:
            self.warnings.append(
                "人数を数える指標は、少ない人数を秘匿するため圏域ごとには比べません。都道府県の比較を表示しています。"
            )
            level = "prefecture"
        elif level not in LEVELS or (level == "region" and not self.region_periods):
            self.warnings.append("比べる単位の指定が読めないため、都道府県の比較を表示しています。")
            level = "prefecture"
        self.level = level
        if level == "prefecture":
            keys = [*by_key, *([comparison.area_key_for(prefecture=nation)] if nation else [])]
            self.periods = comparison.periods(indicator, keys)
            common = comparison.latest_common_period(indicator, portal, nation)
            default = common or (self.periods[-1] if self.periods else None)
        else:
            common = None
            self.periods = self.region_periods
            default = self.periods[-1] if self.periods else None
        asked = _param(request, "period")
        by_key_period = {p.key: p for p in self.periods}
        self.period = by_key_period.get(asked) if asked else default
        if asked and self.period is None:
            self.warnings.append(
                "指定された期間の値がないため、"
                + (f"{default.label}を表示しています。" if default else "期間を指定せずに表示しています。")
            )
            self.period = default
        # The summary says 「両方に値がある最新の期間」 only when that is what is shown.
        self.is_common = common is not None and self.period == common

    def ranking(self, indicator: Indicator) -> comparison.Ranking:
        if self.level == "region":
            return comparison.region_ranking(indicator, self.period, portal=self.portal)
        return comparison.prefecture_ranking(indicator, self.period, portal=self.portal, areas=self.areas)

    def query(self) -> str:
        parts = []
        if self.level != "prefecture":
            parts.append(f"level={self.level}")
        if self.period is not None:
            parts.append(f"period={self.period.key}")
        return "&".join(parts)


def detail(request, code: str):
    """One indicator compared: the ranked bar chart, the tile map, the table, and the over-time chart."""
    indicator = get_object_or_404(Indicator, code=code)
    portal = Prefecture.objects.portal()
    selection = _Selection(request, indicator, portal)
    for warning in selection.warnings:
        messages.warning(request, warning)
    ranking = selection.ranking(indicator)
    target, target_label = _target(indicator, portal)
    peers = services.peers_for(request.user)
    periods, lines = _over_time(indicator, portal, selection.nation, peers)
    form = PeersForm(portal=portal, initial={"prefectures": peers})
    return render(
        request,
        "national/detail.html",
        _context(indicator, selection, ranking, target, target_label, periods, lines, form, peers),
    )


def _context(indicator, selection, ranking, target, target_label, periods, lines, form, peers) -> dict:
    return {
        "indicator": indicator,
        "portal": selection.portal,
        "selection": selection,
        "selection_form": SelectionForm(
            initial={"level": selection.level, "period": selection.period.key if selection.period else ""},
            levels=[(k, v) for k, v in LEVELS.items() if k == "prefecture" or selection.region_periods],
            periods=selection.periods,
        ),
        "ranking": ranking,
        "portal_entry": ranking.portal,
        "portal_rank_text": ranking.rank_text(ranking.portal),
        "tile_map": tilemap.tile_map(ranking) if selection.level == "prefecture" else None,
        "bar_figure": charts.ranking_figure(ranking, target=target, target_label=target_label)
        if ranking.has_values
        else None,
        "target_text": comparison.with_unit(target, indicator) if target is not None else "",
        "target_label": target_label,
        "time_periods": periods,
        "time_lines": lines,
        "time_figure": charts.over_time_figure(periods, lines, indicator.unit) if periods else None,
        "peers_form": form,
        "peers": peers,
        "query": selection.query(),
    }


def _target(indicator: Indicator, portal: Prefecture):
    """The portal prefecture's target in force today (the basis plan's, as the dashboard judges)."""
    basis = Basis(portal)
    plan = basis.plan_for(timezone.localdate())
    if plan is None:
        return None, ""
    target, _ = basis.targets.find(indicator, plan, basis.prefecture_key)
    if target is None:
        return None, ""
    return target.value, f"{portal.short_name}の目標（{plan.name}）"


def _over_time(indicator, portal, nation, peers):
    areas = [(portal, "portal")]
    if nation is not None:
        areas.append((nation, "nation"))
    areas += [(p, "peer") for p in peers if p.pk != portal.pk]
    return comparison.over_time(indicator, areas)


@require_POST
def peers(request, code: str):
    """Save the signed-in user's own peer prefectures (at most five) and go back to the comparison."""
    indicator = get_object_or_404(Indicator, code=code)
    portal = Prefecture.objects.portal()
    form = PeersForm(request.POST, portal=portal)
    if not form.is_valid():
        selection = _Selection(request, indicator, portal)
        ranking = selection.ranking(indicator)
        target, target_label = _target(indicator, portal)
        saved = services.peers_for(request.user)
        periods, lines = _over_time(indicator, portal, selection.nation, saved)
        context = _context(indicator, selection, ranking, target, target_label, periods, lines, form, saved)
        return render(request, "national/detail.html", context, status=400)
    services.peers_save(by=request.user, prefectures=form.cleaned_data["prefectures"])
    messages.success(request, "比べる都道府県を保存しました。")
    return redirect(reverse("national:detail", args=[indicator.code]) + "#over-time")


HEADER = ["順位", "地域", "値", "単位", "期間", "出典", "備考"]


def export(request, code: str, fmt: str):
    """The comparison table (every prefecture or region and 全国 / the prefecture) as CSV or Excel."""
    indicator = get_object_or_404(Indicator, code=code)
    portal = Prefecture.objects.portal()
    selection = _Selection(request, indicator, portal)
    ranking = selection.ranking(indicator)
    period_label = ranking.period.label if ranking.period else ""
    rows = []
    for entry in [*([ranking.nation] if ranking.nation else []), *ranking.entries]:
        rows.append(
            [
                entry.rank if entry.rank is not None else "",
                entry.name,
                float(entry.value) if entry.value is not None else entry.value_text,
                indicator.unit,
                period_label,
                entry.provenance,
                ranking.rank_text(entry) if entry.rank is not None else "",
            ]
        )
    what = "全国との比較" if selection.level == "prefecture" else "圏域の比較"
    stem = download_stem(f"{what}_{indicator.name_ja}", period_label)
    return export_response(fmt, stem, HEADER, rows, sheet_title=what)
