"""A meeting's number of cases reviewed is a small count of its region: the per-meeting counts add up
to the per-region total the dashboard hides, so they are hidden the same way (issue #17, item 6)."""

import csv
import io
from datetime import date

from tests.meetings.factories import CaseReviewFactory, MeetingFactory


def _case_review_with_two_cases():
    meeting = MeetingFactory(kind="case_review", title="事例検討会（二件）", date=date(2022, 7, 1))
    CaseReviewFactory(meeting=meeting)
    CaseReviewFactory(meeting=meeting)
    return meeting


def _list_cell(html):
    row = html[html.index("事例検討会（二件）") :]
    return row[: row.index("</tr>")]


def test_viewers_see_a_star_on_the_list_and_the_meeting(client_for, viewer):
    meeting = _case_review_with_two_cases()
    client = client_for(viewer)
    row = _list_cell(client.get("/meetings/").content.decode())
    assert "＊件" in row and "2件" not in row
    detail = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "事例検討（＊件）" in detail and "事例検討（2件）" not in detail


def test_the_regions_staff_and_officials_see_the_number_marked(
    client_for, iwakuni_staff, official, hagi_staff
):
    meeting = _case_review_with_two_cases()
    for user in (iwakuni_staff, official):
        row = _list_cell(client_for(user).get("/meetings/").content.decode())
        assert '2<sup class="small-count"' in row
    other = _list_cell(client_for(hagi_staff).get("/meetings/").content.decode())
    assert "＊件" in other and "2<sup" not in other  # another region's staff: hidden
    assert meeting.region.code == "3501"


def test_every_export_hides_it_for_everyone(client_for, official):
    _case_review_with_two_cases()
    response = client_for(official).get("/meetings/export.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["事例数"] == "＊"
