"""The PDCA pages as people see them: /pdca/ (all regions side by side) and /pdca/regions/<code>/."""

from __future__ import annotations

import re

import pytest

from core.fiscal import wareki_date
from regions.models import Prefecture, Region
from tests.pdca.factories import scenario


@pytest.fixture
def world(official):
    return scenario(official)


def row_of(html: str, code: str) -> str:
    match = re.search(rf'<tr data-region="{code}".*?</tr>', html, re.S)
    assert match, code
    return match.group(0)


def cell(row: str, column: str) -> str:
    return re.search(rf'data-col="{column}">(.*?)</td>', row, re.S).group(1)


def test_it_shows_the_region_chain(client_for, iwakuni_staff, world):
    world.newer_value()
    response = client_for(iwakuni_staff).get("/pdca/regions/3501/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>岩国圏域の取組状況" in html
    assert 'href="/indicators/?region=3501"' in html
    assert "48.6％ → 53.0％（4.4ポイント改善）" in html
    first_meeting = world.a.agenda_items.get().meeting
    assert wareki_date(first_meeting.date) in html and "令和" in html
    assert f'href="/meetings/{first_meeting.pk}/"' in html
    assert "退院支援の状況を共有した" in html
    assert "ピアサポーターの派遣を調整する" in html and "期限超過" in html
    assert "開催日時点の記録" in html
    assert html.count('class="x-mark"') == 1 + 3  # A's meeting, B's three
    assert "提案済み（会議の計画待ち）" in html


def test_the_not_on_agenda_section_lists_what_no_meeting_took_up(client_for, viewer, world):
    html = client_for(viewer).get("/pdca/regions/3501/").content.decode()
    section = re.search(r'id="not-on-agenda".*?</section>', html, re.S).group(0)
    assert "議題になっていない遅れ" in section
    assert re.findall(r'<tr data-indicator="(\w+)">', section) == ["pdca_a", "pdca_d"]
    assert "提案済み（会議の計画待ち）" in section
    assert "年度以降に開催した会議" in section


def test_a_region_without_data_says_so(client_for, viewer, world):
    html = client_for(viewer).get("/pdca/regions/3502/").content.decode()
    assert "この圏域の会議で議題にした指標はまだありません。" in html
    assert "議題になっていない遅れはありません。" in html


def test_an_unknown_region_is_not_found(client_for, viewer, reference_data):
    other = Prefecture.objects.create(code="131008", name="東京都")
    Region.objects.create(prefecture=other, code="1301", name="区中央部")
    client = client_for(viewer)
    assert client.get("/pdca/regions/9999/").status_code == 404
    assert client.get("/pdca/regions/1301/").status_code == 404  # not this portal's prefecture


def test_the_index_sets_regions_side_by_side(client_for, official, world):
    world.newer_value()
    html = client_for(official).get("/pdca/").content.decode()
    own = row_of(html, "3501")
    assert [cell(own, c) for c in ("not_met", "discussed", "acted_on", "improved")] == ["3", "1", "1", "1"]
    assert 'href="/pdca/regions/3501/#not-on-agenda">2</a>' in own
    total = row_of(html, "total")
    assert "県計" in total and cell(total, "not_met") == "4" and cell(total, "not_on_agenda") == "3"
    assert "table-primary" not in html and "自分の圏域" not in html


def test_staff_see_their_own_region_first_and_highlighted(client_for, iwakuni_staff, world):
    html = client_for(iwakuni_staff).get("/pdca/").content.decode()
    link = html.index('data-testid="own-region"')
    assert link < html.index('data-testid="side-by-side"')
    assert "自分の圏域：岩国圏域の取組状況を見る" in html
    assert 'class="table-primary"' in row_of(html, "3501")
    assert "table-primary" not in row_of(html, "3508")


def test_the_navigation_links_to_the_pages(client_for, viewer, reference_data):
    html = client_for(viewer).get("/pdca/").content.decode()
    assert re.search(r'<a class="nav-link active" href="/pdca/" aria-current="page">取組状況</a>', html)


def test_anonymous_is_sent_to_sign_in(client, reference_data):
    for url in ("/pdca/", "/pdca/regions/3501/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
