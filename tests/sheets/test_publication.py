"""Publishing an edition: rendered before the lock, stored under it, a number taken meanwhile refused.

The render is replaced by a fast stand-in (the real PDF is tested in test_pdf.py) that records what
the database connection was doing while it ran.
"""

import hashlib
from pathlib import Path

import pytest
from django.db import connection

from core.models import ChangeRecord
from indicators.areas import portal_prefecture
from sheets import publication
from sheets.models import Edition, PublishedEdition
from tests.factories import Role, make_user
from tests.races import at_once, postgresql_only

FAKE_PDF = b"%PDF-1.7 stand-in"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def edition(reference_data):
    return Edition.objects.select_related("prefecture").get(
        pk=Edition.objects.create(prefecture=portal_prefecture(), fiscal_year=2022, title="共有シート").pk
    )


@pytest.fixture
def renders(monkeypatch):
    """The calls of the render as (number, in a transaction?); `renders.before` runs first, if set."""
    calls = []

    def fake_render(edition, *, number, published_at, context=None):
        calls.append((number, connection.in_atomic_block))
        if fake_render.before is not None:
            before, fake_render.before = fake_render.before, None
            before()
        return FAKE_PDF + str(number).encode(), f"content-{number}"

    fake_render.before = None
    fake_render.calls = calls
    monkeypatch.setattr(publication, "sheet_final_pdf", fake_render)
    return fake_render


def stored_files(media_root) -> list[Path]:
    return [p for p in Path(media_root).rglob("*") if p.is_file()]


@pytest.mark.django_db(transaction=True)
def test_the_pdf_is_rendered_outside_any_transaction(official, edition, renders, media_root):
    """No lock (and on SQLite no write lock on the whole database) is held through the render."""
    published = publication.edition_publish(by=official, edition=edition, note="国への提出版")

    assert renders.calls == [(1, False)]
    assert published.number == 1
    data = Path(published.pdf.path).read_bytes()
    assert data == FAKE_PDF + b"1"
    assert published.sha256 == hashlib.sha256(data).hexdigest()
    assert published.size == len(data)
    assert published.content_hash == "content-1"
    edition.refresh_from_db()
    assert edition.status == Edition.Status.PUBLISHED


@pytest.mark.django_db
def test_the_render_prints_the_next_number(official, edition, renders):
    publication.edition_publish(by=official, edition=edition)
    second = publication.edition_publish(by=official, edition=edition, note="実施内容を訂正")

    assert [number for number, _ in renders.calls] == [1, 2]
    assert second.number == 2
    assert list(edition.publications.newest_first().values_list("number", flat=True)) == [2, 1]


@pytest.mark.django_db
def test_a_publication_between_render_and_lock_is_refused(official, edition, renders, media_root):
    other = make_user("other-official", Role.PREFECTURE)
    renders.before = lambda: publication.edition_publish(
        by=other, edition=Edition.objects.get(pk=edition.pk), note="先に公開した版"
    )

    with pytest.raises(publication.PublicationConflict) as caught:
        publication.edition_publish(by=official, edition=edition, note="あとから公開しようとした版")

    assert "ほかの方が先に第1版を公開しました" in str(caught.value)
    assert caught.value.published.published_by == other
    assert [number for number, _ in renders.calls] == [1, 1]  # both rendered as 第1版, one stored
    only = PublishedEdition.objects.get()
    assert (only.number, only.note, only.published_by) == (1, "先に公開した版", other)
    assert stored_files(media_root) == [Path(only.pdf.path)]  # the loser's file was never written
    assert ChangeRecord.objects.filter(object_repr=str(only), action="create").count() == 1


@pytest.mark.django_db
def test_the_conflict_page_names_the_other_edition_and_keeps_the_note(
    loaded, official, client_for, renders, media_root
):
    other = make_user("other-official", Role.PREFECTURE)
    renders.before = lambda: publication.edition_publish(
        by=other, edition=loaded, note="先に公開した版", confirm_unapproved=True
    )

    # The loaded sheet's figures have no approved data set: both officials confirm publishing them.
    response = client_for(official).post(
        "/sheets/2022/publish/", {"note": "私の提出版", "confirm_unapproved": "on", "confirmed": "yes"}
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "ほかの方が先に第1版を公開しました" in html
    assert "私の提出版" in html  # the note is kept in the form
    assert "第2版として公開する" in html  # the page as it is now, the other edition listed
    assert list(PublishedEdition.objects.values_list("number", "note")) == [(1, "先に公開した版")]
    assert len(stored_files(media_root)) == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_officials_publishing_at_once_get_one_edition_and_one_conflict(
    monkeypatch, official, edition, media_root
):
    """Both render 第1版 before either stores it (they meet in the render): one stores it, the other
    is told, and no number is used twice."""
    other = make_user("other-official", Role.PREFECTURE)

    def render(edition, *, number, published_at, context=None):
        return FAKE_PDF + str(number).encode(), f"content-{number}"

    def publish(by):
        return lambda: publication.edition_publish(by=by, edition=Edition.objects.get(pk=edition.pk))

    results = at_once(
        monkeypatch, (publication, "sheet_final_pdf"), render, publish(official), publish(other)
    )

    conflicts = [r for r in results if isinstance(r, publication.PublicationConflict)]
    published = [r for r in results if isinstance(r, PublishedEdition)]
    assert len(conflicts) == 1 and len(published) == 1, results
    assert conflicts[0].published.pk == published[0].pk
    assert list(PublishedEdition.objects.values_list("number", flat=True)) == [1]
    assert len(stored_files(media_root)) == 1
