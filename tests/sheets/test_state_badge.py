"""An edition shows one state: 「案（未公開）」 until published, then 「公開済み（第N版）」 — never
「公開済み」 beside a 「案」 badge."""

import re
from types import SimpleNamespace

import pytest

from sheets.reading import publication_state

pytestmark = pytest.mark.django_db


def badges(html: str) -> list[str]:
    return re.findall(r'<span class="(?:badge [^"]*|sheet-draft-mark)"[^>]*>([^<]*)</span>', html)


def test_the_state_comes_from_the_published_editions():
    assert publication_state([]).label == "案（未公開）"
    assert not publication_state([]).published
    state = publication_state([SimpleNamespace(number=1), SimpleNamespace(number=2)])
    assert (state.label, state.published, state.latest_number) == ("公開済み（第2版）", True, 2)


def test_the_sheet_page_and_list_show_one_state(
    loaded, official, client_for, settings, tmp_path, monkeypatch
):
    from sheets import pdf as sheet_pdf

    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(sheet_pdf, "render_pdf", lambda html: b"%PDF-1.7 stand-in")
    client = client_for(official)
    page = client.get("/sheets/2022/").content.decode()
    nav = page[: page.index("</nav>", page.index('aria-label="シートの操作"'))]
    assert badges(nav[nav.index('aria-label="シートの操作"') :]) == ["案（未公開）"]
    assert "案（未公開）" in client.get("/sheets/").content.decode()

    data = {"note": "国への提出版", "confirm_unapproved": "on", "confirmed": "yes"}
    assert client.post("/sheets/2022/publish/", data).status_code == 302

    page = client.get("/sheets/2022/").content.decode()
    nav = page[
        page.index('aria-label="シートの操作"') : page.index(
            "</nav>", page.index('aria-label="シートの操作"')
        )
    ]
    assert badges(nav) == ["公開済み（第1版）"]  # one badge; no 「案」 beside it
    assert "この画面は第1版の公開後も更新される最新データです" in page
    listing = client.get("/sheets/").content.decode()
    assert "公開済み（第1版）" in listing and "案（未公開）" not in listing
