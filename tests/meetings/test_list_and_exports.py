"""The meeting list (filters, search, pagination, constant query count) and its CSV / Excel exports."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from meetings.models import Meeting
from regions.models import Region
from tests.meetings.factories import (
    ActionItemFactory,
    CaseReviewFactory,
    MeetingFactory,
    ParticipationFactory,
)


def _meetings(n, **kwargs):
    made = []
    for i in range(n):
        meeting = MeetingFactory(date=date(2022, 5, 1) + timedelta(days=i), **kwargs)
        ParticipationFactory(meeting=meeting, category="peer", count=2)
        ParticipationFactory(meeting=meeting, category="family", count=1)
        ActionItemFactory(meeting=meeting)
        made.append(meeting)
    return made


def _list_queries(client, params=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("meetings:index"), params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.parametrize("persona", ["official", "iwakuni_staff", "viewer"])
def test_list_query_count_does_not_grow(
    request, reference_data, client_for, persona, django_assert_num_queries
):
    client = client_for(request.getfixturevalue(persona))
    _meetings(5)
    CaseReviewFactory()
    few, response = _list_queries(client)
    assert len(response.context["meetings"]) == 6
    _meetings(25)
    many, response = _list_queries(client)
    assert len(response.context["meetings"]) == 25
    assert few == many
    # session, user, region choices, profile, one page of meetings (summaries as subqueries), and
    # the session save (savepoint, update, release): 8 whatever the number of meetings; officials
    # add one: django-otp re-reads their verified TOTP device on every request. The header's count
    # of due items (reminders.due) adds the user's days, the action items and the follow-ups (3), and
    # for staff their regions (1), which this page does not read otherwise; viewers have no count
    assert few == {"official": 9 + 3, "iwakuni_staff": 8 + 3 + 1, "viewer": 8}[persona]
    with django_assert_num_queries(few):
        client.get(reverse("meetings:index"), {"fiscal_year": "2022", "kind": "case_review"})


def test_list_shows_summary_numbers(client_for, iwakuni_staff):
    meeting = _meetings(1)[0]
    ActionItemFactory(meeting=meeting, status="done", completed_on=date(2022, 6, 1))
    response = client_for(iwakuni_staff).get(reverse("meetings:index"))
    row = response.context["meetings"][0]
    assert (row.participant_total, row.open_action_count, row.case_count) == (3, 1, 0)
    page = response.content.decode()
    assert "令和4年5月1日" in page and "R4年度" in page and "3人" in page


def test_list_paginates_without_counting_everything(client_for, viewer):
    _meetings(30)
    client = client_for(viewer)
    first = client.get(reverse("meetings:index"))
    assert len(first.context["meetings"]) == 25 and first.context["has_next"]
    assert first.context["meetings"][0].date == date(2022, 5, 30)  # newest first
    second = client.get(reverse("meetings:index"), {"page": 2})
    assert len(second.context["meetings"]) == 5 and not second.context["has_next"]
    assert "26〜30件目を表示" in second.content.decode()
    assert client.get(reverse("meetings:index"), {"page": "x"}).context["page"] == 1
    assert client.get(reverse("meetings:index"), {"page": 99}).context["meetings"] == []


def test_list_filters_and_search(client_for, viewer):
    hagi = Region.objects.get(code="3508")
    a = MeetingFactory(date=date(2022, 6, 1), title="岩国 調整会議", agenda="住まいの確保")
    b = MeetingFactory(date=date(2023, 6, 1), title="萩 調整会議", region=hagi, status="planned")
    c = MeetingFactory(date=date(2022, 7, 1), title="県 推進会議", region=None, kind="prefecture_council")
    client = client_for(viewer)

    def listed(**params):
        return {m.pk for m in client.get(reverse("meetings:index"), params).context["meetings"]}

    assert listed() == {a.pk, b.pk, c.pk}
    assert listed(fiscal_year="2022") == {a.pk, c.pk}
    assert listed(region=str(hagi.pk)) == {b.pk}
    assert listed(region="prefecture") == {c.pk}
    assert listed(kind="prefecture_council") == {c.pk}
    assert listed(status="planned") == {b.pk}
    assert listed(q="住まい") == {a.pk}
    assert listed(q="萩") == {b.pk}
    assert listed(q="調整会議　住まい") == {a.pk}  # every term, 全角スペース included
    assert listed(q="調整会議", fiscal_year="2022") == {a.pk}
    page = client.get(reverse("meetings:index")).content.decode()
    assert 'title="スペースで区切った語をすべて含む会議を表示します' in page
    assert listed(deleted="on") == {a.pk, b.pk, c.pk}  # a viewer cannot ask for deleted meetings


def _csv(response):
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_export_is_utf8_with_bom_filtered_and_neutralised(client_for, viewer):
    MeetingFactory(title='=HYPERLINK("http://example.invalid")', date=date(2022, 6, 1), agenda="+1 議題")
    MeetingFactory(title="前年度の会議", date=date(2021, 6, 1))
    MeetingFactory(title="消した会議", date=date(2022, 6, 2), deleted_at="2022-06-03T00:00:00+09:00")
    response = client_for(viewer).get(reverse("meetings:export", args=["csv"]), {"fiscal_year": "2022"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "filename*=utf-8''" in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0][:6] == ["年度", "開催日", "開始", "終了", "種別", "会議名"]
    assert len(rows) == 2  # header + the one live meeting of 2022
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["会議名"] == '\'=HYPERLINK("http://example.invalid")'
    assert row["議題"] == "1. +1 議題"  # the agenda items, numbered
    assert row["圏域"] == "岩国圏域"
    assert row["主催"] == "岩国健康福祉センター"
    assert row["開催日"] == "2022-06-01"
    assert row["年度"] == "令和4年度"  # as the training export and every page write it


def test_exports_count_participants_per_group_and_name_the_file_by_the_day(client_for, viewer):
    from urllib.parse import quote

    from django.utils import timezone

    meeting = MeetingFactory(title="内訳のある会議", date=date(2022, 6, 1))
    ParticipationFactory(meeting=meeting, category="peer", count=2)
    ParticipationFactory(meeting=meeting, category="family", count=1)
    ParticipationFactory(meeting=meeting, category="hospital_nurse", count=5)
    response = client_for(viewer).get(reverse("meetings:export", args=["csv"]), {"fiscal_year": "2022"})
    stamp = timezone.localdate().strftime("%Y%m%d")
    assert quote(f"会議一覧_{stamp}.csv") in response["Content-Disposition"]
    rows = _csv(response)
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["参加者数（計）"] == "8"
    assert row["参加者数（当事者・ピアサポーター）"] == "2"
    assert row["参加者数（家族）"] == "1"
    assert row["参加者数（精神科病院：看護師）"] == "5"
    assert row["参加者数（保健所）"] == "0"


def test_xlsx_export_has_the_same_rows(client_for, iwakuni_staff):
    meeting = MeetingFactory(title="@SUM(A1) 会議", date=date(2022, 6, 1))
    ParticipationFactory(meeting=meeting, count=7)
    response = client_for(iwakuni_staff).get(reverse("meetings:export", args=["xlsx"]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "会議一覧"
    rows = list(sheet.iter_rows(values_only=True))
    header, values = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert header[5] == "会議名"
    assert values["会議名"] == "'@SUM(A1) 会議"
    assert values["参加者数（計）"] == 7
    assert values["種別"] == "圏域連絡調整会議"
    assert sheet.cell(row=2, column=6).data_type == "s"
    assert len(rows) == 2


def test_exports_follow_the_deleted_filter_only_for_officials(client_for, official, viewer):
    MeetingFactory(title="消した会議", deleted_at="2022-06-03T00:00:00+09:00")
    assert len(_csv(client_for(viewer).get(reverse("meetings:export", args=["csv"]), {"deleted": "on"}))) == 1
    rows = _csv(client_for(official).get(reverse("meetings:export", args=["csv"]), {"deleted": "on"}))
    assert [r[5] for r in rows[1:]] == ["消した会議"]
    assert Meeting.objects.count() == 1
