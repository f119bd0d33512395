"""Publishing goes through a confirmation page: the edition number, that it is kept as it is, the
unapproved figures it carries; only that page's POST publishes."""

import re

import pytest

from core.models import ChangeRecord
from indicators.models import DataSet, DataSetScope
from sheets import pdf as sheet_pdf
from sheets.models import PublishedEdition

pytestmark = pytest.mark.django_db

URL = "/sheets/2022/publish/"


@pytest.fixture(autouse=True)
def stub_render(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(sheet_pdf, "render_pdf", lambda html: b"%PDF-1.7 stand-in")


def test_the_sheet_page_leads_to_the_confirmation_by_get(loaded, official, client_for):
    html = client_for(official).get("/sheets/2022/").content.decode()
    assert 'method="get" action="/sheets/2022/publish/"' in html
    assert 'method="post" action="/sheets/2022/publish/"' not in html
    assert "第1版として公開する" in html


def test_the_confirmation_says_which_edition_is_published_and_that_it_is_kept(loaded, official, client_for):
    response = client_for(official).get(URL, {"note": "国への提出版", "confirm_unapproved": "on"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "第1版として公開しますか" in html
    assert "山口県 令和4年度 自治体状況共有シートを第1版として公開します。" in html
    assert "1バイトも変えずに提供し続けます" in html
    assert "公開は取り消せません" in html
    assert "県の承認を受けていない数値 28 件を含めて公開します" in html
    assert "公開にあたってのメモ: 国への提出版" in html
    assert '<input type="hidden" name="note" value="国への提出版">' in html
    assert '<input type="hidden" name="confirm_unapproved" value="on">' in html
    assert ">公開する</button>" in html and 'href="/sheets/2022/">戻る</a>' in html
    assert PublishedEdition.objects.count() == 0


def test_unticked_unapproved_figures_are_refused_before_the_confirmation(loaded, official, client_for):
    response = client_for(official).get(URL, {"note": "国への提出版"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "県の承認を受けていない数値が 28 件あります" in html  # the sheet page's existing step
    assert "第1版として公開しますか" not in html


def test_a_publish_post_without_the_confirmation_publishes_nothing(loaded, official, client_for):
    changes = ChangeRecord.objects.count()

    response = client_for(official).post(URL, {"note": "国への提出版", "confirm_unapproved": "on"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "確認が済んでいないため、何も変更していません" in html
    assert "第1版として公開しますか" in html
    assert PublishedEdition.objects.count() == 0
    assert ChangeRecord.objects.count() == changes


def test_the_confirmed_post_publishes_and_the_next_confirmation_names_the_second_edition(
    loaded, official, client_for
):
    client = client_for(official)
    data = {"note": "国への提出版", "confirm_unapproved": "on", "confirmed": "yes"}
    assert client.post(URL, data).status_code == 302
    assert PublishedEdition.objects.get().number == 1

    html = client.get(URL, {"note": "誤字を直した版", "confirm_unapproved": "on"}).content.decode()
    assert "第2版として公開しますか" in html


def test_a_list_of_unapproved_figures_changed_after_the_confirmation_page_is_refused(
    loaded, official, client_for
):
    """The confirmation counted 28 unapproved figures; a data set approved meanwhile changes the list:
    the confirmed POST is refused with the new list rather than publishing what was not confirmed."""
    client = client_for(official)
    html = client.get(URL, {"note": "国への提出版", "confirm_unapproved": "on"}).content.decode()
    digest = re.search(r'name="unapproved_digest" value="([0-9a-f]{64})"', html).group(1)
    DataSet.objects.create(
        prefecture=loaded.prefecture, scope=DataSetScope.PREFECTURE, fiscal_year=2022, state="approved"
    )

    response = client.post(
        URL,
        {"note": "国への提出版", "confirm_unapproved": "on", "unapproved_digest": digest, "confirmed": "yes"},
    )

    assert response.status_code == 400
    assert "未承認の数値の一覧が変わりました" in response.content.decode()
    assert PublishedEdition.objects.count() == 0
