"""Figures not yet approved (issue #17): listed before publishing, confirmed explicitly, marked
「※未承認」 on the page and in the PDF, and kept on the published edition.

The loaded R4 sheet shows 28 observations of the prefecture (part 1 and part 4) from four 年度:
令和4年度 (13: population … 協議の場), 令和3年度 (9: 協議会, 630調査), 平成29年度 (3: the discharge
rates) and 平成26年度 (3: the long-stay breakdown). No data set row exists until a test makes one, so
every figure starts 入力中.
"""

import re
import subprocess
from pathlib import Path

import pytest
from django.core.cache import cache

from core.models import ChangeRecord
from indicators.models import DataSet, DataSetScope
from sheets import pdf as sheet_pdf
from sheets import publication
from sheets.models import Edition, PublishedEdition
from sheets.reading import sheet_context
from tests.factories import region
from tests.test_no_500 import ODD_VALUES

pytestmark = pytest.mark.django_db

R4_CODES = [
    "population",
    "municipality_count",
    "region_count",
    "psychiatric_hospitals",
    "psychiatric_beds",
    "health_centres",
    "core_consultation_centres",
    "general_consultation_offices",
    "specific_consultation_offices",
    "consultation_venue",
    "consultation_venue_count",
    "consultation_venue_regions",
    "consultation_venue_municipalities",
]
R3_CODES = [
    "support_council_frequency",
    "mental_health_subcommittee",
    "inpatients_total",
    "inpatients_under_3m",
    "inpatients_3m_to_1y",
    "inpatients_1y_plus",
    "inpatients_1y_plus_65_over",
    "inpatients_1y_plus_under_65",
    "consultation_venue_regions",  # part 4's 実績値 (令和3年)
]
H29_CODES = ["discharge_rate_3m", "discharge_rate_6m", "discharge_rate_12m"]
H26_CODES = ["inpatients_1y_plus", "inpatients_1y_plus_65_over", "inpatients_1y_plus_under_65"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def data_set(edition, fiscal_year, state, *, scope=DataSetScope.PREFECTURE, region_code=None):
    return DataSet.objects.create(
        prefecture=edition.prefecture,
        scope=scope,
        region=region(region_code) if region_code else None,
        fiscal_year=fiscal_year,
        state=state,
    )


def listed(groups) -> list[tuple[str, str, list[str]]]:
    return [
        (g.data_set_label, g.state_label, [f.observation.indicator.code for f in g.figures]) for g in groups
    ]


def stored_files(media_root) -> list[Path]:
    return [p for p in Path(media_root).rglob("*") if p.is_file()]


def pdftotext(pdf: bytes, tmp_path) -> list[str]:
    """The PDF's text as poppler's pdftotext lays it out (-layout keeps a table row on one line)."""
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text.splitlines()


def line_with(lines: list[str], *needles: str) -> str:
    found = [line for line in lines if all(n in line for n in needles)]
    assert len(found) == 1, (needles, found)
    return found[0]


def page_digest(html: str) -> str:
    return re.search(r'name="unapproved_digest" value="([0-9a-f]{64})"', html).group(1)


# --- the list, computed from the stored data sets ---------------------------------------------


def test_with_no_data_set_every_figure_is_unapproved_and_listed_by_data_set(loaded):
    sheet = sheet_context(loaded)

    assert listed(sheet.unapproved_groups) == [
        ("山口県（県全体） 令和4年度", "入力中", R4_CODES),
        ("山口県（県全体） 令和3年度", "入力中", R3_CODES),
        ("山口県（県全体） 平成29年度", "入力中", H29_CODES),
        ("山口県（県全体） 平成26年度", "入力中", H26_CODES),
    ]
    assert sheet.unapproved_count == 28 == len(sheet.figures)


def test_the_list_reads_each_data_sets_state_and_leaves_approved_ones_out(loaded):
    data_set(loaded, 2022, DataSet.State.APPROVED)
    data_set(loaded, 2021, DataSet.State.SUBMITTED)
    data_set(loaded, 2017, DataSet.State.RETURNED)
    # Approving another scope's set of the same 年度 approves none of the prefecture's own figures.
    data_set(loaded, 2014, DataSet.State.APPROVED, scope=DataSetScope.MUNICIPALITIES)
    data_set(loaded, 2014, DataSet.State.APPROVED, scope=DataSetScope.REGION, region_code="3501")

    sheet = sheet_context(loaded)

    assert listed(sheet.unapproved_groups) == [
        ("山口県（県全体） 令和3年度", "提出済", R3_CODES),
        ("山口県（県全体） 平成29年度", "差し戻し", H29_CODES),
        ("山口県（県全体） 平成26年度", "入力中", H26_CODES),
    ]
    assert sheet.facts["population"].unapproved is False
    assert sheet.facts["inpatients_total"].unapproved is True
    assert sheet.facts["discharge_rate_3m"].unapproved is True
    assert sheet.part1_unapproved and sheet.part4_unapproved
    breakdown = sheet.breakdowns[0].breakdown
    assert [cell["unapproved"] for cell in breakdown[0]["cells"]] == [True, True, True]  # H26 baseline
    assert [cell["unapproved"] for cell in breakdown[1]["cells"]] == [False, False, False]  # targets


def test_a_fact_is_marked_when_only_its_denominator_is_unapproved(loaded):
    """協議の場 of the regions is shown as 8 ／ 8 (障害圏域数): both numbers are figures of the sheet."""
    data_set(loaded, 2022, DataSet.State.APPROVED)
    sheet = sheet_context(loaded)
    assert sheet.facts["consultation_venue_regions"].unapproved is False

    DataSet.objects.filter(fiscal_year=2022).update(state=DataSet.State.SUBMITTED)
    assert sheet_context(loaded).facts["consultation_venue_regions"].unapproved is True


def test_all_approved_leaves_no_mark_no_legend_and_no_checkbox(loaded, official, client_for):
    for year in (2022, 2021, 2017, 2014):
        data_set(loaded, year, DataSet.State.APPROVED)

    html = client_for(official).get("/sheets/2022/").content.decode()

    assert sheet_context(loaded).unapproved_groups == []
    assert "※未承認" not in html
    assert 'data-testid="unapproved-legend"' not in html
    assert 'name="confirm_unapproved"' not in html
    assert "この版に載る数値はすべて承認済みです" in html


def test_the_page_lists_the_unapproved_figures_and_asks_to_confirm(loaded, official, viewer, client_for):
    data_set(loaded, 2022, DataSet.State.APPROVED)
    data_set(loaded, 2017, DataSet.State.RETURNED)

    html = client_for(official).get("/sheets/2022/").content.decode()

    box = html[html.index('data-testid="unapproved-figures"') :]
    box = box[: box.index("</div>")]
    assert "この版に載る数値のうち 15 件は、県の承認を受けていません" in box
    assert "山口県（県全体） 平成29年度" in box and "差し戻し" in box
    assert "１ 基礎情報　入院後３か月時点の退院率（平成29年度）48.6％" in box
    assert "山口県（県全体） 令和4年度" not in box  # approved
    assert 'name="confirm_unapproved"' in html and "未承認の数値を含めて公開する" in html
    # the sheet itself: a mark beside each of the 15 values, a legend under part 1 and under part 4
    assert html.count('data-testid="unapproved-mark"') == 15
    assert html.count('data-testid="unapproved-legend"') == 2
    # a viewer sees the marks on the sheet but no publish form
    viewer_html = client_for(viewer).get("/sheets/2022/").content.decode()
    assert viewer_html.count('data-testid="unapproved-mark"') == 15
    assert 'name="confirm_unapproved"' not in viewer_html


# --- publishing --------------------------------------------------------------------------------


def test_publishing_unapproved_figures_without_the_confirmation_is_refused_and_stores_nothing(
    loaded, official, client_for, media_root, monkeypatch
):
    renders = []
    monkeypatch.setattr(sheet_pdf, "render_pdf", lambda html: renders.append(html) or b"%PDF-1.7 x")
    data_set(loaded, 2022, DataSet.State.APPROVED)
    changes = ChangeRecord.objects.count()

    response = client_for(official).post("/sheets/2022/publish/", {"note": "国への提出版"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "この版には県の承認を受けていない数値が 15 件あります" in html
    assert "公開は行っていません" in html
    assert 'data-testid="unapproved-figures"' in html  # the list, to read before confirming
    assert "国への提出版" in html  # the note is kept
    assert renders == []  # refused before anything was rendered
    assert PublishedEdition.objects.count() == 0
    assert stored_files(media_root) == []
    assert ChangeRecord.objects.count() == changes
    assert Edition.objects.get(pk=loaded.pk).status == Edition.Status.DRAFT


def test_the_service_refuses_without_the_confirmation_too(loaded, official, media_root):
    with pytest.raises(publication.UnapprovedNotConfirmed) as caught:
        publication.edition_publish(by=official, edition=loaded, note="国への提出版")

    assert "県の承認を受けていない数値が 28 件" in str(caught.value)
    assert PublishedEdition.objects.count() == 0
    assert stored_files(media_root) == []


def test_a_confirmation_given_for_another_list_is_refused(loaded, official, client_for, media_root):
    """The official confirmed the list they saw; a set sent back meanwhile adds figures to it."""
    data_set(loaded, 2022, DataSet.State.APPROVED)
    data_set(loaded, 2021, DataSet.State.APPROVED)
    client = client_for(official)
    seen = page_digest(client.get("/sheets/2022/").content.decode())
    DataSet.objects.filter(fiscal_year=2021).update(state=DataSet.State.RETURNED)

    response = client.post(
        "/sheets/2022/publish/",
        {"note": "国への提出版", "confirm_unapproved": "on", "unapproved_digest": seen, "confirmed": "yes"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "確認していただいた後に、未承認の数値の一覧が変わりました" in html
    assert "新しい一覧（15 件）" in html
    assert page_digest(html) != seen  # the form now carries the new list's digest
    checkbox = re.search(r'<input[^>]*name="confirm_unapproved"[^>]*>', html).group(0)
    assert "checked" not in checkbox  # to be ticked again, for the new list
    assert PublishedEdition.objects.count() == 0
    assert stored_files(media_root) == []


def test_with_every_figure_approved_no_confirmation_is_asked(loaded, official, media_root, monkeypatch):
    monkeypatch.setattr(sheet_pdf, "render_pdf", lambda html: b"%PDF-1.7 approved")
    for year in (2022, 2021, 2017, 2014):
        data_set(loaded, year, DataSet.State.APPROVED)

    published = publication.edition_publish(by=official, edition=loaded, note="国への提出版")

    assert published.unapproved_figures == []
    assert published.unapproved_count == 0


def test_the_published_pdf_marks_unapproved_figures_and_keeps_them_after_approval(
    loaded, official, viewer, client_for, media_root, tmp_path
):
    """Publishing with the confirmation: the PDF (pdftotext) marks the 平成29年度 discharge rates,
    not the approved 令和4年度 beds; the edition keeps the list; approving afterwards changes the
    live sheet, never the published file."""
    cache.clear()
    for year in (2022, 2021, 2014):
        data_set(loaded, year, DataSet.State.APPROVED)
    returned = data_set(loaded, 2017, DataSet.State.RETURNED)
    client = client_for(official)
    seen = page_digest(client.get("/sheets/2022/").content.decode())

    response = client.post(
        "/sheets/2022/publish/",
        {"note": "国への提出版", "confirm_unapproved": "on", "unapproved_digest": seen, "confirmed": "yes"},
    )

    assert response.status_code == 302
    published = PublishedEdition.objects.get()
    assert published.unapproved_figures == [
        {
            "data_set_label": "山口県（県全体） 平成29年度",
            "state": "returned",
            "state_label": "差し戻し",
            "figures": [
                {
                    "observation": fact.observation.pk,
                    "part": "１ 基礎情報",
                    "label": fact.indicator.name_ja,
                    "period_label": "平成29年度",
                    "value_text": f"{fact.text}％",
                }
                for fact in (sheet_context(loaded).facts[code] for code in H29_CODES)
            ],
        }
    ]
    stored = Path(published.pdf.path).read_bytes()
    lines = pdftotext(stored, tmp_path)
    assert "※未承認" in line_with(lines, "入院後３か月時点", "48.6")
    assert "※未承認" in line_with(lines, "入院後１年時点", "78.7")
    assert "※未承認" not in line_with(lines, "精神科病床数", "5,839")
    assert "※未承認" not in line_with(lines, "合計", "5,111")
    text = "".join(line.strip() for line in lines)
    assert "※未承認：県の承認を受けていないデータセット（入力中・提出済・差し戻し）の数値です。" in text
    assert sum(line.count("※未承認") for line in lines) == 4  # three values and the legend

    page = client.get("/sheets/2022/").content.decode()
    assert "未承認の数値 3 件を含めて公開" in page

    returned.state = DataSet.State.APPROVED
    returned.save()
    viewer_client = client_for(viewer)
    assert viewer_client.get("/sheets/2022/editions/1.pdf").content == stored
    live = viewer_client.get("/sheets/2022.pdf").content
    assert live != stored  # the sheet changed since: its marks are gone, served as 「案」
    assert not any("※未承認" in line for line in pdftotext(live, tmp_path))


# --- odd input (tests/test_no_500.py's values): never a 500, never an unconfirmed edition -----------


def test_odd_confirmation_input_never_answers_500_nor_publishes_unconfirmed(
    loaded, official, client_for, monkeypatch
):
    monkeypatch.setattr(sheet_pdf, "render_pdf", lambda html: b"%PDF-1.7 stand-in")
    client = client_for(official)
    seen = page_digest(client.get("/sheets/2022/").content.decode())
    for value in ODD_VALUES:
        for data in (
            {"confirm_unapproved": value, "unapproved_digest": seen},
            {"confirm_unapproved": "on", "unapproved_digest": value},
        ):
            before = PublishedEdition.objects.count()
            response = client.post("/sheets/2022/publish/", {"note": "版", "confirmed": "yes", **data})
            assert response.status_code in (302, 400), (data, response.status_code)
            published = PublishedEdition.objects.count() - before
            # a published edition means a confirmation was given for the list shown (an empty
            # digest: no list was compared, as a POST made without the page)
            assert published == (response.status_code == 302)
            if published:
                assert data["unapproved_digest"] in (seen, "")
                assert PublishedEdition.objects.order_by("-number").first().unapproved_count == 28
