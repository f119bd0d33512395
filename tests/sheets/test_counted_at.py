"""Counts computed from records (meetings, cases, training, actions) say when they were computed:
approving a data set never locks those records (issue #17). And the region sheet marks its figures
whose data set is not approved.

`timezone.now()` is fixed per module under test (the reading module's own reference), so a page
or PDF made at 10:00 says 10:00 and one made from the cache keeps the time of its counts.
"""

import subprocess
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from indicators.models import DataSet, DataSetScope, Indicator
from indicators.services import observation_record
from sheets import pdf as sheet_pdf
from sheets import reading, regional
from tests.factories import region
from tests.meetings.factories import MeetingFactory
from tests.training.factories import PeerSupportProgrammeFactory

pytestmark = pytest.mark.django_db

AT_TEN = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 10:00 in Asia/Tokyo
AT_ELEVEN = datetime(2026, 12, 1, 2, 30, tzinfo=UTC)  # 11:30
COUNTED_AT_TEN = "令和8年12月1日 10:00 時点の記録から集計"
COUNTED_AT_ELEVEN = "令和8年12月1日 11:30 時点の記録から集計"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def clock_at(monkeypatch, module, moment):
    """`module.timezone.now()` returns `moment` (the rest of Django keeps the real clock)."""
    monkeypatch.setattr(module, "timezone", SimpleNamespace(now=lambda: moment, localdate=timezone.localdate))


def pdftotext(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def flat(text: str) -> str:
    return "".join(line.strip() for line in text.splitlines())


# --- the status sheet ---------------------------------------------------------------------------


def test_the_sheet_page_says_when_the_meeting_counts_were_read(loaded, viewer, client_for, monkeypatch):
    clock_at(monkeypatch, reading, AT_TEN)

    html = client_for(viewer).get("/sheets/2022/").content.decode()

    line = html[html.index('data-testid="counted-at"') :]
    line = line[: line.index("</p>")]
    assert "※" + COUNTED_AT_TEN in line
    assert "会議の記録は承認の対象ではなく" in line


def test_the_pdf_keeps_the_time_of_its_counts_when_served_from_the_cache(
    loaded, viewer, official, client_for, monkeypatch, tmp_path
):
    """Same counts, same content hash: the cached PDF (counted at 10:00) is served at 11:30, and is
    still true. A new meeting changes the count, so the 11:30 PDF is made and says 11:30."""
    client = client_for(viewer)
    clock_at(monkeypatch, reading, AT_TEN)
    first = client.get("/sheets/2022.pdf").content
    assert COUNTED_AT_TEN in flat(pdftotext(first, tmp_path))

    clock_at(monkeypatch, reading, AT_ELEVEN)
    assert client.get("/sheets/2022.pdf").content == first
    MeetingFactory()  # a held 圏域連絡調整会議 of 岩国 in 令和4年度: 当事者の参加 0／1回
    third = flat(pdftotext(client.get("/sheets/2022.pdf").content, tmp_path))
    assert COUNTED_AT_ELEVEN in third and "0／1回" in third


def test_the_content_hash_leaves_the_counting_time_out(loaded, monkeypatch):
    clock_at(monkeypatch, reading, AT_TEN)
    at_ten = sheet_pdf.sheet_draft_hash(loaded)
    clock_at(monkeypatch, reading, AT_ELEVEN)
    assert sheet_pdf.sheet_draft_hash(loaded) == at_ten


# --- the region sheet ---------------------------------------------------------------------------


@pytest.fixture
def iwakuni_figures(loaded, official):
    """Two of 岩国's values (令和3年度 approved, 令和4年度 not) and its peer-support figures of 令和4年度."""
    iwakuni = region("3501")
    for code, period, value in (
        ("inpatients_1y_plus", "R3年6月", "412"),
        ("inpatients_total", "R4年6月", "655"),
    ):
        observation_record(
            by=official,
            indicator=Indicator.objects.get(code=code),
            prefecture=loaded.prefecture,
            region=iwakuni,
            period_text=period,
            value=Decimal(value),
            provenance="630調査（圏域別）",
        )
    DataSet.objects.create(
        prefecture=loaded.prefecture,
        scope=DataSetScope.REGION,
        region=iwakuni,
        fiscal_year=2021,
        state=DataSet.State.APPROVED,
    )
    PeerSupportProgrammeFactory(region=iwakuni, fiscal_year=2022)
    return iwakuni


def test_the_region_sheet_says_when_it_counted_and_marks_unapproved_figures(
    iwakuni_figures, viewer, client_for, monkeypatch, tmp_path
):
    clock_at(monkeypatch, regional, AT_TEN)
    MeetingFactory(region=iwakuni_figures, title="岩国 第1回 圏域連絡調整会議")

    response = client_for(viewer).get("/sheets/2022/regions/3501.pdf")

    assert response.status_code == 200
    text = pdftotext(response.content, tmp_path)
    assert "会議・事例検討・研修・対応事項の回数と件数は、" + COUNTED_AT_TEN in flat(text)
    lines = text.splitlines()
    # the rows of section 7 (the chart below it labels its points too)
    approved = [line for line in lines if "412人" in line and "630調査" in line]
    unapproved = [line for line in lines if "655人" in line and "630調査" in line]
    assert len(approved) == 1 and "※未承認" not in approved[0]
    assert len(unapproved) == 1 and "※未承認" in unapproved[0]
    assert "※未承認" in next(line for line in lines if "ピアサポーター活用事業" in line)
    assert "この圏域の令和4年度のデータセットは県の承認を受けていません" in flat(text)


def test_an_approved_region_data_set_leaves_its_figures_unmarked(iwakuni_figures, viewer):
    DataSet.objects.create(
        prefecture=iwakuni_figures.prefecture,
        scope=DataSetScope.REGION,
        region=iwakuni_figures,
        fiscal_year=2022,
        state=DataSet.State.APPROVED,
    )

    sheet = regional.region_sheet_for(region=iwakuni_figures, fiscal_year=2022, user=viewer)

    assert {line.value_text: line.unapproved for line in sheet.indicators} == {"412人": False, "655人": False}
    assert sheet.peer_support_unapproved is False
    assert sheet.indicators_unapproved is False


def test_a_submitted_region_data_set_is_still_unapproved(iwakuni_figures, viewer):
    DataSet.objects.create(
        prefecture=iwakuni_figures.prefecture,
        scope=DataSetScope.REGION,
        region=iwakuni_figures,
        fiscal_year=2022,
        state=DataSet.State.SUBMITTED,
    )
    DataSet.objects.create(
        prefecture=iwakuni_figures.prefecture,
        scope=DataSetScope.PREFECTURE,
        fiscal_year=2022,
        state=DataSet.State.APPROVED,
    )
    # the prefecture's own set of the 年度, approved, approves none of the region's figures
    sheet = regional.region_sheet_for(region=iwakuni_figures, fiscal_year=2022, user=viewer)

    assert {line.value_text: line.unapproved for line in sheet.indicators} == {"412人": False, "655人": True}
    assert sheet.peer_support_unapproved is True
