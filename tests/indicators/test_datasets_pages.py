"""提出・承認の状況 (issue #17): the completeness page computed from stored rows (figures, states, on
time or late against the 年度's due date) with its query count pinned, a set's page with the steps
each persona is offered, the steps and the due date posted through the views, and staff entering
their own regions' values. The state machine itself is in test_datasets.py."""

import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import fiscal
from dashboard import datasets as reading
from indicators.models import DataSet, Indicator, Observation, SubmissionDeadline
from indicators.services import datasets as steps
from indicators.services import venue_statuses_save
from regions.models import Municipality, Prefecture, Region
from tests.factories import DataSetFactory, Role, data_set_key, make_user
from tests.indicators.helpers import observe
from tests.otp import mark_otp_checked, mark_otp_verified
from tests.training.factories import PeerSupportProgrammeFactory

pytestmark = pytest.mark.usefixtures("sheet")
URL = "/indicators/datasets/"
State = DataSet.State


@pytest.fixture
def pref():
    return Prefecture.objects.get(code="350001")


def _at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def cell(html: str, code: str, year: int) -> str:
    """The text of one cell of the completeness table, tags removed."""
    match = re.search(rf'data-testid="cell-{code}-{year}">(.*?)</td>', html, re.S)
    assert match, f"no cell {code} {year}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


# --- the completeness page ------------------------------------------------------------------------


def test_completeness_is_computed_from_the_stored_rows(client_for, official, iwakuni_staff, pref):
    observe("discharge_rate_3m", "3501", 50, fiscal_year=2022)
    observe("discharge_rate_6m", "3501", 70, fiscal_year=2022)
    observe("discharge_rate_6m", "3501", 69, fiscal_year=2021)
    PeerSupportProgrammeFactory(region=Region.objects.get(code="3501"), fiscal_year=2022)
    PeerSupportProgrammeFactory(region=Region.objects.get(code="3503"), fiscal_year=2022)
    venue = Indicator.objects.get(code="consultation_venue")
    towns = list(Municipality.objects.order_by("code")[:3])
    venue_statuses_save(
        by=official,
        prefecture=pref,
        indicator=venue,
        period_text="R4年4月",
        statuses=dict.fromkeys(towns, True),
    )
    prefecture_level_2022 = Observation.objects.filter(area_key="pref:350001", fiscal_year=2022).count()
    assert prefecture_level_2022 > 0  # the R4 sheet's part 1 figures

    SubmissionDeadline.objects.create(prefecture=pref, fiscal_year=2022, due_date=date(2023, 5, 31))
    steps.data_set_submit(by=iwakuni_staff, key=data_set_key("3501", 2022))
    DataSet.objects.filter(region__code="3501").update(first_submitted_at=_at(date(2023, 5, 31), 23))
    DataSetFactory(
        region=Region.objects.get(code="3503"),
        state=State.APPROVED,
        first_submitted_at=_at(date(2023, 6, 1), 0),
        approved_by=official,
    )
    DataSetFactory(region=Region.objects.get(code="3504"), state=State.RETURNED, reason="x")

    html = client_for(official).get(URL, {"year_from": "2021", "year_to": "2022"}).content.decode()
    assert cell(html, "3501", 2022) == "提出済 3件 （ピアサポーター含む） 期限内に提出"
    assert cell(html, "3501", 2021) == "入力中 1件"
    assert cell(html, "3503", 2022) == "承認済 1件 （ピアサポーター含む） 期限後に提出"
    assert cell(html, "3504", 2022) == "差し戻し 値なし 未提出（期限超過）"
    assert cell(html, "3502", 2022) == "入力中 値なし 未提出（期限超過）"
    assert cell(html, "3502", 2021) == "入力中 値なし"  # no due date for 令和3年度
    assert cell(html, "municipalities", 2022) == "入力中 3件 未提出（期限超過）"
    assert cell(html, "prefecture", 2022) == f"入力中 {prefecture_level_2022}件 未提出（期限超過）"
    assert 'data-testid="deadline-2022">期限 令和5年5月31日' in html
    assert 'data-testid="deadline-2021">期限未設定' in html


def test_on_time_is_judged_by_the_first_submission_on_the_local_day():
    deadline = SubmissionDeadline(fiscal_year=2022, due_date=date(2023, 5, 31))
    today = date(2023, 7, 1)
    assert reading.timeliness(_at(date(2023, 5, 31), 23), deadline, today) == reading.ON_TIME
    assert reading.timeliness(_at(date(2023, 6, 1), 0), deadline, today) == reading.LATE
    assert reading.timeliness(None, deadline, date(2023, 5, 31)) == reading.PENDING  # the day itself: not yet
    assert reading.timeliness(None, deadline, date(2023, 6, 1)) == reading.OVERDUE
    assert (
        reading.timeliness(_at(date(2023, 6, 1)), None, today) == reading.PENDING
    )  # no due date: no judgement


def test_officials_see_every_area_staff_their_own_regions_and_viewers_nothing(
    client_for, official, iwakuni_staff, viewer, pref
):
    current = fiscal.fiscal_year_of(timezone.localdate())
    html = client_for(official).get(URL).content.decode()
    rows = re.findall(r'<th scope="row">(.*?)</th>', html)
    assert rows == [r.full_name for r in Region.objects.filter(prefecture=pref).order_by("display_order")] + [
        "山口県（県全体）",
        "山口県（市町村別）",
    ]
    assert f'data-testid="cell-3501-{current}"' in html and f'data-testid="cell-3501-{current - 2}"' in html
    assert f'data-testid="cell-3501-{current - 3}"' not in html  # three 年度 by default
    assert "提出期限の設定" in html
    html = client_for(iwakuni_staff).get(URL).content.decode()
    assert re.findall(r'<th scope="row">(.*?)</th>', html) == ["岩国圏域"]
    assert "提出期限の設定" not in html
    assert client_for(viewer).get(URL).status_code == 403


def test_a_range_it_cannot_use_is_reported_and_the_default_shown(client_for, official):
    current = fiscal.fiscal_year_of(timezone.localdate())
    client = client_for(official)
    html = client.get(URL, {"year_from": "2022", "year_to": "2021"}).content.decode()
    assert "「から」の年度が「まで」の年度より後になっています" in html
    assert f'data-testid="cell-3501-{current}"' in html
    html = client.get(URL, {"year_from": "2005", "year_to": "2020"}).content.decode()
    assert "一度に表示できるのは10年度分までです" in html
    html = client.get(URL, {"year_from": "2015"}).content.decode()  # one end: the default width from it
    assert 'data-testid="cell-3501-2017"' in html and 'data-testid="cell-3501-2018"' not in html


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, {"year_from": "2018", "year_to": "2022"}).status_code == 200
    return len(queries)


# Session, user, TOTP device, profile (4) and the session's save (3); the prefecture, regions, data
# sets, figure counts, peer-support programmes, due dates (6); the header's count of due items (3).
COMPLETENESS_QUERIES = 16


def test_the_completeness_page_takes_the_same_queries_whatever_the_data(client_for, official, pref):
    client = client_for(official)
    assert _queries(client) == COMPLETENESS_QUERIES
    for code in ["3501", "3502", "3503", "3504"]:
        for year in range(2018, 2023):
            observe("discharge_rate_3m", code, 50, fiscal_year=year)
            observe("discharge_rate_6m", code, 70, fiscal_year=year)
            PeerSupportProgrammeFactory(region=Region.objects.get(code=code), fiscal_year=year)
            DataSetFactory(region=Region.objects.get(code=code), fiscal_year=year, state=State.SUBMITTED)
    for year in range(2018, 2023):
        SubmissionDeadline.objects.create(prefecture=pref, fiscal_year=year, due_date=date(year + 1, 5, 31))
        DataSetFactory(scope="prefecture", region=None, fiscal_year=year, state=State.APPROVED)
    assert _queries(client) == COMPLETENESS_QUERIES


# --- a set's page ---------------------------------------------------------------------------------


def _buttons(html: str) -> list[str]:
    return re.findall(r'<button type="submit" class="btn btn-[\w-]+">(.*?)</button>', html)


def test_a_set_page_lists_its_figures_state_and_history(client_for, official, iwakuni_staff):
    observe("discharge_rate_3m", "3501", Decimal("48.6"), fiscal_year=2022)
    observe("discharge_rate_3m", "3502", Decimal("51.0"), fiscal_year=2022)  # another region's set
    PeerSupportProgrammeFactory(region=Region.objects.get(code="3501"), fiscal_year=2022, trained=7)
    steps.data_set_submit(by=iwakuni_staff, key=data_set_key("3501"), note="速報値です")
    steps.data_set_return(by=official, key=data_set_key("3501"), reason="出典を入れてください")
    html = client_for(iwakuni_staff).get(f"{URL}3501/2022/").content.decode()
    figures = re.search(r'data-testid="figures">(.*?)</table>', html, re.S).group(1)
    assert "入院後３か月時点の退院率" in figures and "令和4年度" in figures and "48.6" in figures
    assert "51.0" not in figures
    assert "養成・登録・活動中" in html and "7人" in html
    assert 'data-testid="state">差し戻し' in html
    assert "差し戻しの理由:</span> 出典を入れてください" in html
    history = re.search(r'data-testid="transitions">(.*?)</table>', html, re.S).group(1)
    assert "入力中 → 提出済" in history and "速報値です" in history
    assert "提出済 → 差し戻し" in history and "出典を入れてください" in history
    assert "記録から集計した数（承認の対象外）" in html and "に集計しました" in html
    assert _buttons(html) == ["提出する"]


@pytest.mark.parametrize(
    ("submitter", "viewer_name", "buttons"),
    [
        ("iwakuni_staff", "iwakuni_staff", ["提出を取り下げる"]),
        ("iwakuni_staff", "official", ["承認する", "差し戻す"]),
        ("official", "official", ["提出を取り下げる", "差し戻す"]),  # four eyes: not their own submission
        ("official", "official2", ["承認する", "差し戻す"]),
    ],
)
def test_the_steps_offered_follow_the_state_and_the_person(
    request, client_for, reference_data, submitter, viewer_name, buttons
):
    people = {
        "official": request.getfixturevalue("official"),
        "iwakuni_staff": request.getfixturevalue("iwakuni_staff"),
        "official2": make_user("official-2", Role.PREFECTURE),
    }
    steps.data_set_submit(by=people[submitter], key=data_set_key("3501"))
    html = client_for(people[viewer_name]).get(f"{URL}3501/2022/").content.decode()
    assert [b for b in _buttons(html) if b != "期限を保存する"] == buttons
    assert ("自分が提出したデータセットは承認できません" in html) == (submitter == viewer_name == "official")
    assert "提出したため、確認が終わるまで変更できません" in html


def test_an_approved_set_offers_officials_to_reopen_and_staff_nothing(client_for, official, iwakuni_staff):
    steps.data_set_submit(by=iwakuni_staff, key=data_set_key("3501"))
    steps.data_set_approve(by=official, key=data_set_key("3501"))
    html = client_for(official).get(f"{URL}3501/2022/").content.decode()
    assert [b for b in _buttons(html) if b != "期限を保存する"] == ["承認を取り消して再開する"]
    assert "officialさんが承認したため変更できません" in html
    html = client_for(iwakuni_staff).get(f"{URL}3501/2022/").content.decode()
    assert _buttons(html) == [] and "値を登録" not in html


# --- the steps and the due date through the views ---------------------------------------------------


def _client(user):
    """A client of its own (the `client_for` fixture signs one shared client in)."""
    client = Client()
    client.force_login(user)
    (mark_otp_verified if user.username.startswith("official") else mark_otp_checked)(client, user)
    return client


def test_the_steps_posted_from_the_page(official, iwakuni_staff):
    page = f"{URL}3501/2022/"
    staff = _client(iwakuni_staff)
    response = staff.post(
        f"{page}submit/", {"submit-version": "0", "submit-reason": "お願いします"}, follow=True
    )
    assert "提出しました" in response.content.decode()
    assert DataSet.objects.get().state == State.SUBMITTED

    officer = _client(official)
    response = officer.post(f"{page}return/", {"return-version": "1", "return-reason": ""}, follow=True)
    assert "差し戻しの理由を入力してください" in response.content.decode()
    assert DataSet.objects.get().state == State.SUBMITTED
    response = officer.post(f"{page}approve/", {"approve-version": "0"}, follow=True)  # a page loaded earlier
    assert "他の利用者が先にこのデータセットを操作したため" in response.content.decode()
    assert DataSet.objects.get().state == State.SUBMITTED
    response = officer.post(f"{page}return/", {"return-version": "1", "return-reason": "値がありません"})
    assert response.status_code == 302 and response.url == page
    assert DataSet.objects.get().state == State.RETURNED
    response = officer.post(f"{page}approve/", {"approve-version": "2"}, follow=True)
    assert "現在「差し戻し」のため、承認はできません" in response.content.decode()

    staff.post(f"{page}submit/", {"submit-version": "2"})
    assert staff.post(f"{page}approve/", {"approve-version": "3"}).status_code == 403
    officer.post(f"{page}submit/", {"submit-version": "0"})  # nothing: already submitted
    assert officer.post(f"{page}approve/", {"approve-version": "3"}).status_code == 302
    assert DataSet.objects.get().state == State.APPROVED
    assert officer.post(f"{URL}9999/2022/submit/", {}).status_code == 404


def test_an_official_sets_the_due_date(client_for, official, iwakuni_staff):
    client = client_for(official)
    data = {"deadline-fiscal_year": "2022", "deadline-due_date": "2023-05-31", "next": f"{URL}3501/2022/"}
    response = client.post(f"{URL}deadline/", data)
    assert response.status_code == 302 and response.url == f"{URL}3501/2022/"
    assert SubmissionDeadline.objects.get(fiscal_year=2022).due_date == date(2023, 5, 31)
    response = client.post(f"{URL}deadline/", {**data, "next": "https://example.com/"})
    assert response.url == URL  # only a page of this site
    response = client.post(f"{URL}deadline/", {**data, "deadline-due_date": "1999-01-01"}, follow=True)
    assert "提出期限は" in response.content.decode()
    assert SubmissionDeadline.objects.get(fiscal_year=2022).due_date == date(2023, 5, 31)
    assert client_for(iwakuni_staff).post(f"{URL}deadline/", data).status_code == 403


# --- staff entering their own regions' values ---------------------------------------------------------


def test_staff_are_offered_their_own_regions_only(client_for, iwakuni_staff, hagi_staff):
    client = client_for(iwakuni_staff)
    form = client.get("/indicators/values/new/").context["form"]
    assert list(form.fields["area"].choices) == [("3501", "岩国圏域")]
    rate = Indicator.objects.get(code="discharge_rate_3m")
    venue = Indicator.objects.get(code="consultation_venue")
    for area in ("3508", "350001", "352012"):
        response = client.post(
            "/indicators/values/new/", {"indicator": rate.pk, "area": area, "period": "R4年度", "value": "50"}
        )
        assert response.status_code == 200
    assert not Observation.objects.filter(created_by=iwakuni_staff).exists()
    response = client.post(
        "/indicators/values/new/", {"indicator": rate.pk, "area": "3501", "period": "R4年度", "value": "50"}
    )
    assert response.status_code == 302
    # the region's own 協議の場 status is one of its values
    response = client.post(
        "/indicators/values/new/", {"indicator": venue.pk, "area": "3501", "period": "R4年4月", "value": "1"}
    )
    assert response.status_code == 302
    assert set(
        Observation.objects.filter(created_by=iwakuni_staff).values_list("region__code", flat=True)
    ) == {"3501"}
    own = Observation.objects.filter(created_by=iwakuni_staff).first()
    assert client_for(hagi_staff).get(f"/indicators/values/{own.pk}/edit/").status_code == 403
    html = client_for(iwakuni_staff).get("/indicators/definitions/discharge_rate_3m/").content.decode()
    assert html.count('/edit/">編集</a>') == 1  # their own value only; not the prefecture's
