"""Which tables raise the data versions the dashboard's caches are keyed on (core.versions).

Registered here, by the reader that caches, because the activity part counts meetings and training,
which the indicators app below them may not import; the group names stay in `indicators.versions`.
"""

from core import versions
from indicators.versions import ACTIVITY_DATA, INDICATOR_DATA


def track_dashboard_data() -> None:
    from indicators.models import Indicator, Observation, Plan, Target
    from meetings.models import ActionItem, CaseFollowUp, CaseReview, Meeting, Participation
    from regions.models import Municipality, Prefecture, Region
    from training.models import PeerSupportProgramme, TrainingAttendance, TrainingSession

    versions.track(INDICATOR_DATA, Indicator, Plan, Observation, Target, Prefecture, Region, Municipality)
    versions.track(
        ACTIVITY_DATA,
        Prefecture,
        Region,
        Meeting,
        Participation,  # the share of meetings with 当事者
        ActionItem,
        CaseReview,
        CaseFollowUp,
        TrainingSession,
        TrainingAttendance,
        PeerSupportProgramme,
    )
