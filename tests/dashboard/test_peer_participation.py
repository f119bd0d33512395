"""The share of meetings with 当事者 (#15 item 5) as an activity indicator: counted from held meetings of
the expected kinds, per region and in total, on the dashboard (cached: refreshed when a participation
changes) and in the same figure as dashboard.activity.peer_share."""

from datetime import date

import pytest
from django.utils import timezone

from dashboard.activity import PeerShare, peer_share
from meetings import services as meeting_services
from meetings.models import MeetingKind, Participation
from regions.models import Prefecture
from tests.factories import region
from tests.meetings.factories import MeetingFactory, ParticipationFactory

URL = "/indicators/"
PARAMS = {"fiscal_year": 2022}


def _meeting(peer: bool, **kwargs):
    meeting = MeetingFactory(**{"date": date(2022, 6, 1), **kwargs})
    ParticipationFactory(meeting=meeting, category="health_centre", count=4)
    if peer:
        ParticipationFactory(meeting=meeting, category="peer", count=1)
        ParticipationFactory(meeting=meeting, category="family", count=2)  # no row multiplication
    return meeting


@pytest.fixture
def meetings(reference_data):
    iwakuni, hagi = region("3501"), region("3508")
    _meeting(True, region=iwakuni)
    _meeting(True, region=iwakuni, kind=MeetingKind.VENUE_MUNICIPALITY, date=date(2023, 3, 31))
    _meeting(False, region=iwakuni, kind=MeetingKind.VENUE_REGION)
    # not counted: planned, deleted, another kind, another 年度, prefecture-wide
    _meeting(True, region=iwakuni, status="planned")
    _meeting(True, region=iwakuni, deleted_at=timezone.now())
    _meeting(False, region=iwakuni, deleted_at=timezone.now())
    _meeting(True, region=iwakuni, kind=MeetingKind.CASE_REVIEW)
    _meeting(False, region=iwakuni, kind=MeetingKind.INDEPENDENCE_COUNCIL)
    _meeting(True, region=iwakuni, date=date(2022, 3, 31))
    _meeting(False, region=None)
    hagi_meeting = _meeting(False, region=hagi, organiser_centre=hagi.health_centres.first())
    return {"hagi": hagi_meeting}


def test_share_text_and_percent_from_counts():
    assert PeerShare(attended=2, held=3).text == "2／3回（66.7％）"
    assert PeerShare(attended=0, held=1).text == "0／1回（0.0％）"
    assert PeerShare(attended=0, held=0).text == "—"
    assert PeerShare().percent is None


def test_counted_per_region_and_in_total(meetings):
    pref = Prefecture.objects.get(code="350001")
    assert peer_share(fiscal_year=2022, region=region("3501")) == PeerShare(attended=2, held=3)
    assert peer_share(fiscal_year=2022, region=region("3508")) == PeerShare(attended=0, held=1)
    assert peer_share(fiscal_year=2022, region=region("3505")) == PeerShare(attended=0, held=0)
    assert peer_share(fiscal_year=2022, prefecture=pref) == PeerShare(attended=2, held=4)
    assert peer_share(fiscal_year=2021, prefecture=pref) == PeerShare(attended=1, held=1)


def test_the_dashboard_shows_it_per_region_and_in_total(meetings, viewer, client_for, sheet):
    response = client_for(viewer).get(URL, PARAMS)
    activity = response.context["overview"].activity
    rows = {r.region.code: r for r in activity.rows if r.region}
    assert rows["3501"].peer == PeerShare(attended=2, held=3)
    assert rows["3508"].peer == PeerShare(attended=0, held=1)
    assert rows["3505"].peer.text == "—"
    assert activity.total.peer == PeerShare(attended=2, held=4)
    # the same figure as the sheets read
    pref = Prefecture.objects.get(code="350001")
    assert activity.total.peer == peer_share(fiscal_year=2022, prefecture=pref)
    assert rows["3501"].regional_meetings == 1  # the 協議の場 are not 圏域連絡調整会議

    page = response.content.decode()
    assert "当事者が参加した会議" in page
    assert '<td class="text-end text-nowrap" data-testid="peer-share">2／3回（66.7％）</td>' in page
    assert '<td class="text-end text-nowrap" data-testid="peer-share">0／1回（0.0％）</td>' in page
    assert '<td class="text-end text-nowrap" data-testid="peer-share">—</td>' in page
    assert '<td class="text-end text-nowrap" data-testid="peer-share-total">2／4回（50.0％）</td>' in page

    table = activity.table
    columns = table.header[-3:]
    assert columns[0] == "当事者が参加した会議（回）" and columns[2] == "当事者が参加した会議の割合（％）"
    by_label = {row[0]: row[-3:] for row in table.rows}
    assert by_label["岩国圏域"] == [2, 3, 66.7]
    assert by_label["萩圏域"] == [0, 1, 0]
    assert by_label["合計"] == [2, 4, 50]
    assert by_label["県全域"] == ["", "", ""]
    assert by_label["下関圏域"] == [0, 0, ""]  # no such meeting: no percent


def test_one_region_selected(meetings, viewer, client_for, sheet):
    response = client_for(viewer).get(URL, {**PARAMS, "region": "3501"})
    activity = response.context["overview"].activity
    assert [r.peer for r in activity.rows] == [PeerShare(attended=2, held=3)]
    assert "2／3回（66.7％）" in response.content.decode()


def test_the_cached_dashboard_follows_a_participation_change(meetings, official, client_for, sheet):
    client = client_for(official)

    def hagi():
        rows = client.get(URL, PARAMS).context["overview"].activity.rows
        return next(r for r in rows if r.region and r.region.code == "3508").peer

    assert hagi() == PeerShare(attended=0, held=1)
    assert hagi() == PeerShare(attended=0, held=1)  # served from the cache
    row = Participation.objects.create(meeting=meetings["hagi"], category="peer", count=1)
    assert hagi() == PeerShare(attended=1, held=1)
    row.delete()
    assert hagi() == PeerShare(attended=0, held=1)

    meeting = meetings["hagi"]  # through the service, as the meeting form saves it
    meeting_services.meeting_update(
        by=official,
        meeting_id=meeting.pk,
        expected_version=meeting.version,
        fields={},
        participants={"health_centre": 4, "peer": 3},
    )
    assert hagi() == PeerShare(attended=1, held=1)
