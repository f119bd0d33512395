"""Bulk update()/delete() would change audited records with no history: they are refused."""

import pytest

from core.models import AuditedWriteError
from meetings.models import ActionItem, CaseReview, Meeting
from sheets.models import PublishedEdition
from training.models import PeerSupportProgramme, TrainingSession

AUDITED = [Meeting, ActionItem, CaseReview, TrainingSession, PeerSupportProgramme, PublishedEdition]


@pytest.mark.django_db
@pytest.mark.parametrize("model", AUDITED, ids=lambda m: m.__name__)
def test_bulk_update_and_delete_are_refused(model):
    with pytest.raises(AuditedWriteError, match="監査対象"):
        model.objects.all().update(pk=1)
    with pytest.raises(AuditedWriteError, match="監査対象"):
        model.objects.all().delete()
