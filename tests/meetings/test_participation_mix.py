"""Participation mix (#15 item 5): whether 当事者・ピアサポーター and 家族 took part, the flag on held meetings
of the kinds where their voice is expected, and the list's 「当事者の参加なし」 filter."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings.filters import MeetingFilter
from meetings.models import PEER_EXPECTED_KINDS, Meeting, MeetingKind
from tests.factories import region
from tests.meetings.factories import MeetingFactory, ParticipationFactory

FLAG = "当事者の参加がありません"
LIST_FLAG = "当事者の参加なし"


@pytest.fixture
def meetings(reference_data):
    """Held and planned meetings of expected and other kinds, with and without 当事者 / 家族."""
    with_peer = MeetingFactory(title="岩国 当事者あり")
    for category, count in (("peer", 2), ("family", 1), ("health_centre", 3), ("hospital_psw", 2)):
        ParticipationFactory(meeting=with_peer, category=category, count=count)
    without_peer = MeetingFactory(title="岩国 当事者なし", kind=MeetingKind.VENUE_MUNICIPALITY)
    ParticipationFactory(meeting=without_peer, category="family", count=2)
    ParticipationFactory(meeting=without_peer, category="peer", count=0)  # a zero row is not taking part
    return {
        "with_peer": with_peer,
        "without_peer": without_peer,
        "venue_region": MeetingFactory(
            title="萩 協議の場", kind=MeetingKind.VENUE_REGION, region=region("3508")
        ),
        "planned": MeetingFactory(title="岩国 予定の会議", status="planned"),
        "case_review": MeetingFactory(title="岩国 事例検討会", kind=MeetingKind.CASE_REVIEW),
        "deleted": MeetingFactory(title="岩国 削除した会議", deleted_at=timezone.now()),
    }


def test_the_expected_kinds_are_the_regional_meeting_and_the_venues():
    assert set(PEER_EXPECTED_KINDS) == {
        MeetingKind.REGIONAL_COORDINATION,
        MeetingKind.VENUE_REGION,
        MeetingKind.VENUE_MUNICIPALITY,
    }


def test_the_annotation_says_who_took_part_without_multiplying_rows(meetings):
    rows = Meeting.objects.alive().with_summary().with_participation_mix()
    assert rows.count() == 5  # four participation rows of one meeting: still one row each
    found = {m.title: (m.has_peer, m.has_family, m.lacks_peer, m.participant_total) for m in rows}
    assert found["岩国 当事者あり"] == (True, True, False, 8)
    assert found["岩国 当事者なし"] == (False, True, True, 2)
    assert found["萩 協議の場"] == (False, False, True, 0)
    assert found["岩国 予定の会議"][2] is False  # not held yet: not flagged
    assert found["岩国 事例検討会"][2] is False  # not a kind where 当事者 are expected


def test_the_flag_without_the_annotation_reads_the_participations(meetings, django_assert_num_queries):
    meeting = Meeting.objects.get(pk=meetings["without_peer"].pk)
    with django_assert_num_queries(1):
        assert meeting.lacks_peer
    case_review = Meeting.objects.get(pk=meetings["case_review"].pk)
    with django_assert_num_queries(0):
        assert not case_review.lacks_peer


def test_the_flagged_meetings_are_held_of_an_expected_kind_and_without_peer(meetings):
    flagged = set(Meeting.objects.alive().without_peer().values_list("title", flat=True))
    assert flagged == {"岩国 当事者なし", "萩 協議の場"}


def test_the_detail_page_shows_both_and_flags_a_meeting_without_peer(meetings, viewer, client_for):
    client = client_for(viewer)
    page = client.get(reverse("meetings:detail", args=[meetings["without_peer"].pk])).content.decode()
    assert FLAG in page and 'data-testid="peer-missing"' in page
    mix = page.split('data-testid="participation-mix"')[1].split("</dl>")[0]
    assert "当事者・ピアサポーター</dt><dd" in mix
    assert mix.index("参加なし") < mix.index("家族") < mix.index("参加あり")

    page = client.get(reverse("meetings:detail", args=[meetings["with_peer"].pk])).content.decode()
    assert FLAG not in page
    mix = page.split('data-testid="participation-mix"')[1].split("</dl>")[0]
    assert mix.count("参加あり") == 2 and "参加なし" not in mix

    for key in ("planned", "case_review"):
        page = client.get(reverse("meetings:detail", args=[meetings[key].pk])).content.decode()
        assert FLAG not in page, key


def test_the_list_shows_the_flag(meetings, viewer, client_for):
    response = client_for(viewer).get(reverse("meetings:index"))
    rows = {m.title: m for m in response.context["meetings"]}
    assert rows["岩国 当事者なし"].lacks_peer and not rows["岩国 当事者あり"].lacks_peer
    page = response.content.decode()
    assert page.count(LIST_FLAG + "</span>") == 2  # the two flagged meetings; the filter's label aside
    row = page.split("岩国 当事者なし</a>")[1].split("</td>")[0]
    assert LIST_FLAG in row


def _listed(user, data):
    return set(MeetingFilter(data, Meeting.objects.all(), user=user).qs.values_list("title", flat=True))


def test_the_filter_lists_the_flagged_meetings(meetings, official):
    assert _listed(official, {"no_peer": "on"}) == {"岩国 当事者なし", "萩 協議の場"}
    assert _listed(official, {"no_peer": "on", "region": str(region("3508").pk)}) == {"萩 協議の場"}
    assert len(_listed(official, {})) == 5  # unchecked: no filter
    # officials' deleted meetings: the same rule (a held 圏域連絡調整会議 without 当事者)
    assert _listed(official, {"no_peer": "on", "deleted": "on"}) == {"岩国 削除した会議"}


def test_the_list_page_filters_and_keeps_its_query_count(meetings, viewer, client_for):
    client = client_for(viewer)
    url = reverse("meetings:index")

    def queries(params):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, params)
        assert response.status_code == 200
        return len(ctx.captured_queries), response

    client.get(url)  # the session's first write
    unfiltered, _ = queries({})
    filtered, response = queries({"no_peer": "on"})
    assert {m.title for m in response.context["meetings"]} == {"岩国 当事者なし", "萩 協議の場"}
    assert 'name="no_peer"' in response.content.decode()
    for i in range(20):
        meeting = MeetingFactory(date=date(2022, 4, 1) + timedelta(days=i))
        ParticipationFactory(meeting=meeting, category="peer" if i % 2 else "family", count=1)
    many, response = queries({"no_peer": "on"})
    assert len(response.context["meetings"]) == 12
    assert unfiltered == filtered == many
