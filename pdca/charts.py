"""The small chart of a region's PDCA page: an indicator's values over time for the region, its target,
and the days of the meetings that discussed it (core.svgcharts, drawn on the server from stored rows)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.safestring import SafeString

from core.fiscal import wareki_date
from core.svgcharts import LineSeries, TargetLine, XMark, line_chart
from indicators import values
from indicators.models import Indicator, Observation
from indicators.standing import Standing
from meetings.models import Meeting, MeetingStatus

MEETINGS_LABEL = "議題にした会議"


def mark_label(meeting: Meeting) -> str:
    """「R4.10.5」, or 「R5.1.10予定」 for a meeting not held yet."""
    label = wareki_date(meeting.date, short=True)
    return label if meeting.status == MeetingStatus.HELD else f"{label}予定"


def indicator_chart(
    indicator: Indicator,
    observations: Sequence[Observation],
    *,
    target: Standing,
    meetings: Sequence[Meeting],
    region,
) -> SafeString | str:
    """The region's values (in period order), the target the standing is judged against, a mark per
    meeting; "" when the region has no value to draw."""
    if not observations:
        return ""
    points = [(o.period_end.toordinal(), float(o.value)) for o in observations]
    labels = {o.period_end.toordinal(): values.period_text_of(o) for o in observations}
    targets = []
    if target.target_value is not None:
        targets.append(TargetLine(f"目標 {target.target_text}", float(target.target_value)))
    unit = "" if indicator.value_type == Indicator.ValueType.YES_NO else indicator.unit
    return line_chart(
        series=[LineSeries(region.full_name, points)],
        targets=targets,
        x_label=lambda x: labels.get(x, ""),
        marks=[XMark(m.date.toordinal(), mark_label(m)) for m in {m.pk: m for m in meetings}.values()],
        marks_label=MEETINGS_LABEL,
        title=f"{indicator.name_ja}（{region.full_name}）",
        unit=unit,
        decimals=indicator.decimal_places,
        width=520,
        height=230,
    )
