"""「次の会議の議題にする」 on the dashboard (issue #15, item 2): on the status table of a region and on the
region × indicator matrix, for an indicator behind or close to its target, to a user who may edit that
region — and 「提案済み」 instead once proposed, right after the proposal although the sections around
them are cached (dashboard.proposals)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from indicators.models import Indicator, Plan
from meetings.models import AgendaItem, MeetingStatus
from tests.factories import region
from tests.indicators.helpers import fill_prefecture_seventh_plan
from tests.meetings.factories import MeetingFactory, region_value
from tests.otp import mark_otp_checked

URL = "/indicators/"
BUTTON = re.compile(r'<button type="submit" form="([\w-]+)"[^>]*data-testid="propose"')
FORM = re.compile(
    r'<form id="([\w-]+)" method="post" action="/meetings/proposals/new/" hidden>(.*?)</form>', re.S
)


@pytest.fixture
def data(sheet):
    """岩国 and 萩 behind the prefecture's 56.0% on the 3-month discharge rate, 岩国 above 74.0% on the
    6-month rate (met); the 年度 before as well, for the earlier year's view. Judged today against the
    prefecture's plan in force (its 第7期 plan, filled in)."""
    fill_prefecture_seventh_plan()
    for code, value in (("3501", "40.0"), ("3508", "45.0")):
        for year in (2021, 2024):
            region_value("discharge_rate_3m", region(code), Decimal(value), fiscal_year=year)
    region_value("discharge_rate_6m", region("3501"), Decimal("90.0"))
    return {
        "rate_3m": Indicator.objects.get(code="discharge_rate_3m").pk,
        "rate_6m": Indicator.objects.get(code="discharge_rate_6m").pk,
        "iwakuni": region("3501").pk,
        "hagi": region("3508").pk,
    }


def _section(html: str, start: str, end: str) -> str:
    return html[html.index(start) : html.index(end, html.index(start))]


def _status(html: str) -> str:
    return _section(html, 'id="status"', "</section>")


def _matrix(html: str) -> str:
    return _section(html, 'data-testid="matrix"', "</table>")


def _forms(html: str) -> dict[str, dict[str, str]]:
    """The proposal forms of the page, by id: their hidden fields."""
    return {
        form_id: dict(re.findall(r'name="(\w+)" value="([^"]*)"', body))
        for form_id, body in FORM.findall(html)
    }


def _buttons(html: str, part: str | None = None) -> set[tuple[int, int]]:
    """(indicator id, region id) of each proposal button in `part` of the page (all of it by default),
    read from the form the button submits."""
    forms = _forms(html)
    found = set()
    for form_id in BUTTON.findall(html if part is None else part):
        fields = forms[form_id]
        found.add((int(fields["indicator"]), int(fields["region"])))
    return found


def _get(client, params=None) -> str:
    response = client.get(URL, params or {})
    assert response.status_code == 200
    return response.content.decode()


def test_staff_see_the_button_for_their_regions_indicators_behind_target(client_for, iwakuni_staff, data):
    html = _get(client_for(iwakuni_staff))  # staff land on their own region

    mine = (data["rate_3m"], data["iwakuni"])
    assert _buttons(html, _status(html)) == {mine}
    assert _buttons(html, _matrix(html)) == {mine}  # 萩 is behind too, but not theirs; 6 months is met
    [form] = _forms(html).values()  # one form for the pair, submitted by the buttons of both tables
    assert form["next"] == "/indicators/"
    assert form["csrfmiddlewaretoken"]
    assert "次の会議の議題にする" in _status(html)
    assert '<th scope="col" class="agenda-col no-print">議題</th>' in _status(html)


def test_another_regions_staff_see_no_button_for_it(client_for, hagi_staff, data):
    html = _get(client_for(hagi_staff), {"region": "3501"})

    assert _buttons(html, _status(html)) == set()
    assert "agenda-col" not in _status(html)
    assert _buttons(html, _matrix(html)) == {(data["rate_3m"], data["hagi"])}


def test_viewers_see_no_button(client_for, viewer, data):
    html = _get(client_for(viewer), {"region": "3501"})

    assert _buttons(html) == set()
    assert "提案済み" not in html and "議題の提案は" not in html


def test_officials_see_the_buttons_of_every_region(client_for, official, data):
    html = _get(client_for(official), {"region": "3508"})

    assert _buttons(html, _status(html)) == {(data["rate_3m"], data["hagi"])}
    assert _buttons(html, _matrix(html)) == {
        (data["rate_3m"], data["iwakuni"]),
        (data["rate_3m"], data["hagi"]),
    }
    assert _buttons(_get(client_for(official))) == _buttons(
        html, _matrix(html)
    )  # prefecture-wide: matrix only


def test_after_a_proposal_the_cell_says_proposed_for_everyone_at_once(
    client_for, iwakuni_staff, official, data
):
    staff = client_for(iwakuni_staff)
    before = _get(staff)  # the cached sections are filled
    assert _buttons(before) == {(data["rate_3m"], data["iwakuni"])}

    staff.post(
        "/meetings/proposals/new/",
        {"indicator": data["rate_3m"], "region": data["iwakuni"], "next": "/indicators/"},
    )

    after = _get(staff)
    assert _buttons(after) == set() and _forms(after) == {}
    assert _status(after).count("提案済み（会議の計画待ち）") == 1
    assert _matrix(after).count("提案済み（会議の計画待ち）") == 1
    assert 'href="/meetings/proposals/"' in _status(after)
    official_page = _get(client_for(official))
    assert _buttons(official_page) == {(data["rate_3m"], data["hagi"])}
    assert _matrix(official_page).count("提案済み（会議の計画待ち）") == 1

    # withdrawn, the button is back
    item = AgendaItem.objects.get()
    staff = client_for(iwakuni_staff)
    staff.post(f"/meetings/proposals/{item.pk}/withdraw/")
    assert _buttons(_get(staff)) == {(data["rate_3m"], data["iwakuni"])}


def test_a_proposal_on_a_planned_meeting_shows_its_date(client_for, iwakuni_staff, data):
    day = timezone.localdate() + timedelta(days=21)
    meeting = MeetingFactory(status=MeetingStatus.PLANNED, date=day, agenda="")
    client = client_for(iwakuni_staff)
    _get(client)

    client.post("/meetings/proposals/new/", {"indicator": data["rate_3m"], "region": data["iwakuni"]})

    html = _get(client)
    assert f'<a href="/meetings/{meeting.pk}/">提案済み（{day.month}月{day.day}日の会議）</a>' in _status(
        html
    )
    assert _buttons(html) == set() and _forms(html) == {}


@pytest.mark.parametrize("params", [{"fiscal_year": "2022"}, {"basis": "other"}])
def test_other_years_and_bases_than_the_proposals_show_no_button(client_for, iwakuni_staff, data, params):
    if params.get("basis"):
        params = {"basis": str(Plan.objects.get(name="障害福祉サービス等の基本指針（第7期障害福祉計画）").pk)}
    html = _get(client_for(iwakuni_staff), {"region": "3501", **params})

    assert "遅れ" in _status(html)  # what the table shows there …
    assert (
        _buttons(html) == set()
    )  # … is not what a proposal is judged against (this 年度, the default basis)
    assert "議題の提案は、今年度の表示で評価の基準が自動（その年度の計画）のときにできます。" in html


def test_the_cached_tables_never_carry_one_users_buttons_to_another(
    client_for, official, iwakuni_staff, hagi_staff, viewer, data
):
    expected = [
        (official, {(data["rate_3m"], data["iwakuni"]), (data["rate_3m"], data["hagi"])}),
        (viewer, set()),
        (hagi_staff, {(data["rate_3m"], data["hagi"])}),
        (iwakuni_staff, {(data["rate_3m"], data["iwakuni"])}),
        (official, {(data["rate_3m"], data["iwakuni"]), (data["rate_3m"], data["hagi"])}),
    ]
    for user, buttons in expected:  # the same page, one reader after another, from the same cache
        html = _get(client_for(user), {"region": "3501"})
        assert _buttons(html) == buttons, user.username
        assert {(int(f["indicator"]), int(f["region"])) for f in _forms(html).values()} == buttons


def test_the_forms_carry_the_readers_own_csrf_token(client_for, official, iwakuni_staff, data):
    _get(client_for(official), {"region": "3501"})  # the tables are cached with an official's marks
    client = Client(enforce_csrf_checks=True)  # as a browser: the token must match the reader's cookie
    client.force_login(iwakuni_staff)
    mark_otp_checked(client, iwakuni_staff)
    html = _get(client, {"region": "3501"})
    [form] = _forms(html).values()

    response = client.post("/meetings/proposals/new/", form)

    assert response.status_code == 302
    assert AgendaItem.objects.get().proposed_by == iwakuni_staff
