"""The dashboard issues the same number of queries whatever the number of regions, years or meetings."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from core import fiscal
from indicators.models import Indicator, Observation, Target, area_key_for
from meetings.models import CaseStatus, MeetingKind
from regions.models import HealthCentre, Municipality, Prefecture, Region
from tests.meetings.factories import ActionItemFactory, CaseReviewFactory, MeetingFactory
from tests.training.factories import TrainingSessionFactory

URL = "/indicators/"
# Session, user, its TOTP device and profile (4) and the session's save (3); prefecture, the data
# versions (2); regions, indicators, targets, the small counts' table (indicators.small_counts: the
# sheet's inpatient counts count people), values, municipalities, 協議の場 values, years (8);
# meetings, cases reviewed, discharges, successes, overdue action items (5); training (3: for the
# dashboard's own regions, so no list of every region); the pending agenda proposals of the regions the
# official edits (1: dashboard.proposals, per user, never cached); the header's count of due items
# (reminders.due: the user's days, the action items, the follow-ups: 3, per user, never cached); the
# periods the prefecture and 全国 both have values for (1: national.comparison.national_standings; a
# second, every prefecture's value at those periods, only when such a period exists — not in this data,
# see tests/national/test_dashboard.py). Computed, not taken from the cache.
HEADER_DUE_QUERIES = 3
DASHBOARD_QUERIES = {"prefecture": 30, "region": 30, "later-year": 30}
# Taken from the cache (dashboard.overview): the session's 7, prefecture, data versions, proposals,
# the header's count (3).
CACHED_DASHBOARD_QUERIES = 10 + HEADER_DUE_QUERIES


def _observations(prefecture, regions, indicators, years):
    rows = []
    for indicator in indicators:
        for region in [None, *regions]:
            for year in years:
                rows.append(
                    Observation(
                        indicator=indicator,
                        prefecture=prefecture,
                        region=region,
                        area_key=area_key_for(prefecture=prefecture, region=region),
                        period_kind="fiscal_year",
                        fiscal_year=year,
                        period_end=fiscal.fiscal_year_range(year)[1],
                        period_key=f"fy:{year}",
                        value=50 + (year % 7),
                    )
                )
    Observation.objects.bulk_create(rows, ignore_conflicts=True)


def _grow(prefecture):
    """More regions and municipalities, twenty years of every indicator, many meetings, another prefecture."""
    centre = HealthCentre.objects.get(code="iwakuni")
    new_regions = []
    for n in range(9, 21):
        region = Region.objects.create(
            prefecture=prefecture, code=f"35{n:02d}", name=f"試験{n}", display_order=n
        )
        Municipality.objects.create(
            prefecture=prefecture, region=region, code=f"39{n:02d}00", name=f"試験市{n}", kind="city"
        )
        new_regions.append(region)
    regions = list(Region.objects.filter(prefecture=prefecture))
    targeted = Indicator.objects.filter(pk__in=Target.objects.values("indicator"))
    _observations(prefecture, regions, targeted, range(2004, 2024))
    venue = Indicator.objects.get(code="consultation_venue")
    Observation.objects.bulk_create(
        Observation(
            indicator=venue,
            prefecture=prefecture,
            municipality=m,
            area_key=area_key_for(prefecture=prefecture, municipality=m),
            period_kind="month",
            fiscal_year=2022,
            as_of=date(2022, 4, 30),
            period_end=date(2022, 4, 30),
            period_key="month:2022-04",
            value=m.pk % 2,
        )
        for m in Municipality.objects.filter(prefecture=prefecture)
    )
    today = timezone.localdate()
    for i, region in enumerate(regions):
        for month in (5, 8, 11):
            MeetingFactory(date=date(2022, month, 10), region=region, organiser_centre=centre)
        MeetingFactory(date=date(2021, 6, 1), region=region, organiser_centre=centre)
        case = CaseReviewFactory(
            meeting__date=date(2022, 6, 1),
            meeting__region=region,
            meeting__organiser_centre=centre,
            status=CaseStatus.DISCHARGED,
            discharge_month=date(2022, 9, 1),
        )
        ActionItemFactory(meeting=case.meeting, due_date=today - timedelta(days=i + 1))
        TrainingSessionFactory(start_date=date(2022, 7, 1), region=region, attendees={"peer": 2})

    other = Prefecture.objects.create(code="131008", name="東京都")
    for n in range(5):
        region = Region.objects.create(prefecture=other, code=f"13{n:02d}", name=f"東京{n}")
        MeetingFactory(
            date=date(2022, 5, 1), region=region, organiser_centre=centre, kind=MeetingKind.CASE_REVIEW
        )
    _observations(other, list(other.regions.all()), targeted, range(2010, 2024))


@pytest.mark.parametrize(
    "params",
    [
        ("prefecture", {"fiscal_year": 2022}),
        ("region", {"fiscal_year": 2022, "region": "3501"}),
        ("later-year", {"fiscal_year": 2026}),
    ],
    ids=lambda p: p[0] if isinstance(p, tuple) else "",
)
def test_it_uses_a_constant_number_of_queries(client_for, official, sheet, django_assert_num_queries, params):
    view, params = params
    client = client_for(official)
    client.get(URL)  # the session row exists from here on, as for every later request
    cache.clear()
    with django_assert_num_queries(DASHBOARD_QUERIES[view]):
        small = client.get(URL, params)
    prefecture = Prefecture.objects.get(code="350001")
    _grow(prefecture)
    cache.clear()
    with django_assert_num_queries(DASHBOARD_QUERIES[view]):
        large = client.get(URL, params)
    assert len(small.context["overview"].regions) == 8
    assert len(large.context["overview"].regions) == 20
    assert small.context["overview"].activity.total.overdue_actions == 0
    if view == "prefecture":
        assert large.context["overview"].activity.total.regional_meetings == 60
        assert large.context["overview"].activity.total.overdue_actions == 20
        assert small.context["overview"].activity.total.regional_meetings == 0
    assert len(large.context["overview"].charts[0].table.rows) > len(
        small.context["overview"].charts[0].table.rows
    )


def test_the_exports_use_the_same_fixed_number(client_for, official, sheet, django_assert_num_queries):
    client = client_for(official)
    client.get(URL)
    _grow(Prefecture.objects.get(code="350001"))
    cache.clear()
    # the dashboard's queries but the proposals' (a download has no buttons) and the header's count (a
    # download has no header), plus the audit record of the download (core.middleware.DownloadAuditMiddleware)
    with django_assert_num_queries(DASHBOARD_QUERIES["prefecture"] - 1 - HEADER_DUE_QUERIES + 1):
        response = client.get(f"{URL}export/matrix.csv", {"fiscal_year": 2022})
        b"".join(response.streaming_content)
