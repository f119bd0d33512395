"""HTML → PDF with WeasyPrint, safely.

What a PDF may load is decided here and nowhere else: `StaticOnlyFetcher` serves the portal's own
static files (CSS, images, fonts) read from disk and refuses everything else — http(s) URLs, other
hosts, `file://`, `data:`, link-local and loopback addresses — so text typed by a user can never make
the server read a file or fetch a URL. A refused resource is skipped and the PDF still renders.

Rendering runs in a child process with a time limit; a failure or timeout raises `PdfRenderError`
(with a Japanese message for the error page) and never returns partial bytes. The Japanese font is
checked with fontconfig before rendering, so a missing font fails loudly instead of drawing boxes.

Templates name the fonts explicitly (static/pdf/sheet.css: "IPAexGothic", "IPAexMincho"); IPAex has
no bold face, so headings use size and colour, not weight.
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import posixpath
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

logger = logging.getLogger(__name__)
# WeasyPrint reports every rendering step at INFO; the portal logs only its warnings.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

#: The font every PDF template names first (Debian's fonts-ipaexfont-gothic / -mincho).
REQUIRED_FONT = "IPAexGothic"

#: A base URL on a reserved, never-resolving domain: `/static/…` links in a template resolve against
#: it and the fetcher maps them to files on disk. Nothing is ever requested from this host.
PDF_BASE_URL = "http://portal.invalid/"

#: Seconds a render may take before it is abandoned (settings.PDF_RENDER_TIMEOUT overrides).
DEFAULT_TIMEOUT = 60

#: Static file types a PDF may embed.
ALLOWED_STATIC_TYPES = {
    ".css": "text/css",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
}


class PdfRenderError(Exception):
    """The PDF could not be produced; `str(error)` is a Japanese message fit for the error page.

    `status` is the HTTP status the error page answers with: 503 for what may pass (a timeout, a font
    not yet installed), 500 for a failed render.
    """

    def __init__(self, message: str, *, status: int = 500):
        super().__init__(message)
        self.status = status


class RefusedResource(ValueError):
    """A URL the PDF fetcher does not serve."""


def _static_prefix() -> str:
    prefix = urlsplit(settings.STATIC_URL or "/static/").path or "/static/"
    return prefix if prefix.endswith("/") else prefix + "/"


def _clean_static_name(path: str) -> str | None:
    """`/static/css/a.css` → `css/a.css`; None for anything that is not a plain relative name."""
    prefix = _static_prefix()
    if not path.startswith(prefix):
        return None
    name = unquote(path[len(prefix) :])
    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        return None
    normalised = posixpath.normpath(name)
    if normalised != name or normalised.startswith("..") or "/../" in f"/{normalised}/":
        return None
    return name


def find_static_file(name: str) -> Path | None:
    """The file on disk behind a static name: the staticfiles finders, then STATIC_ROOT (hashed names)."""
    from django.contrib.staticfiles import finders
    from django.contrib.staticfiles.storage import staticfiles_storage

    candidates: list[Path] = []
    found = finders.find(name)
    if found:
        candidates.append(Path(found))
    if getattr(settings, "STATIC_ROOT", None):
        try:
            if staticfiles_storage.exists(name):
                candidates.append(Path(staticfiles_storage.path(name)))
        except (NotImplementedError, ValueError, OSError):
            pass
    for candidate in candidates:
        resolved = candidate.resolve()
        if resolved.is_file():
            return resolved
    return None


@functools.cache
def _weasyprint():
    """Import WeasyPrint (≈0.7 s) once per process, on the first render and before forking, so every
    render's child starts with it loaded and processes that never render never pay for it."""
    import weasyprint
    import weasyprint.urls

    return weasyprint


class StaticOnlyFetcher:
    """WeasyPrint URL fetcher that serves only the portal's static files, from disk.

    Accepted: `<base_url>/static/<name>` where <name> is found by the staticfiles finders (or in
    STATIC_ROOT) and has an allowed extension. Everything else raises `RefusedResource`, which
    WeasyPrint catches: the element is skipped and the render goes on. Every refusal is remembered in
    `refused` so the caller can log it. It has WeasyPrint's fetcher interface (`fetch`, `__call__`,
    `_fail_on_errors`) but none of its URL openers: no code path here can open a socket.
    """

    _fail_on_errors = False  # read by weasyprint.urls.fetch: a refusal skips the resource

    def __init__(self, base_url: str = PDF_BASE_URL):
        parts = urlsplit(base_url)
        self._origin = (parts.scheme.lower(), parts.netloc.lower())
        self.refused: list[str] = []

    def _refuse(self, url: str, reason: str):
        self.refused.append(url[:200])
        raise RefusedResource(f"PDF では読み込みません（{reason}）: {url[:200]}")

    def __call__(self, url):
        return self.fetch(url)

    def fetch(self, url, headers=None):
        try:
            parts = urlsplit(url)
        except ValueError:
            self._refuse(url, "URL の形式が不正")
        scheme = parts.scheme.lower()
        if scheme not in {"http", "https"}:
            self._refuse(url, f"{scheme or '相対'} は許可されていません")
        if (scheme, parts.netloc.lower()) != self._origin:
            self._refuse(url, "外部の URL")
        if parts.query:
            self._refuse(url, "クエリ付きの URL")
        name = _clean_static_name(parts.path)
        if name is None:
            self._refuse(url, "静的ファイル以外")
        suffix = Path(name).suffix.lower()
        content_type = ALLOWED_STATIC_TYPES.get(suffix)
        if content_type is None:
            self._refuse(url, f"{suffix or '拡張子なし'} は許可されていません")
        path = find_static_file(name)
        if path is None:
            self._refuse(url, "静的ファイルが見つかりません")
        if content_type == "text/css":
            content_type += "; charset=utf-8"
        response_class = _weasyprint().urls.URLFetcherResponse
        return response_class(url, body=path.read_bytes(), headers={"Content-Type": content_type})


_fonts_found: set[str] = set()


def font_installed(family: str) -> bool:
    """Is `family` known to fontconfig? (`fc-list` prints nothing for an unknown family.)

    Only a positive answer is remembered, so installing the font takes effect without a restart.
    """
    if family in _fonts_found:
        return True
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    try:
        result = subprocess.run(
            [fc_list, f"{family}:lang=ja", "family"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return False
    found = result.returncode == 0 and family.lower() in result.stdout.lower()
    if found:
        _fonts_found.add(family)
    return found


def check_japanese_font(family: str | None = None) -> None:
    family = family or REQUIRED_FONT
    if not font_installed(family):
        raise PdfRenderError(
            "日本語フォント（IPAexゴシック）がインストールされていません。"
            "サーバーで scripts/system-deps.sh を実行して fonts-ipaexfont-gothic と "
            "fonts-ipaexfont-mincho をインストールしてください。",
            status=503,
        )


PDF_VARIANT = "pdf/ua-1"


def _strip_attachments(document) -> None:
    """Drop every PDF attachment (<link rel=attachment>, <a rel=attachment>) before writing."""
    document.metadata.attachments = []
    for page in document.pages:
        page.links = [link for link in page.links if link[0] != "attachment"]


def _write_pdf(html: str, base_url: str) -> tuple[bytes, list[str]]:
    """Render in the current process (the child); returns the PDF and the refused URLs."""
    fetcher = StaticOnlyFetcher(base_url)
    document = _weasyprint().HTML(string=html, base_url=base_url, url_fetcher=fetcher).render()
    _strip_attachments(document)
    # PDF/UA-1: tagged structure in reading order, the <html lang> as /Lang and the <title> shown as
    # the document's title, so a screen reader reads the sheet. Only new renders change: a published
    # edition is served from its stored bytes.
    pdf = document.write_pdf(pdf_variant=PDF_VARIANT)
    return pdf, fetcher.refused


def _child(connection, html: str, base_url: str) -> None:
    try:
        pdf, refused = _write_pdf(html, base_url)
    except BaseException as exc:  # report anything, the parent decides
        connection.send(("error", f"{type(exc).__name__}: {exc}"[:2000], []))
    else:
        connection.send(("ok", pdf, refused))
    finally:
        connection.close()


def _context():
    methods = multiprocessing.get_all_start_methods()
    # fork: the child inherits settings and imports (fast); it touches no database connection.
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def render_pdf(html: str, *, base_url: str = PDF_BASE_URL, timeout: float | None = None) -> bytes:
    """The PDF for `html`, or `PdfRenderError`. Never partial bytes.

    `timeout` (seconds) defaults to settings.PDF_RENDER_TIMEOUT or 60.
    """
    check_japanese_font()
    _weasyprint()
    if timeout is None:
        timeout = float(getattr(settings, "PDF_RENDER_TIMEOUT", DEFAULT_TIMEOUT))
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, html, base_url), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            logger.error("PDF の生成が %s 秒以内に終わらず中止しました", timeout)
            raise PdfRenderError(
                f"PDF の生成が制限時間（{timeout:g} 秒）内に終わりませんでした。"
                "時間をおいてもう一度お試しください。",
                status=503,
            )
        try:
            status, payload, refused = receiver.recv()
        except (EOFError, OSError) as exc:
            logger.error("PDF の生成プロセスが異常終了しました: %s", exc)
            raise PdfRenderError(
                "PDF の生成中にエラーが発生しました（生成処理が異常終了しました）。"
            ) from exc
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join(5)
    for url in refused:
        logger.warning("PDF: 許可されていない資源を読み込みませんでした: %s", url)
    if status != "ok":
        logger.error("PDF の生成に失敗しました: %s", payload)
        raise PdfRenderError("PDF の生成中にエラーが発生しました。時間をおいてもう一度お試しください。")
    if not isinstance(payload, bytes) or not payload.startswith(b"%PDF-") or b"%%EOF" not in payload[-64:]:
        raise PdfRenderError("PDF の生成結果が不完全でした。もう一度お試しください。")
    return payload


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    """A PDF download named per RFC 6266 (`filename*` carries the Japanese name)."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Content-Length"] = str(len(pdf))
    response["X-Content-Type-Options"] = "nosniff"
    return response


def pdf_error_response(request, error: PdfRenderError, *, back_url: str = "") -> HttpResponse:
    """The Japanese error page shown instead of a PDF (never a partial file)."""
    response = render(
        request, "pdf_error.html", {"message": str(error), "back_url": back_url}, status=error.status
    )
    if error.status == 503:
        response["Retry-After"] = "60"
    return response
