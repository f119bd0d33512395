from django.shortcuts import render

from indicators.models import Indicator, Observation, Target
from indicators.services import format_value


def indicator_list(request):
    """Every indicator definition with its latest observation and its targets (three queries)."""
    indicators = list(Indicator.objects.filter(is_active=True).select_related("part_of", "denominator"))
    latest = {}
    for obs in Observation.objects.select_related("prefecture", "region", "municipality").order_by(
        "indicator_id", "-period_end", "-pk"
    ):
        latest.setdefault(obs.indicator_id, obs)
    targets = {}
    for target in Target.objects.select_related("plan").order_by("fiscal_year", "plan__name"):
        targets.setdefault(target.indicator_id, []).append(target)
    rows = []
    for indicator in indicators:
        obs = latest.get(indicator.pk)
        rows.append(
            {
                "indicator": indicator,
                "latest": obs,
                "latest_text": format_value(obs.value, indicator) if obs else "",
                "targets": [
                    {"target": t, "text": format_value(t.value, indicator)}
                    for t in targets.get(indicator.pk, [])
                ],
            }
        )
    return render(request, "indicators/indicator_list.html", {"rows": rows})
