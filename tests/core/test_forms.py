"""core.forms: the versioned model form shared by meetings and training, and the stale-version error."""

from django import forms

from core.forms import StaleVersionError, VersionedModelForm
from core.models import ChangeRecord


class _RecordForm(VersionedModelForm):
    class Meta:
        model = ChangeRecord
        fields = ["object_repr"]


def test_versioned_form_carries_the_loaded_version():
    record = ChangeRecord(pk=7, object_repr="会議")
    record.version = 4  # any model with a `version` works; ChangeRecord stands in without a table
    form = _RecordForm(instance=record)
    assert isinstance(form.fields["version"].widget, forms.HiddenInput)
    assert form["version"].value() == 4
    assert _RecordForm().initial.get("version") is None

    posted = _RecordForm({"object_repr": "会議", "version": "4"}, instance=record)
    assert posted.is_valid(), posted.errors
    assert posted.loaded_version == 4
    refused = _RecordForm({"object_repr": "会議", "version": "-1"}, instance=record)
    assert not refused.is_valid()


def test_stale_version_error_keeps_the_stored_record_and_its_message():
    stored = object()
    error = StaleVersionError(stored)
    assert error.instance is stored
    assert str(error).startswith("他の利用者が先にこの記録を更新しました。")
    assert StaleVersionError().instance is None
