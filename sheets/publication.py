"""Publishing the status sheet as a numbered edition (第1版, 第2版 …): the PDF rendered once, stored
under MEDIA_ROOT with its SHA-256 and served unchanged ever after (`sheets.reading.published_edition_bytes`).

The render comes first and outside any transaction: WeasyPrint may take up to PDF_RENDER_TIMEOUT
seconds, and a transaction held through it would block every writer on SQLite (its transactions take
the database's write lock at BEGIN) and the edition's row on PostgreSQL. The PDF prints the number
the edition expects (read without a lock); the short transaction that stores it then locks the edition
row and checks that number is still free. If someone published meanwhile, nothing is stored and
`PublicationConflict` names their edition: re-rendering under the next number would publish a second
edition the official never reviewed, and a revision needs a note saying what it changes.

Figures not yet approved (their data set 入力中, 提出済 or 差し戻し, read through indicators.datasets)
are listed on the sheet page before publishing; publishing them needs the official's explicit
confirmation 「未承認の数値を含めて公開する」, given against the list they saw (`unapproved_digest`): if
the list changed meanwhile, nothing is published and the new list is shown. The check is made on the
very read model the PDF is rendered from, and the edition keeps that list (`unapproved_figures`).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from core import history
from sheets.models import Edition, PublishedEdition
from sheets.pdf import sheet_final_pdf, sheet_pdf_context
from sheets.reading import UnapprovedGroup

CONFIRM_LABEL = "未承認の数値を含めて公開する"


def unapproved_record(groups: list[UnapprovedGroup]) -> list[dict]:
    """The unapproved figures as stored on the edition: the names UnapprovedGroup and SheetFigure read
    by, so `sheets/includes/unapproved_groups.html` draws the stored list and the live one alike."""
    return [
        {
            "data_set_label": group.data_set_label,
            "state": group.state,
            "state_label": group.state_label,
            "figures": [
                {
                    "observation": figure.observation.pk,
                    "part": figure.part,
                    "label": figure.label,
                    "period_label": figure.period_label,
                    "value_text": figure.value_text,
                }
                for figure in group.figures
            ],
        }
        for group in groups
    ]


def unapproved_digest(groups: list[UnapprovedGroup]) -> str:
    """What the official confirms: which figures, of which data sets, in which state (not the values:
    a value typed meanwhile is published as any other edit of the sheet would be)."""
    seen = [
        [group.data_set_label, group.state, [figure.observation.pk for figure in group.figures]]
        for group in groups
    ]
    return hashlib.sha256(json.dumps(seen, ensure_ascii=False).encode()).hexdigest()


class UnapprovedNotConfirmed(Exception):
    """Publishing figures not yet approved without the confirmation, or after the list changed."""

    def __init__(self, groups: list[UnapprovedGroup], *, changed: bool):
        self.groups = groups
        self.changed = changed
        count = sum(len(group.figures) for group in groups)
        if changed:
            message = (
                "確認していただいた後に、未承認の数値の一覧が変わりました（承認・差し戻しなど）。"
                f"新しい一覧（{count} 件）を確認し、もう一度「{CONFIRM_LABEL}」にチェックを入れて"
                "公開してください（公開は行っていません）。"
            )
        else:
            message = (
                f"この版には県の承認を受けていない数値が {count} 件あります。一覧を確認し、"
                f"「{CONFIRM_LABEL}」にチェックを入れてから公開してください（公開は行っていません）。"
            )
        super().__init__(message)


def check_unapproved(
    groups: list[UnapprovedGroup], *, confirmed: bool, seen_digest: str | None = None
) -> None:
    """Refuse (UnapprovedNotConfirmed) unless every figure is approved, or the official confirmed
    publishing the unapproved ones — the same list they saw, when `seen_digest` is given."""
    if not groups:
        return
    if not confirmed:
        raise UnapprovedNotConfirmed(groups, changed=False)
    if seen_digest is not None and seen_digest != unapproved_digest(groups):
        raise UnapprovedNotConfirmed(groups, changed=True)


class PublicationConflict(Exception):
    """Another official published this edition's next number between the render and the lock."""

    def __init__(self, published: PublishedEdition):
        self.published = published
        super().__init__(
            f"ほかの方が先に第{published.number}版を公開しました（あなたの公開は行っていません）。"
            "公開された版を確認し、さらに版を重ねる必要があれば、前の版から何を直したかを書いて"
            "もう一度公開してください。"
        )


def edition_publish(
    *,
    by,
    edition: Edition,
    note: str = "",
    confirm_unapproved: bool = False,
    seen_digest: str | None = None,
) -> PublishedEdition:
    """Publish the fiscal year's sheet as its next numbered edition.

    Call outside a transaction (the render must not hold one, see the module's docstring). A rendering
    failure (core.pdf.PdfRenderError) publishes nothing; so do PublicationConflict and, when figures
    are not yet approved, UnapprovedNotConfirmed (raised before anything is rendered).
    """
    context = sheet_pdf_context(edition)
    groups = context["sheet"].unapproved_groups
    check_unapproved(groups, confirmed=confirm_unapproved, seen_digest=seen_digest)
    number = edition.publications.next_number()
    published_at = timezone.now()
    pdf, content_hash = sheet_final_pdf(edition, number=number, published_at=published_at, context=context)
    publication = _publication_store(
        by=by,
        edition=edition,
        number=number,
        pdf=pdf,
        content_hash=content_hash,
        published_at=published_at,
        note=note,
        unapproved=unapproved_record(groups),
    )
    edition.status = Edition.Status.PUBLISHED
    return publication


@transaction.atomic
def _publication_store(
    *,
    by,
    edition: Edition,
    number: int,
    pdf: bytes,
    content_hash: str,
    published_at: datetime,
    note: str,
    unapproved: list[dict],
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
        unapproved_figures=unapproved,
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
