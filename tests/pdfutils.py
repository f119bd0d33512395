"""Reading generated PDFs in tests (pypdf): text, embedded font names, attachments."""

from __future__ import annotations

import io

from pypdf import PdfReader


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in reader(pdf).pages)


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in reader(pdf).pages]


def embedded_font_names(pdf: bytes) -> set[str]:
    """BaseFont names of every font that carries an embedded font file (subset prefix removed)."""
    names: set[str] = set()
    for page in reader(pdf).pages:
        fonts = page.get("/Resources", {}).get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            font = ref.get_object()
            for candidate in [font, *[d.get_object() for d in font.get("/DescendantFonts", [])]]:
                descriptor = candidate.get("/FontDescriptor")
                if descriptor is None:
                    continue
                descriptor = descriptor.get_object()
                if any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                    names.add(str(candidate["/BaseFont"]).lstrip("/").split("+", 1)[-1])
    return names
