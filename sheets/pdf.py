"""The status sheet and the region sheets as PDF: HTML from the same include as the sheet page,
rendered by core.pdf, cached by what the page says.

Cache: the sheet's HTML is rendered once without its timestamps and hashed (together with the
stylesheets the PDF uses); an unchanged hash serves the PDF made earlier from the cache, so an
unchanged sheet costs its queries and one template render, not a WeasyPrint run. Any change in the
data (or the layout) changes the HTML, hence the key — no list of tables to keep in step.

The timestamps left out of the hash are `generated_at` (when the PDF was made) and `counted_at` (when
the counts from records — meetings, cases, training — were computed: approval never locks those
records, so the page says when they were read). A PDF served from the cache keeps both of its own:
the same hash means the same counts, so "counted at" that moment is still true.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone

from core import fiscal
from core.exports import download_stem
from core.pdf import find_static_file, render_pdf
from indicators import small_counts
from sheets.charts import sheet_charts
from sheets.reading import PublishedFileError, published_edition_bytes, sheet_context

logger = logging.getLogger(__name__)

#: Bump when the PDF changes in a way the HTML does not show (e.g. core.pdf's rendering options).
LAYOUT_VERSION = "2"
STYLESHEETS = ("sheets/sheet.css", "pdf/sheet.css")
SHEET_TEMPLATE = "sheets/pdf/sheet.html"
REGION_TEMPLATE = "sheets/pdf/region.html"
CACHE_SECONDS = 24 * 60 * 60
# Named with the PDF variant: untagged PDFs cached before it changed are not served again.
SHEET_CACHE = "sheet-pdf-ua1"
REGION_CACHE = "region-pdf-ua1"


@dataclass(frozen=True)
class RenderedPdf:
    pdf: bytes
    content_hash: str  # what the sheet said (HTML without timestamp + stylesheets + layout version)
    generated_at: datetime
    from_cache: bool = False


@functools.cache
def _stylesheet_digest() -> str:
    digest = hashlib.sha256(LAYOUT_VERSION.encode())
    for name in STYLESHEETS:
        path = find_static_file(name)
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path else b""))
    return digest.hexdigest()


def content_hash(html: str) -> str:
    return hashlib.sha256((_stylesheet_digest() + "\0" + html).encode("utf-8")).hexdigest()


def sheet_title(edition) -> str:
    return f"{edition.prefecture.name} {fiscal.fiscal_year_label(edition.fiscal_year)} 自治体状況共有シート"


def sheet_filename(edition, *, number: int | None = None) -> str:
    """自治体状況共有シート_山口県_令和4年度_第1版.pdf; the unpublished draft 〜_案_<作成日>.pdf."""
    year = fiscal.fiscal_year_label(edition.fiscal_year)
    if number:
        return f"{download_stem('自治体状況共有シート', edition.prefecture.name, year, edition=f'第{number}版')}.pdf"
    return f"{download_stem('自治体状況共有シート', edition.prefecture.name, year, '案')}.pdf"


def sheet_pdf_context(edition) -> dict:
    """What the sheet PDF template needs: the sheet page's own read model plus the charts."""
    sheet = sheet_context(edition)
    return {
        "sheet": sheet,
        "counted_at": sheet.counted_at,
        "charts": sheet_charts(prefecture=edition.prefecture, reference_date=edition.reference_date),
        "prefecture": edition.prefecture,
        "pdf_title": sheet_title(edition),
    }


def _unstamped(template: str, context: dict) -> str:
    """The HTML without its timestamps: what the content hash is taken over."""
    return render_to_string(template, {**context, "generated_at": None, "counted_at": None})


def _render(template: str, context: dict, *, cache_prefix: str, unstamped: str | None = None) -> RenderedPdf:
    """Render `template` to PDF, or take it from the cache when the same HTML was rendered before."""
    if unstamped is None:
        unstamped = _unstamped(template, context)
    key_hash = content_hash(unstamped)
    cache_key = f"{cache_prefix}:{key_hash}"
    cached = cache.get(cache_key)
    if cached is not None:
        pdf, generated_at = cached
        return RenderedPdf(pdf, key_hash, generated_at, from_cache=True)
    generated_at = timezone.now()
    pdf = render_pdf(render_to_string(template, {**context, "generated_at": generated_at}))
    cache.set(cache_key, (pdf, generated_at), CACHE_SECONDS)
    return RenderedPdf(pdf, key_hash, generated_at)


def _draft_context(edition, context: dict | None = None) -> dict:
    return {**(context or sheet_pdf_context(edition)), "is_draft": True}


def sheet_draft_hash(edition, *, context: dict | None = None) -> str:
    """The content hash of the live sheet (equal to a publication's when nothing changed since)."""
    return content_hash(_unstamped(SHEET_TEMPLATE, _draft_context(edition, context)))


def sheet_draft_pdf(edition, *, context: dict | None = None) -> RenderedPdf:
    """The live sheet, marked 「案」: what the data says now."""
    return _render(SHEET_TEMPLATE, _draft_context(edition, context), cache_prefix=SHEET_CACHE)


@dataclass(frozen=True)
class LiveSheet:
    pdf: bytes
    filename: str
    publication: object | None = None  # the PublishedEdition served, when nothing changed since it


def sheet_live_pdf(edition) -> LiveSheet:
    """What `/sheets/<fy>.pdf` serves: the latest published edition's own file when the sheet has not
    changed since it was published, otherwise the live sheet marked 「案」."""
    context = _draft_context(edition)
    unstamped = _unstamped(SHEET_TEMPLATE, context)
    latest = edition.publications.newest_first().first()
    if latest is not None and latest.content_hash == content_hash(unstamped):
        try:
            return LiveSheet(
                published_edition_bytes(latest), sheet_filename(edition, number=latest.number), latest
            )
        except PublishedFileError:
            logger.exception("公開版のファイルを読めないため、最新データから作り直します: %s", latest)
    rendered = _render(SHEET_TEMPLATE, context, cache_prefix=SHEET_CACHE, unstamped=unstamped)
    return LiveSheet(rendered.pdf, sheet_filename(edition))


def sheet_final_pdf(
    edition, *, number: int, published_at: datetime, context: dict | None = None
) -> tuple[bytes, str]:
    """The PDF to publish as edition `number` (no 「案」 mark) and the draft's content hash.

    `context` (sheet_pdf_context) when the caller has read the sheet already: the publication checks
    the unapproved figures of the very read model it prints."""
    context = context or sheet_pdf_context(edition)
    draft_hash = sheet_draft_hash(edition, context=context)
    label = f"第{number}版（{fiscal.wareki_date(timezone.localtime(published_at).date())}公開）"
    html = render_to_string(
        SHEET_TEMPLATE,
        {**context, "is_draft": False, "generated_at": published_at, "published_label": label},
    )
    return render_pdf(html), draft_hash


def region_sheet_pdf(region_sheet) -> RenderedPdf:
    """One region's page for its 圏域連絡調整会議 (sheets.regional.RegionSheet)."""
    context = {
        "rs": region_sheet,
        "counted_at": region_sheet.counted_at,
        "prefecture": region_sheet.region.prefecture,
        "pdf_title": region_sheet.title,
        "is_draft": False,  # an operational record of the region, not an edition of the sheet
        "reader": small_counts.PUBLIC,  # a PDF is read as the public reads it, whoever asks
    }
    return _render(REGION_TEMPLATE, context, cache_prefix=REGION_CACHE)
