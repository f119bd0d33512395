"""The sheet as PDF: content and layout marks, fonts, published editions, failures, permissions, cache."""

import hashlib
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.utils import timezone

from core import pdf as core_pdf
from core.models import ChangeRecord
from indicators.models import Indicator
from indicators.services import observation_record
from sheets import pdf as sheet_pdf
from sheets.models import Edition, HistoryEntry, PublishedEdition
from tests.pdfutils import embedded_font_names, page_texts, pdf_text

pytestmark = pytest.mark.django_db

HEADINGS = [
    "１ 県又は政令市の基礎情報",
    "２ 精神障害にも対応した地域包括ケアシステムの構築に向けた取組概要（全体）",
    "３ 精神障害にも対応した地域包括ケアシステムの構築に向けた取組の経緯",
    "４ 精神障害にも対応した地域包括ケアシステム構築に資する取組の成果・効果",
    "５ 精神障害にも対応した地域包括ケアシステムの構築に向けた取組における強みと課題",
    "６ 精神障害にも対応した地域包括ケアシステムの構築に向けた今年度の取組スケジュール",
]
KEY_FIGURES = ["1,315,949", "5,839", "48.6", "3,496", "56", "69.6", "78.7", "2,855", "3,906", "12 ／ 19"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def flat(text: str) -> str:
    """PDF text without line breaks: long headings wrap inside table cells and boxes."""
    return text.replace("\n", "")


def publish(client, note="国への提出版"):
    """Publish, confirming the unapproved figures (no data set of the loaded sheet is approved), from
    the confirmation page (its `confirmed` field)."""
    return client.post(
        "/sheets/2022/publish/", {"note": note, "confirm_unapproved": "on", "confirmed": "yes"}
    )


def test_the_sheet_pdf_holds_the_seeds_figures_and_six_headings_in_order(loaded, viewer, client_for):
    response = client_for(viewer).get("/sheets/2022.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    text = flat(pdf_text(pdf))
    for figure in KEY_FIGURES:
        assert figure in text, figure
    positions = [text.index(heading) for heading in HEADINGS]
    assert positions == sorted(positions)
    assert "地域包括ケアシステム構築に向けた精神障害者の地域移行の取組" in text  # the cover
    assert "課題・方針に対する役割（取組）" in text and "その他関係機関・住民等" in text


def test_every_page_names_the_prefecture_its_number_and_the_date(loaded, viewer, client_for):
    pages = page_texts(client_for(viewer).get("/sheets/2022.pdf").content)

    assert len(pages) >= 6
    for number, text in enumerate(pages, start=1):
        assert "山口県" in text
        assert f"{number} / {len(pages)}" in text
        assert "作成 令和" in text  # generated date in 和暦 with the time (Asia/Tokyo)
        assert "自治体状況共有シート 案" in text  # the draft mark on every page


def test_the_pdf_embeds_the_japanese_font(loaded, viewer, client_for):
    pdf = client_for(viewer).get("/sheets/2022.pdf").content
    assert "IPAexGothic" in embedded_font_names(pdf)


def test_the_pdf_draws_both_charts_from_stored_data(loaded, viewer, client_for):
    text = pdf_text(client_for(viewer).get("/sheets/2022.pdf").content)
    assert "退院率（実績と目標）" in text
    assert "1年以上の長期在院者数（実績と目標）" in text
    assert "2,855人" in text  # the long-stay target line's label
    assert "R5年度目標（山口県障害福祉サービス実施計画（第6期））" in flat(text)


def test_the_download_has_a_japanese_file_name(loaded, viewer, client_for):
    response = client_for(viewer).get("/sheets/2022.pdf")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    stamp = timezone.localdate().strftime("%Y%m%d")
    assert "filename*=utf-8''" + quote(f"自治体状況共有シート_山口県_令和4年度_案_{stamp}.pdf") in disposition


def test_anonymous_users_are_sent_to_sign_in(loaded, client):
    for url in ("/sheets/2022.pdf", "/sheets/2022/regions/3501.pdf"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_an_unknown_year_is_404(loaded, viewer, client_for):
    assert client_for(viewer).get("/sheets/2031.pdf").status_code == 404


# --- published editions ---------------------------------------------------------------------


def test_an_official_publishes_the_sheet_as_a_stored_pdf(loaded, official, client_for, media_root):
    client = client_for(official)
    response = publish(client)

    assert response.status_code == 302
    publication = PublishedEdition.objects.get()
    assert publication.number == 1
    assert publication.note == "国への提出版"
    assert publication.published_by == official
    stored = Path(publication.pdf.path)
    assert stored.is_relative_to(Path(media_root))
    data = stored.read_bytes()
    assert hashlib.sha256(data).hexdigest() == publication.sha256
    assert len(data) == publication.size
    loaded.refresh_from_db()
    assert loaded.status == Edition.Status.PUBLISHED
    assert ChangeRecord.objects.filter(object_repr=str(publication), action="create").exists()

    pages = page_texts(data)
    assert all("自治体状況共有シート 案" not in text for text in pages)  # no draft mark
    assert all("第1版" in text for text in pages)
    assert "1,315,949" in pdf_text(data)


def test_a_published_edition_stays_byte_identical_after_the_data_changes(
    loaded, official, viewer, client_for
):
    publish(client_for(official))
    publication = PublishedEdition.objects.get()
    stored = Path(publication.pdf.path).read_bytes()
    viewer_client = client_for(viewer)
    first = viewer_client.get("/sheets/2022/editions/1.pdf")
    assert first.content == stored
    assert (
        "filename*=utf-8''" + quote("自治体状況共有シート_山口県_令和4年度_第1版.pdf")
        in first["Content-Disposition"]
    )
    # Nothing changed yet: the sheet's own URL serves the published file itself.
    assert viewer_client.get("/sheets/2022.pdf").content == stored

    observation_record(
        by=official,
        indicator=Indicator.objects.get(code="population"),
        prefecture=loaded.prefecture,
        period_text="R4年4月",
        value=Decimal("1300001"),
        provenance="訂正",
    )
    HistoryEntry.objects.filter(edition=loaded).update(content="書き換えた実施内容")

    again = viewer_client.get("/sheets/2022/editions/1.pdf")
    assert again.content == stored
    assert hashlib.sha256(again.content).hexdigest() == publication.sha256
    assert "1,315,949" in pdf_text(again.content)
    live = viewer_client.get("/sheets/2022.pdf").content
    assert live != stored
    live_text = pdf_text(live)
    assert "1,300,001" in live_text and "1,315,949" not in live_text
    assert "書き換えた実施内容" in live_text
    assert "自治体状況共有シート 案" in live_text


def test_a_new_edition_needs_a_note_and_keeps_the_old_one(loaded, official, client_for):
    client = client_for(official)
    publish(client)
    first = Path(PublishedEdition.objects.get().pdf.path).read_bytes()
    HistoryEntry.objects.filter(edition=loaded).update(content="第2版で直した実施内容")

    refused = publish(client, note="   ")
    assert refused.status_code == 400
    assert "前の版から何を直したか" in refused.content.decode()
    assert PublishedEdition.objects.count() == 1

    assert publish(client, note="実施内容を訂正").status_code == 302
    assert list(PublishedEdition.objects.order_by("number").values_list("number", "note")) == [
        (1, "国への提出版"),
        (2, "実施内容を訂正"),
    ]
    assert client.get("/sheets/2022/editions/1.pdf").content == first
    second = client.get("/sheets/2022/editions/2.pdf").content
    assert "第2版で直した実施内容" in pdf_text(second)
    assert "第2版で直した実施内容" not in pdf_text(first)
    page = client.get("/sheets/2022/").content.decode()
    assert "/sheets/2022/editions/1.pdf" in page and "/sheets/2022/editions/2.pdf" in page
    assert "/sheets/2022/editions/2.pdf" in client.get("/sheets/").content.decode()


@pytest.mark.parametrize("persona", ["iwakuni_staff", "hagi_staff", "viewer"])
def test_only_officials_publish(loaded, persona, request, client_for):
    client = client_for(request.getfixturevalue(persona))
    assert publish(client).status_code == 403
    assert not PublishedEdition.objects.exists()
    assert "第1版として公開する" not in client.get("/sheets/2022/").content.decode()


@pytest.mark.parametrize("persona", ["official", "iwakuni_staff", "hagi_staff", "viewer"])
def test_anyone_signed_in_downloads(loaded, official, persona, request, client_for):
    publish(client_for(official))
    client = client_for(request.getfixturevalue(persona))
    for url in ("/sheets/2022.pdf", "/sheets/2022/editions/1.pdf", "/sheets/2022/regions/3501.pdf"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.content.startswith(b"%PDF-")


def test_a_published_file_that_changed_on_disk_is_refused(loaded, official, client_for):
    client = client_for(official)
    publish(client)
    path = Path(PublishedEdition.objects.get().pdf.path)
    path.write_bytes(path.read_bytes().replace(b"%%EOF", b"%%EOX"))

    response = client.get("/sheets/2022/editions/1.pdf")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert "公開時と一致しません" in response.content.decode()
    assert client.get("/sheets/2022/editions/9.pdf").status_code == 404


# --- failures: an error page, never a broken PDF ---------------------------------------------


def _sleep(html, base_url):
    time.sleep(30)


def _explode(html, base_url):
    raise RuntimeError("layout failed")


def test_a_render_timeout_answers_with_a_japanese_error_page(
    loaded, viewer, client_for, settings, monkeypatch, fresh_cache
):
    settings.PDF_RENDER_TIMEOUT = 0.5
    monkeypatch.setattr(core_pdf, "_write_pdf", _sleep)
    response = client_for(viewer).get("/sheets/2022.pdf")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert "制限時間" in response.content.decode()
    assert b"%PDF" not in response.content


def test_a_render_error_answers_500_and_publishes_nothing(
    loaded, official, client_for, monkeypatch, fresh_cache, media_root
):
    monkeypatch.setattr(core_pdf, "_write_pdf", _explode)
    client = client_for(official)
    response = client.get("/sheets/2022.pdf")
    assert response.status_code == 500
    assert "PDF を作成できませんでした" in response.content.decode()

    refused = publish(client)
    assert refused.status_code == 500
    assert "何も公開されていません" in refused.content.decode()
    assert not PublishedEdition.objects.exists()
    loaded.refresh_from_db()
    assert loaded.status == Edition.Status.DRAFT
    assert not any(Path(media_root).rglob("*.pdf"))


def test_a_missing_japanese_font_is_reported_not_drawn_as_boxes(
    loaded, viewer, client_for, monkeypatch, fresh_cache
):
    monkeypatch.setattr(core_pdf, "REQUIRED_FONT", "NoSuchFontForPortalTests")
    response = client_for(viewer).get("/sheets/2022.pdf")
    assert response.status_code == 503
    assert "日本語フォント（IPAexゴシック）がインストールされていません" in response.content.decode()


# --- the cache: an unchanged sheet is not rendered again --------------------------------------


def test_an_unchanged_sheet_is_served_from_the_cache(
    loaded, official, viewer, client_for, monkeypatch, fresh_cache
):
    calls = []
    real_render = sheet_pdf.render_pdf

    def counting_render(html, **kwargs):
        calls.append(1)
        return real_render(html, **kwargs)

    monkeypatch.setattr(sheet_pdf, "render_pdf", counting_render)
    client = client_for(viewer)
    first = client.get("/sheets/2022.pdf").content
    started = time.monotonic()
    second = client.get("/sheets/2022.pdf").content
    elapsed = time.monotonic() - started
    assert len(calls) == 1
    assert second == first
    assert elapsed < 1.0  # no WeasyPrint run: queries and one template render

    observation_record(
        by=official,
        indicator=Indicator.objects.get(code="psychiatric_beds"),
        prefecture=loaded.prefecture,
        period_text="R4年4月",
        value=Decimal("5800"),
        provenance="訂正",
    )
    third = client.get("/sheets/2022.pdf").content
    assert len(calls) == 2
    assert "5,800" in pdf_text(third)


# --- the HTML page ------------------------------------------------------------------------------


def test_the_sheet_page_marks_the_draft_and_draws_the_charts(loaded, viewer, client_for):
    html = client_for(viewer).get("/sheets/2022/").content.decode()
    assert 'data-testid="sheet-state">案（未公開）</span>' in html
    assert 'data-testid="chart-discharge"' in html and 'data-testid="chart-long-stay"' in html
    assert html.count('font-family="IPAexGothic') > 10
    assert 'href="/sheets/2022.pdf"' in html
    assert "まだ公開されていません" in html
