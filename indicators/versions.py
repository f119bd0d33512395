"""The data versions the dashboard's caches are keyed on (core.versions).

INDICATOR_DATA: what the indicator part of the dashboard is computed from (definitions, plans,
targets, values, the prefecture's areas). ACTIVITY_DATA: the records its activity part counts
(meetings, case reviews and their follow-ups, action items, training). A meeting saved raises the
second only, so the indicator part stays cached while health centres log their work.
"""

from core import versions

INDICATOR_DATA = "dashboard-indicators"
ACTIVITY_DATA = "dashboard-activity"


def track_dashboard_data() -> None:
    from indicators.models import Indicator, Observation, Plan, Target
    from meetings.models import ActionItem, CaseFollowUp, CaseReview, Meeting
    from regions.models import Municipality, Prefecture, Region
    from training.models import PeerSupportProgramme, TrainingAttendance, TrainingSession

    versions.track(INDICATOR_DATA, Indicator, Plan, Observation, Target, Prefecture, Region, Municipality)
    versions.track(
        ACTIVITY_DATA,
        Prefecture,
        Region,
        Meeting,
        ActionItem,
        CaseReview,
        CaseFollowUp,
        TrainingSession,
        TrainingAttendance,
        PeerSupportProgramme,
    )
