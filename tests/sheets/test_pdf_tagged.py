"""The sheet PDFs are tagged (PDF/UA-1) for screen readers: structure, language and title; a published
edition keeps its stored bytes."""

import subprocess
from pathlib import Path

import pytest
from django.core.cache import cache

from sheets.models import PublishedEdition
from tests.pdfutils import embedded_font_names, pdf_text, reader

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield settings.MEDIA_ROOT
    cache.clear()


def pdfinfo(pdf: bytes, tmp_path) -> dict[str, str]:
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return {
        key.strip(): value.strip() for key, _, value in (line.partition(":") for line in out.splitlines())
    }


def assert_tagged(pdf: bytes, tmp_path, title: str) -> None:
    info = pdfinfo(pdf, tmp_path)
    assert info["Tagged"] == "yes"
    assert info["Title"] == title
    catalog = reader(pdf).trailer["/Root"]
    assert catalog["/Lang"] == "ja"
    assert "/StructTreeRoot" in catalog
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])  # the title, not the file name


def test_the_prefecture_sheet_pdf_is_tagged_with_its_title_and_language(loaded, viewer, client_for, tmp_path):
    pdf = client_for(viewer).get("/sheets/2022.pdf").content

    assert_tagged(pdf, tmp_path, "山口県 令和4年度 自治体状況共有シート")
    assert "IPAexGothic" in embedded_font_names(pdf)  # the Japanese glyphs are still drawn
    assert "退院率（実績と目標）" in pdf_text(pdf)


def test_the_region_sheet_pdf_is_tagged_with_its_title_and_language(loaded, viewer, client_for, tmp_path):
    response = client_for(viewer).get("/sheets/2022/regions/3501.pdf")

    assert response.status_code == 200
    info = pdfinfo(response.content, tmp_path)
    assert "岩国" in info["Title"] and "令和4年度" in info["Title"]
    assert_tagged(response.content, tmp_path, info["Title"])
    assert "IPAexGothic" in embedded_font_names(response.content)


def test_a_published_edition_is_tagged_and_served_byte_for_byte(loaded, official, client_for, tmp_path):
    client = client_for(official)
    response = client.post(
        "/sheets/2022/publish/", {"note": "国への提出版", "confirm_unapproved": "on", "confirmed": "yes"}
    )
    assert response.status_code == 302
    stored = PublishedEdition.objects.get(edition=loaded, number=1)
    kept = Path(stored.pdf.path).read_bytes()

    assert_tagged(kept, tmp_path, "山口県 令和4年度 自治体状況共有シート")
    assert client.get("/sheets/2022/editions/1.pdf").content == kept
