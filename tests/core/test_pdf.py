"""core.pdf: the static-only URL fetcher, the Japanese font check and the time-limited render."""

import logging
import os
import time
from pathlib import Path

import pytest
from django.conf import settings

from core import pdf as core_pdf
from core.pdf import PDF_BASE_URL, PdfRenderError, RefusedResource, StaticOnlyFetcher, render_pdf
from tests.pdfutils import embedded_font_names, pdf_text, reader

PORTAL_CSS = Path(settings.BASE_DIR) / "static" / "css" / "portal.css"

HOSTILE_HTML = """<!doctype html><html lang="ja"><head><meta charset="utf-8">
<link rel="stylesheet" href="/static/css/portal.css">
<link rel="stylesheet" href="https://cdn.example.com/evil.css">
<link rel="attachment" href="/static/css/portal.css" title="添付">
<style>
@import url("https://attacker.example/import.css");
@import url("file:///etc/hostname");
@page { size: A4 landscape; margin: 12mm; }
body { font-family: "IPAexGothic"; }
</style></head><body>
<h1>山口県 状況共有シート</h1>
<p>本文は描かれます。</p>
<img src="file:///etc/passwd" alt="">
<img src="https://example.com/logo.png" alt="">
<img src="http://169.254.169.254/latest/meta-data/" alt="">
<img src="http://127.0.0.1:8000/static/css/portal.css" alt="">
<img src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E" alt="">
<object data="file:///etc/shadow"></object>
<a rel="attachment" href="/static/css/portal.css">添付リンク</a>
</body></html>"""


def fetch(url):
    return StaticOnlyFetcher().fetch(url)


def test_it_serves_a_static_file_from_disk():
    response = fetch(PDF_BASE_URL + "static/css/portal.css")
    assert response.read() == PORTAL_CSS.read_bytes()
    assert response.content_type == "text/css"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://" + str(PORTAL_CSS),  # file:// is refused even inside the static directory
        "https://example.com/style.css",
        "http://example.com/static/css/portal.css",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/static/css/portal.css",
        "http://127.0.0.1:8000/static/css/portal.css",
        "http://localhost/static/css/portal.css",
        "ftp://example.com/a.css",
        "data:text/css,body{color:red}",
        PDF_BASE_URL + "etc/passwd",
        PDF_BASE_URL + "static/../../../../etc/passwd",
        PDF_BASE_URL + "static/%2e%2e/%2e%2e/settings.py",
        PDF_BASE_URL + "static/css/..%2f..%2fsettings.py",
        PDF_BASE_URL + "static/css/portal.css?x=1",
        PDF_BASE_URL + "static/css/missing.css",
        PDF_BASE_URL + "static//etc/passwd",
    ],
)
def test_it_refuses_everything_but_static_files(url):
    fetcher = StaticOnlyFetcher()
    with pytest.raises(RefusedResource):
        fetcher.fetch(url)
    assert fetcher.refused == [url[:200]]


def test_it_refuses_a_static_file_of_a_type_a_pdf_never_needs(tmp_path, settings):
    (tmp_path / "secrets.py").write_text("KEY = 1")
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, tmp_path]
    with pytest.raises(RefusedResource):
        fetch(PDF_BASE_URL + "static/secrets.py")


def test_it_renders_while_refusing_hostile_resources(caplog):
    caplog.set_level(logging.WARNING, logger="core.pdf")
    pdf = render_pdf(HOSTILE_HTML)

    assert pdf.startswith(b"%PDF-")
    assert "山口県 状況共有シート" in pdf_text(pdf)
    refused = " ".join(r.getMessage() for r in caplog.records)
    for url in (
        "file:///etc/passwd",
        "https://example.com/logo.png",
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1:8000/static/css/portal.css",
        "https://attacker.example/import.css",
        "file:///etc/hostname",
        "https://cdn.example.com/evil.css",
        "file:///etc/shadow",
        "data:image/svg+xml",
    ):
        assert url in refused
    assert PDF_BASE_URL + "static/css/portal.css" not in refused  # the portal's own stylesheet was served


def test_it_writes_no_attachments():
    pdf = render_pdf(HOSTILE_HTML)
    assert reader(pdf).attachments == {}
    assert b"/EmbeddedFile" not in pdf


def test_it_embeds_the_japanese_font():
    pdf = render_pdf('<html><body style="font-family: IPAexGothic"><p>地域移行 山口県</p></body></html>')
    assert "IPAexGothic" in embedded_font_names(pdf)


def test_it_refuses_to_render_without_the_japanese_font(monkeypatch):
    monkeypatch.setattr(core_pdf, "REQUIRED_FONT", "NoSuchFontForPortalTests")
    with pytest.raises(PdfRenderError, match="日本語フォント（IPAexゴシック）がインストールされていません"):
        render_pdf("<p>山口県</p>")


def _sleep_forever(html, base_url):
    time.sleep(60)


def _fail(html, base_url):
    raise RuntimeError("layout exploded")


def _crash(html, base_url):
    os._exit(3)


def _truncated(html, base_url):
    return b"%PDF-1.7\n1 0 obj", []


def test_it_gives_up_after_the_time_limit(monkeypatch):
    monkeypatch.setattr(core_pdf, "_write_pdf", _sleep_forever)
    started = time.monotonic()
    with pytest.raises(PdfRenderError, match="制限時間"):
        render_pdf("<p>山口県</p>", timeout=0.5)
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("broken", [_fail, _crash, _truncated])
def test_a_failed_render_raises_instead_of_returning_bytes(monkeypatch, broken):
    monkeypatch.setattr(core_pdf, "_write_pdf", broken)
    with pytest.raises(PdfRenderError) as info:
        render_pdf("<p>山口県</p>", timeout=20)
    assert "PDF" in str(info.value)
