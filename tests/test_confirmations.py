"""Confirmation steps (core.confirm): deleting or restoring a meeting or a training session and undoing
an import first show what will happen; a POST without the page's confirmation field changes nothing.
(Publishing: tests/sheets/test_publish_confirm.py; in a browser: tests/test_confirmations_browser.py.)"""

import pytest
from django.utils import timezone

from core.models import ChangeRecord
from indicators.models import ImportBatch, Observation
from meetings.models import Meeting
from tests.factories import region
from tests.indicators.helpers import csv_file
from tests.meetings.factories import ActionItemFactory, AgendaItemFactory, CaseReviewFactory, MeetingFactory
from tests.training.factories import TrainingSessionFactory
from training.models import TrainingSession

pytestmark = pytest.mark.django_db


def refused(response, label: str) -> str:
    assert response.status_code == 400
    html = response.content.decode()
    assert "確認が済んでいないため、何も変更していません" in html
    assert f">{label}</button>" in html  # the page to confirm from, drawn again
    return html


def test_deleting_a_meeting_says_what_goes_and_who_can_restore(client_for, iwakuni_staff):
    meeting = MeetingFactory(region=region("3501"), title="第2回 岩国圏域 協議の場")
    CaseReviewFactory(meeting=meeting, region=meeting.region)
    AgendaItemFactory(meeting=meeting)
    ActionItemFactory(meeting=meeting)
    client = client_for(iwakuni_staff)

    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert f'href="/meetings/{meeting.pk}/delete/"' in html  # a link to the step, no form acting at once
    assert f'action="/meetings/{meeting.pk}/delete/"' not in html
    page = client.get(f"/meetings/{meeting.pk}/delete/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "会議「第2回 岩国圏域 協議の場」" in html and "令和" in html
    agenda = meeting.agenda_items.count()  # the factory's own item and the one added here
    assert agenda >= 2
    assert f"議題 {agenda} 件・対応事項 1 件・事例 1 件" in html
    assert "保健所職員は元に戻せません。県職員だけが復元できます。" in html
    assert ">削除する</button>" in html and f'href="/meetings/{meeting.pk}/">戻る</a>' in html
    assert 'name="confirmed" value="yes"' in html


def test_a_meeting_delete_without_the_confirmation_changes_nothing(client_for, iwakuni_staff):
    meeting = MeetingFactory(region=region("3501"))
    changes, version = ChangeRecord.objects.count(), meeting.version

    refused(
        client_for(iwakuni_staff).post(f"/meetings/{meeting.pk}/delete/", {"confirmed": "no"}), "削除する"
    )

    meeting.refresh_from_db()
    assert (meeting.deleted_at, meeting.version) == (None, version)
    assert ChangeRecord.objects.count() == changes


def test_a_meeting_restore_is_confirmed_too(client_for, official):
    meeting = MeetingFactory(region=region("3501"), deleted_at=timezone.now())
    client = client_for(official)
    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert f'href="/meetings/{meeting.pk}/restore/"' in html

    assert (
        "一覧・集計・ダッシュボードに戻ります"
        in client.get(f"/meetings/{meeting.pk}/restore/").content.decode()
    )
    refused(client.post(f"/meetings/{meeting.pk}/restore/"), "復元する")
    assert Meeting.objects.get(pk=meeting.pk).deleted_at is not None

    assert client.post(f"/meetings/{meeting.pk}/restore/", {"confirmed": "yes"}).status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).deleted_at is None


def test_a_training_session_delete_and_restore_are_confirmed(client_for, official):
    session = TrainingSessionFactory(region=region("3501"), title="ピアサポーター養成研修")
    client = client_for(official)
    assert f'href="/training/{session.pk}/delete/"' in client.get(f"/training/{session.pk}/").content.decode()

    html = client.get(f"/training/{session.pk}/delete/").content.decode()
    assert "研修「ピアサポーター養成研修」" in html
    assert "県職員だけが削除済みの一覧から復元できます" in html
    refused(client.post(f"/training/{session.pk}/delete/"), "削除する")
    assert not TrainingSession.objects.get(pk=session.pk).is_deleted

    assert client.post(f"/training/{session.pk}/delete/", {"confirmed": "yes"}).status_code == 302
    assert TrainingSession.objects.get(pk=session.pk).is_deleted
    refused(client.post(f"/training/{session.pk}/restore/"), "復元する")
    assert TrainingSession.objects.get(pk=session.pk).is_deleted


@pytest.fixture
def applied_batch(client_for, official, sheet):
    client = client_for(official)
    response = client.post(
        "/indicators/imports/",
        {
            "file": csv_file(
                [
                    "discharge_rate_6m,350001,R2年度,71,NDB,,",
                    "discharge_rate_3m,350001,H29年度,49,NDB（再集計）,,1",
                ]
            )
        },
    )
    client.post(f"{response.url}confirm/")
    batch = ImportBatch.objects.get()
    assert batch.status == "applied"
    return batch


def state():
    return list(
        Observation.objects.order_by("pk").values_list("pk", "value", "version")
    ), ChangeRecord.objects.count()


def test_undoing_an_import_says_how_many_values_go_back_and_how_many_are_deleted(
    client_for, official, applied_batch
):
    client = client_for(official)
    html = client.get(f"/indicators/imports/{applied_batch.pk}/").content.decode()
    assert f'href="/indicators/imports/{applied_batch.pk}/undo/"' in html
    assert f'action="/indicators/imports/{applied_batch.pk}/undo/"' not in html

    html = client.get(f"/indicators/imports/{applied_batch.pk}/undo/").content.decode()
    assert "更新した 1 件の値は、取り込み前の値に戻します。" in html
    assert "新しく追加した 1 件の値は削除します。" in html
    assert "（2行）を取り消します。" in html
    assert ">取り消す</button>" in html


def test_an_undo_without_the_confirmation_changes_nothing(client_for, official, applied_batch):
    before = state()

    refused(client_for(official).post(f"/indicators/imports/{applied_batch.pk}/undo/"), "取り消す")

    assert state() == before
    assert ImportBatch.objects.get().status == "applied"


def test_an_undo_of_an_import_not_applied_only_says_so(client_for, official, applied_batch):
    client = client_for(official)
    assert (
        client.post(f"/indicators/imports/{applied_batch.pk}/undo/", {"confirmed": "yes"}).status_code == 302
    )
    before = state()

    response = client.get(f"/indicators/imports/{applied_batch.pk}/undo/", follow=True)

    assert "取り込み済みの状態ではないため、取り消せません" in response.content.decode()
    assert state() == before
