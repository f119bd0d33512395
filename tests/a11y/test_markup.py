"""Accessibility fixes of issue #19 checked on the server's HTML (fast; the axe walk checks them in Chromium):
the menu says which item is the page shown (aria-current), and no table header is empty."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import pytest
from django.core.management import call_command

from tests.meetings.factories import MeetingFactory
from tests.training.factories import PeerSupportProgrammeFactory

pytestmark = pytest.mark.django_db


class _Links(HTMLParser):
    """Every <a> of the page with its attributes and text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[dict] = []
        self._current: dict | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._current = {**{k: v or "" for k, v in attrs}, "text": ""}
            self.links.append(self._current)

    def handle_endtag(self, tag):
        if tag == "a":
            self._current = None

    def handle_data(self, data):
        if self._current is not None:
            self._current["text"] += data


def current_links(html: str) -> dict[str, str]:
    """Text → aria-current of the header's links that carry one."""
    header = html[html.index("<header") : html.index("</header>")]
    parser = _Links()
    parser.feed(header)
    return {link["text"].strip(): link["aria-current"] for link in parser.links if "aria-current" in link}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", {"ダッシュボード": "page"}),
        ("/meetings/", {"会議": "page"}),
        ("/training/peer-support/", {"研修": "true"}),
        ("/indicators/", {"指標": "page"}),
        ("/indicators/definitions/", {"指標": "true"}),
        ("/indicators/datasets/", {"提出・承認": "page"}),  # not 指標 too, though its path starts so
        ("/indicators/datasets/3501/2022/", {"提出・承認": "true"}),
        ("/pdca/regions/3501/", {"取組状況": "true"}),
        ("/regions/", {"圏域": "page"}),
        ("/sheets/", {"共有シート": "page"}),
        ("/audit/", {"監査ログ": "page"}),  # the 設定 menu's items
        ("/accounts/password/", {"パスワード変更": "page"}),
        ("/reminders/settings/", {"お知らせの設定": "page"}),
    ],
)
def test_the_menu_marks_the_current_item_only(client_for, official, path, expected):
    response = client_for(official).get(path)
    assert response.status_code == 200
    assert current_links(response.content.decode()) == expected


def test_a_meeting_page_is_in_the_meetings_section(client_for, iwakuni_staff):
    meeting = MeetingFactory()
    html = client_for(iwakuni_staff).get(f"/meetings/{meeting.pk}/").content.decode()
    assert current_links(html) == {"会議": "true"}
    assert '<a class="nav-link active" href="/meetings/" aria-current="true">会議</a>' in html


def test_a_missing_record_stays_in_its_section_and_an_unknown_address_marks_nothing(client_for, viewer):
    client = client_for(viewer)
    response = client.get("/meetings/999999/")
    assert response.status_code == 404
    assert current_links(response.content.decode()) == {"会議": "true"}
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert current_links(response.content.decode()) == {}


class _Headers(HTMLParser):
    """The text of every <th>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.headers: list[str] = []
        self._open = False

    def handle_starttag(self, tag, attrs):
        if tag == "th":
            self.headers.append("")
            self._open = True

    def handle_endtag(self, tag):
        if tag == "th":
            self._open = False

    def handle_data(self, data):
        if self._open:
            self.headers[-1] += data


def table_headers(html: str) -> list[str]:
    parser = _Headers()
    parser.feed(html)
    return parser.headers


def test_the_peer_support_list_has_no_empty_header(client_for, iwakuni_staff):
    PeerSupportProgrammeFactory(fiscal_year=2022)
    response = client_for(iwakuni_staff).get("/training/peer-support/?fiscal_year=2022")
    headers = table_headers(response.content.decode())
    assert "操作" in headers
    assert [h for h in headers if not h.strip()] == []


def test_the_sheet_has_no_empty_header(client_for, viewer):
    call_command("load_sheet", stdout=io.StringIO())
    response = client_for(viewer).get("/sheets/2022/")
    headers = table_headers(response.content.decode())
    assert "区分" in headers  # the row labels of the breakdowns
    assert [h for h in headers if not h.strip()] == []
