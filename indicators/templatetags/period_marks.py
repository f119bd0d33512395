"""`{% period_mark indicator period_end label on %}`: a displayed latest value's period, and 「古いデータ」
with the month the next figure is expected when it is old (indicators.freshness decides; this only draws).

Every page that shows a latest value draws its period through this one tag and its template
(`indicators/includes/period_mark.html`): the dashboard's status table and region matrix, the home
page, the PDCA pages, agenda items, the sheet on screen and in the PDF, the definitions page.
`on` is the day the value is judged on (a past 年度's last day, a held meeting's day); today when
omitted. `suffix` is added inside the brackets (the sheet's 「（R3年6月時点）」), `brackets=False`
drops them (a column of its own).
"""

from __future__ import annotations

from django import template
from django.utils import timezone

from indicators.freshness import freshness

register = template.Library()


@register.inclusion_tag("indicators/includes/period_mark.html")
def period_mark(indicator, period_end, label="", on=None, *, suffix="", brackets=True):
    if indicator is None or period_end is None:
        return {"mark": None}
    return {
        "mark": freshness(indicator, period_end, label, on=on or timezone.localdate()),
        "suffix": suffix,
        "brackets": brackets,
    }
