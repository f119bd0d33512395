"""Rows stored before dates were range-checked — a meeting, an action's due date, a case's discharge
month, a training session before 明治 — no longer take down the pages that show them.

Every page, export and PDF that
shows them answers 200, with the date in the Western form.
"""

from datetime import date

import pytest
from django.urls import reverse

from tests.meetings.factories import ActionItemFactory, CaseReviewFactory, MeetingFactory
from tests.training.factories import TrainingSessionFactory

PRE_MEIJI = date(1867, 1, 1)


@pytest.fixture
def old_rows(loaded):
    """FY2022 rows of 岩国 (3501) whose dates were typed as year 1867 or 1 (their 年度 still 2022).

    The factories save rows as they are (no full_clean), as the old code let them in."""
    meeting = MeetingFactory(date=PRE_MEIJI, fiscal_year=2022)
    action = ActionItemFactory(meeting=meeting, description="岩国 古い期限の対応", due_date=date(1, 1, 1))
    case = CaseReviewFactory(
        meeting__date=PRE_MEIJI, meeting__fiscal_year=2022, status="discharged", discharge_month=PRE_MEIJI
    )
    session = TrainingSessionFactory(
        title="岩国 古い日付の研修", start_date=PRE_MEIJI, end_date=PRE_MEIJI, fiscal_year=2022
    )
    return {"meeting": action.meeting, "case": case, "session": session}


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def test_training_pages_exports_and_summary(old_rows, iwakuni_staff, client_for):
    client = client_for(iwakuni_staff)
    session = old_rows["session"]
    assert "1867年1月1日" in _get(client, reverse("training:index")).content.decode()
    assert (
        "1867年1月1日" in _get(client, reverse("training:session_detail", args=[session.pk])).content.decode()
    )
    _get(client, reverse("training:summary"))
    _get(client, reverse("training:summary") + "?fiscal_year=2022")
    csv = b"".join(_get(client, reverse("training:session_export_csv")).streaming_content).decode("utf-8-sig")
    assert "1867" in csv
    _get(client, reverse("training:session_export_xlsx"))


def test_home_case_list_and_meeting_pages(old_rows, iwakuni_staff, official, viewer, client_for):
    for user in (iwakuni_staff, official, viewer):
        _get(client_for(user), reverse("home"))
    client = client_for(iwakuni_staff)
    page = _get(client, reverse("meetings:case_list")).content.decode()
    assert "1867年1月" in page
    _get(client, reverse("meetings:case_detail", args=[old_rows["case"].pk]))
    _get(client, reverse("meetings:index"))
    detail = _get(client, reverse("meetings:detail", args=[old_rows["meeting"].pk])).content.decode()
    assert "1867年1月1日" in detail and "1年1月1日" in detail
    _get(client, reverse("meetings:history", args=[old_rows["meeting"].pk]))
    _get(client, reverse("meetings:export", args=["csv"]))
    _get(client, reverse("meetings:export", args=["xlsx"]))


def test_the_sheet_page_and_the_region_sheet_pdf(old_rows, iwakuni_staff, official, client_for):
    _get(client_for(official), reverse("sheets:detail", args=[2022]))
    response = _get(client_for(iwakuni_staff), reverse("sheets:region_pdf", args=[2022, "3501"]))
    assert response["Content-Type"] == "application/pdf"


def test_the_dashboard(old_rows, iwakuni_staff, client_for):
    _get(client_for(iwakuni_staff), reverse("dashboard:index") + "?fiscal_year=2022")
