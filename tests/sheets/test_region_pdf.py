"""Region sheets: one region's meetings, cases, training, open actions and indicators — and nothing else."""

from datetime import date
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.utils import timezone

from indicators.models import Indicator
from indicators.services import observation_record
from meetings.models import ActionStatus, CaseStatus
from regions.models import Region
from tests.meetings.factories import (
    ActionItemFactory,
    CaseFollowUpFactory,
    CaseReviewFactory,
    MeetingFactory,
    ParticipationFactory,
)
from tests.pdfutils import embedded_font_names, page_texts, pdf_text
from tests.training.factories import PeerSupportProgrammeFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(loaded, official):
    """Records of 岩国 (3501), of 萩 (3508) and of 岩国's previous year."""
    iwakuni, hagi = Region.objects.get(code="3501"), Region.objects.get(code="3508")
    meeting = MeetingFactory(
        title="岩国 第2回 圏域連絡調整会議", decisions="退院意欲の喚起を相談支援事業所と進める"
    )
    ParticipationFactory(meeting=meeting, category="hospital", count=6)
    ActionItemFactory(meeting=meeting, description="岩国 グループホームの空き状況を確認する")
    ActionItemFactory(
        meeting=meeting,
        description="岩国 既に済んだ対応",
        status=ActionStatus.DONE,
        completed_on=date(2022, 11, 1),
    )
    CaseFollowUpFactory(case__meeting__region=iwakuni, case__meeting__title="岩国 事例検討会")
    CaseReviewFactory(
        meeting__region=iwakuni, meeting__title="岩国 事例検討会 第2回", status=CaseStatus.REVIEWING
    )
    TrainingSessionFactory(title="岩国 地域移行研修", attendees={"hospital_nurse": 4})
    PeerSupportProgrammeFactory(region=iwakuni)
    MeetingFactory(title="岩国 前年度の会議", date=date(2021, 10, 5))

    hagi_meeting = MeetingFactory(
        title="萩 圏域連絡調整会議", region=hagi, organiser_centre=hagi.health_centres.first()
    )
    ActionItemFactory(meeting=hagi_meeting, description="萩 退院支援委員会に参加する")
    CaseReviewFactory(
        meeting__region=hagi,
        meeting__organiser_centre=hagi.health_centres.first(),
        meeting__title="萩 事例検討会",
    )
    TrainingSessionFactory(title="萩 地域移行研修", region=hagi)
    observation_record(
        by=official,
        indicator=Indicator.objects.get(code="inpatients_1y_plus"),
        prefecture=loaded.prefecture,
        region=iwakuni,
        period_text="R3年6月",
        value=Decimal("412"),
        provenance="630調査（圏域別）",
    )
    observation_record(
        by=official,
        indicator=Indicator.objects.get(code="inpatients_1y_plus"),
        prefecture=loaded.prefecture,
        region=hagi,
        period_text="R3年6月",
        value=Decimal("298"),
        provenance="630調査（圏域別）",
    )
    return iwakuni


def region_text(client, code="3501"):
    response = client.get(f"/sheets/2022/regions/{code}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response, pdf_text(response.content).replace("\n", "")


def test_a_region_sheet_holds_only_that_regions_records(records, iwakuni_staff, client_for):
    response, text = region_text(client_for(iwakuni_staff))

    assert "岩国圏域" in text
    for own in (
        "岩国 第2回 圏域連絡調整会議",
        "退院意欲の喚起を相談支援事業所と進める",
        "岩国 グループホームの空き状況を確認する",
        "岩国 地域移行研修",
        "養成 6 人",
        "412人",
        "630調査（圏域別）",
    ):
        assert own in text, own
    for other in ("萩 ", "298人", "岩国 既に済んだ対応", "岩国 前年度の会議"):
        assert other not in text, other
    stamp = timezone.localdate().strftime("%Y%m%d")
    assert quote(f"圏域シート_岩国圏域_令和4年度_{stamp}.pdf") in response["Content-Disposition"]


def test_the_region_sheet_counts_cases_and_shows_details_to_the_regions_staff(
    records, iwakuni_staff, client_for
):
    _, text = region_text(client_for(iwakuni_staff))
    # Two cases: a small count, 「＊」 in a PDF whoever asks (indicators.small_counts), with the legend.
    assert "事例 ＊ 件：" in text and "事例 2 件" not in text
    assert "10人未満のため秘匿" in text
    assert "岩国-R4-" in text  # case numbers
    assert "住まい、家族" in text  # barriers
    assert "退院後6か月: 地域生活継続" in text  # the follow-up


@pytest.mark.parametrize("persona", ["hagi_staff", "viewer"])
def test_other_users_see_case_counts_but_no_case_details(records, persona, request, client_for):
    _, text = region_text(client_for(request.getfixturevalue(persona)))
    assert "事例 ＊ 件：" in text  # the count, small: hidden as for everyone
    assert "岩国-R4-" not in text and "岩国-2022-" not in text
    assert "住まい、家族" not in text
    assert "件数のみを示します" in text


def test_a_region_without_records_says_so(loaded, viewer, client_for):
    response, text = region_text(client_for(viewer), "3505")
    assert "この年度の会議の記録はありません。" in text
    assert "この年度の事例検討の記録はありません。" in text
    assert "この年度の研修の記録はありません。" in text
    assert "未完了の対応事項はありません。" in text
    assert "この圏域の指標のデータはまだありません" in text
    pages = page_texts(response.content)
    assert all("山口県" in page and f"{n} / {len(pages)}" in page for n, page in enumerate(pages, start=1))
    assert "IPAexGothic" in embedded_font_names(response.content)


def test_an_unknown_region_is_404(loaded, viewer, client_for):
    assert client_for(viewer).get("/sheets/2022/regions/9999.pdf").status_code == 404
