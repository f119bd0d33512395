"""The sheet's option: part 1 with 全国's values and the prefecture's rank beside its own (per edition)."""

import io

import pytest
from django.core.management import call_command

from indicators.models import Indicator, Observation, area_key_for
from regions.models import Prefecture
from sheets import pdf as sheet_pdf
from sheets import reading
from sheets.models import Edition
from tests.sheets.helpers import formset_post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition(reference_data):
    call_command("load_sheet", stdout=io.StringIO())
    return Edition.objects.get(fiscal_year=2022)


def _country_beside(code: str):
    """Every other prefecture and 全国 at the period of Yamaguchi's latest value of `code`."""
    own = Observation.objects.filter(indicator__code=code, area_key="pref:350001").latest("period_end")
    rows = []
    for number, prefecture in enumerate(Prefecture.objects.exclude(code="350001"), start=1):
        fields = {
            f: getattr(own, f) for f in ("period_kind", "fiscal_year", "as_of", "period_end", "period_key")
        }
        rows.append(
            Observation(
                indicator=own.indicator,
                prefecture=prefecture,
                area_key=area_key_for(prefecture=prefecture),
                value=own.value * 10 if prefecture.is_nation else number,
                **fields,
            )
        )
    Observation.objects.bulk_create(rows)
    return own


def test_the_option_adds_national_values_to_part1_on_the_page_and_in_the_pdf(edition, client_for, official):
    own = _country_beside("psychiatric_beds")
    client = client_for(official)
    assert 'data-testid="part1-national"' not in client.get("/sheets/2022/").content.decode()

    url = "/sheets/2022/edit/header/"
    data = formset_post_data(client.get(url))
    data["show_national"] = "on"
    assert client.post(url, data).status_code == 302
    edition.refresh_from_db()
    assert edition.show_national

    html = client.get("/sheets/2022/").content.decode()
    table = html[html.index('data-testid="part1-national"') :].split("</table>")[0]
    beds = Indicator.objects.get(code="psychiatric_beds")
    row = next(r for r in table.split("<tr>") if beds.name_ja in r)
    assert own.period_label in row
    # 47 prefectures: 46 others numbered 1..46 (Yamaguchi's beds are in the thousands: first)
    assert "47都道府県中 1位" in row
    pdf_html = sheet_pdf._unstamped("sheets/pdf/sheet.html", sheet_pdf.sheet_pdf_context(edition))
    assert 'data-testid="part1-national"' in pdf_html and "47都道府県中 1位" in pdf_html


def test_without_the_option_the_sheet_renders_as_before(edition):
    _country_beside("psychiatric_beds")
    before = sheet_pdf._unstamped("sheets/pdf/sheet.html", sheet_pdf.sheet_pdf_context(edition))
    assert "part1-national" not in before
    assert "この指標について" not in before  # the explanation links are the HTML page's only


def test_the_prefectures_own_value_in_the_national_rows_carries_its_approval_mark(edition):
    """The national rows may show another period than the fact above them: that value is a figure of
    the sheet too, marked 「※未承認」 and listed for publication until its data set is approved."""
    from tests.factories import DataSetFactory

    latest = Observation.objects.filter(indicator__code="psychiatric_beds", area_key="pref:350001").latest(
        "period_end"
    )
    year = latest.fiscal_year - 1
    earlier = Observation.objects.create(
        indicator=latest.indicator,
        prefecture=latest.prefecture,
        area_key=latest.area_key,
        period_kind="fiscal_year",
        fiscal_year=year,
        period_end=latest.period_end.replace(year=latest.period_end.year - 1),
        period_key=f"fy:{year}",
        value=latest.value,
    )
    rows = [
        Observation(
            indicator=earlier.indicator,
            prefecture=prefecture,
            area_key=area_key_for(prefecture=prefecture),
            period_kind="fiscal_year",
            fiscal_year=year,
            period_end=earlier.period_end,
            period_key=earlier.period_key,
            value=number,
        )
        for number, prefecture in enumerate(Prefecture.objects.exclude(code="350001"), start=1)
    ]
    Observation.objects.bulk_create(rows)
    Edition.objects.filter(pk=edition.pk).update(show_national=True)
    edition.refresh_from_db()

    sheet = reading.sheet_context(edition)
    assert [n.period.key for n in sheet.national if n.indicator.code == "psychiatric_beds"] == [
        earlier.period_key
    ]
    assert earlier.indicator_id in sheet.national_unapproved
    assert earlier.pk in {f.observation.pk for g in sheet.unapproved_groups for f in g.figures}
    html = sheet_pdf._unstamped("sheets/pdf/sheet.html", sheet_pdf.sheet_pdf_context(edition))
    table = html[html.index('data-testid="part1-national"') :].split("</table>")[0]
    assert "未承認" in next(r for r in table.split("<tr>") if earlier.indicator.name_ja in r)

    DataSetFactory(scope="prefecture", region=None, fiscal_year=year, state="approved")
    sheet = reading.sheet_context(edition)
    assert earlier.indicator_id not in sheet.national_unapproved
