"""core.records: the bookkeeping fields, querysets shared by meetings and training."""

from datetime import date

from django.utils import timezone

from core.models import ChangeRecord
from core.records import (
    RecordQuerySet,
    RegionLabelMixin,
    SoftDeleteQuerySet,
    TrackedRecord,
    save_version_step,
)
from meetings.models import Meeting
from regions.models import Region
from tests.meetings.factories import MeetingFactory
from tests.training.factories import PeerSupportProgrammeFactory, TrainingSessionFactory
from training.models import PeerSupportProgramme, TrainingSession


def region(code):
    return Region.objects.get(code=code)


def test_the_bookkeeping_fields_are_one_definition():
    for model in (Meeting, TrainingSession, PeerSupportProgramme):
        assert issubclass(model, TrackedRecord)
        version = model._meta.get_field("version")
        assert (version.verbose_name, version.default, version.editable) == ("版", 1, False)
        assert model._meta.get_field("created_at").auto_now_add
        assert model._meta.get_field("updated_at").auto_now
    assert TrackedRecord._meta.abstract


def test_region_label_names_the_region_or_the_prefecture(reference_data):
    assert issubclass(Meeting, RegionLabelMixin) and issubclass(TrainingSession, RegionLabelMixin)
    assert MeetingFactory(region=region("3501")).region_label == region("3501").full_name
    assert TrainingSessionFactory(region=None).region_label == "県全域"


def test_fiscal_year_and_region_filters_are_shared(reference_data):
    iwakuni = region("3501")
    in_2022 = TrainingSessionFactory(region=iwakuni)
    prefecture_wide = TrainingSessionFactory(region=None)
    in_2023 = TrainingSessionFactory(region=iwakuni, start_date=date(2023, 4, 1))
    assert isinstance(TrainingSession.objects.all(), RecordQuerySet)
    sessions = TrainingSession.objects.all()
    assert set(sessions.in_fiscal_year(2022)) == {in_2022, prefecture_wide}
    assert set(sessions.for_region(iwakuni)) == {in_2022, in_2023}
    assert set(sessions.for_region(None)) == {prefecture_wide}
    programme = PeerSupportProgrammeFactory(region=iwakuni, fiscal_year=2022)
    PeerSupportProgrammeFactory(region=iwakuni, fiscal_year=2023)
    assert list(PeerSupportProgramme.objects.in_fiscal_year(2022)) == [programme]


def test_soft_delete_lookups_follow_each_models_storage(reference_data):
    kept, gone = MeetingFactory(), MeetingFactory(deleted_at=timezone.now())
    assert isinstance(Meeting.objects.all(), SoftDeleteQuerySet)
    assert list(Meeting.objects.alive()) == [kept]
    assert list(Meeting.objects.deleted()) == [gone]

    active, deleted = TrainingSessionFactory(), TrainingSessionFactory(is_deleted=True)
    assert list(TrainingSession.objects.alive()) == [active]
    assert list(TrainingSession.objects.active()) == [active]
    assert list(TrainingSession.objects.deleted()) == [deleted]


def test_save_version_step_bumps_saves_only_the_fields_and_records(official):
    meeting = MeetingFactory(title="元の会議名")
    meeting.title = "保存されない変更"
    meeting.deleted_at = timezone.now()
    record = save_version_step(
        meeting,
        by=official,
        action=ChangeRecord.Action.DELETE,
        fields=["deleted_at"],
        changes={"deleted": {"label": "削除", "old": None, "new": "削除済み"}},
    )
    stored = Meeting.objects.get(pk=meeting.pk)
    assert stored.version == 2 and stored.deleted_at is not None
    assert stored.title == "元の会議名"  # only the named fields are written
    assert (record.action, record.username, record.changes["deleted"]["new"]) == (
        "delete",
        "official",
        "削除済み",
    )
    assert list(ChangeRecord.objects.for_object(meeting)) == [record]
