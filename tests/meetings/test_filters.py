"""meetings/filters.py: each parameter of the meeting and case lists filters; refused input filters
nothing and is reported in Japanese."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.filters import CaseFilter, MeetingFilter
from meetings.models import CaseReview, Meeting
from regions.models import Region
from tests.factories import region
from tests.meetings.factories import CaseReviewFactory, MeetingFactory


@pytest.fixture
def meetings(reference_data):
    return {
        "iwakuni": MeetingFactory(date=date(2022, 6, 1), title="岩国 調整会議", agenda="住まいの確保"),
        "hagi": MeetingFactory(
            date=date(2023, 6, 1), title="萩 調整会議", region=region("3508"), status="planned"
        ),
        "pref": MeetingFactory(
            date=date(2022, 7, 1), title="県 推進会議", region=None, kind="prefecture_council"
        ),
        "deleted": MeetingFactory(date=date(2022, 8, 1), title="削除した会議", deleted_at=timezone.now()),
    }


def _listed(user, data):
    return set(MeetingFilter(data, Meeting.objects.all(), user=user).qs.values_list("title", flat=True))


def test_each_meeting_parameter_filters(meetings, official):
    assert _listed(official, None) == {"岩国 調整会議", "萩 調整会議", "県 推進会議"}  # unbound: alive only
    assert _listed(official, {"fiscal_year": "2022"}) == {"岩国 調整会議", "県 推進会議"}
    assert _listed(official, {"region": str(region("3508").pk)}) == {"萩 調整会議"}
    assert _listed(official, {"region": "prefecture"}) == {"県 推進会議"}
    assert _listed(official, {"kind": "prefecture_council"}) == {"県 推進会議"}
    assert _listed(official, {"status": "planned"}) == {"萩 調整会議"}
    assert _listed(official, {"q": "住まい"}) == {"岩国 調整会議"}
    assert _listed(official, {"q": "調整会議　萩"}) == {"萩 調整会議"}  # every term, 全角スペース too
    assert _listed(official, {"deleted": "on"}) == {"削除した会議"}


def test_only_officials_get_the_deleted_filter(meetings, viewer, official):
    assert "deleted" not in MeetingFilter({}, Meeting.objects.all(), user=viewer).form.fields
    assert "deleted" in MeetingFilter({}, Meeting.objects.all(), user=official).form.fields
    assert "削除した会議" not in _listed(viewer, {"deleted": "on"})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("fiscal_year", "1999"),
        ("fiscal_year", "abc"),
        ("region", "999999999999"),
        ("kind", "x"),
        ("q", "あ" * 101),
    ],
)
def test_refused_meeting_input_filters_nothing_and_says_why_in_japanese(meetings, viewer, field, value):
    filters = MeetingFilter({field: value, "status": "planned"}, Meeting.objects.all(), user=viewer)
    assert not filters.is_valid()
    assert set(filters.qs.values_list("title", flat=True)) == {"岩国 調整会議", "萩 調整会議", "県 推進会議"}
    message = filters.form.errors[field][0]
    assert any("\u3040" <= ch <= "\u30ff" for ch in message), message  # kana: the Japanese message


def test_the_list_page_shows_the_refused_input_and_the_unfiltered_list(meetings, viewer, client_for):
    response = client_for(viewer).get(reverse("meetings:index"), {"kind": "<b>x</b>"})
    assert response.status_code == 200
    assert len(response.context["meetings"]) == 3
    page = response.content.decode()
    assert "種別: 正しく選択してください" in page and "<b>x</b>" not in page


def test_the_export_applies_the_same_filters(meetings, viewer, client_for):
    response = client_for(viewer).get(reverse("meetings:export", args=["csv"]), {"region": "prefecture"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "県 推進会議" in body and "岩国 調整会議" not in body


@pytest.fixture
def cases(reference_data):
    return {
        "iwakuni": CaseReviewFactory(status="reviewing"),
        "hagi": CaseReviewFactory(meeting__region=region("3508"), status="discharged"),
    }


def _cases(data, regions=None):
    regions = regions if regions is not None else Region.objects.order_by("display_order", "code")
    return set(CaseFilter(data, CaseReview.objects.all(), regions=regions).qs)


def test_each_case_parameter_filters(cases):
    assert _cases(None) == {cases["iwakuni"], cases["hagi"]}
    assert _cases({"region": str(region("3508").pk)}) == {cases["hagi"]}
    assert _cases({"status": "reviewing"}) == {cases["iwakuni"]}
    assert _cases({"region": str(region("3508").pk), "status": "reviewing"}) == set()


def test_a_case_region_outside_the_users_regions_is_refused(cases):
    own = Region.objects.filter(code="3501")
    filters = CaseFilter({"region": str(region("3508").pk)}, CaseReview.objects.all(), regions=own)
    assert not filters.is_valid() and filters.form.errors["region"][0].startswith("正しく選択してください")
    assert set(filters.qs) == {cases["iwakuni"], cases["hagi"]}


def test_the_case_list_page_filters_and_shows_refused_input(cases, official, client_for):
    client = client_for(official)
    response = client.get(reverse("meetings:case_list"), {"status": "discharged"})
    assert response.context["cases"] == [cases["hagi"]]
    assert 'name="status"' in response.content.decode()
    response = client.get(reverse("meetings:case_list"), {"status": "nope"})
    assert response.status_code == 200 and len(response.context["cases"]) == 2
    assert "状況: 正しく選択してください" in response.content.decode()
