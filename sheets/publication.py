"""Publishing the status sheet as a numbered edition (第1版, 第2版 …): the PDF rendered once, stored
under MEDIA_ROOT with its SHA-256 and served unchanged ever after (`sheets.reading.published_edition_bytes`).

The render comes first and outside any transaction: WeasyPrint may take up to PDF_RENDER_TIMEOUT
seconds, and a transaction held through it would block every writer on SQLite (its transactions take
the database's write lock at BEGIN) and the edition's row on PostgreSQL. The PDF prints the number
the edition expects (read without a lock); the short transaction that stores it then locks the edition
row and checks that number is still free. If someone published meanwhile, nothing is stored and
`PublicationConflict` names their edition: re-rendering under the next number would publish a second
edition the official never reviewed, and a revision needs a note saying what it changes.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from core import history
from sheets.models import Edition, PublishedEdition
from sheets.pdf import sheet_final_pdf


class PublicationConflict(Exception):
    """Another official published this edition's next number between the render and the lock."""

    def __init__(self, published: PublishedEdition):
        self.published = published
        super().__init__(
            f"ほかの方が先に第{published.number}版を公開しました（あなたの公開は行っていません）。"
            "公開された版を確認し、さらに版を重ねる必要があれば、前の版から何を直したかを書いて"
            "もう一度公開してください。"
        )


def edition_publish(*, by, edition: Edition, note: str = "") -> PublishedEdition:
    """Publish the fiscal year's sheet as its next numbered edition.

    Call outside a transaction (the render must not hold one, see the module's docstring). A rendering
    failure (core.pdf.PdfRenderError) publishes nothing; so does PublicationConflict.
    """
    number = edition.publications.next_number()
    published_at = timezone.now()
    pdf, content_hash = sheet_final_pdf(edition, number=number, published_at=published_at)
    publication = _publication_store(
        by=by,
        edition=edition,
        number=number,
        pdf=pdf,
        content_hash=content_hash,
        published_at=published_at,
        note=note,
    )
    edition.status = Edition.Status.PUBLISHED
    return publication


@transaction.atomic
def _publication_store(
    *, by, edition: Edition, number: int, pdf: bytes, content_hash: str, published_at: datetime, note: str
) -> PublishedEdition:
    """Store the rendered edition `number` unless someone published it (or a later one) since."""
    locked = Edition.objects.select_for_update().select_related("prefecture").get(pk=edition.pk)
    newest = locked.publications.newest_first().first()
    if newest is not None and newest.number >= number:
        raise PublicationConflict(newest)
    publication = PublishedEdition(
        edition=locked,
        number=number,
        note=note.strip(),
        sha256=hashlib.sha256(pdf).hexdigest(),
        size=len(pdf),
        content_hash=content_hash,
        published_at=published_at,
        published_by=by if getattr(by, "pk", None) else None,
    )
    publication.pdf.save("sheet.pdf", ContentFile(pdf), save=False)  # the name comes from upload_to
    try:
        publication.full_clean()
        publication.save()
        history.record_create(by=by, instance=publication)
        if locked.status != Edition.Status.PUBLISHED:
            before = history.snapshot(locked)
            locked.status = Edition.Status.PUBLISHED
            locked.save(update_fields=["status"])
            history.record_update(by=by, instance=locked, before=before)
    except BaseException:
        publication.pdf.storage.delete(publication.pdf.name)
        raise
    return publication
