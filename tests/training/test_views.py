"""Screens: list filters and query counts, create / edit with attendee counts, history, locking."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import ChangeRecord
from tests.factories import region
from tests.training.factories import PeerSupportProgrammeFactory, TrainingSessionFactory
from tests.training.helpers import peer_post_data, session_post_data
from training.models import PeerSupportProgramme, TrainingSession


def _list_queries(client, url="/training/"):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_list_query_count_constant_as_rows_grow(client_for, official):
    client = client_for(official)
    TrainingSessionFactory(attendees={"hospital_nurse": 1})
    client.get("/training/")  # warm the session / profile caches the same way for both runs
    few = _list_queries(client)
    for code in ("3501", "3502", "3508"):
        TrainingSessionFactory.create_batch(
            15,
            region=region(code),
            attendees={"hospital_nurse": 2, "family": 1},
            organiser_kind="health_centre",
            organiser_health_centre=region(code).health_centres.first(),
        )
    TrainingSessionFactory.create_batch(5, region=None)
    many = _list_queries(client)
    assert few == many


def test_list_query_count_pinned(client_for, iwakuni_staff, django_assert_num_queries):
    TrainingSessionFactory.create_batch(60, attendees={"peer": 1})
    client = client_for(iwakuni_staff)
    client.get("/training/")
    # session, user, profile, regions (filter), fiscal years (filter), count, page rows,
    # and the session save (SESSION_SAVE_EVERY_REQUEST: savepoint, update, release);
    # the header's count of due items (reminders.due: the user's days, the staff's regions, the
    # action items, the follow-ups: 4, whatever the data)
    with django_assert_num_queries(14):
        response = client.get("/training/?fiscal_year=2022")
    assert len(response.context["page_obj"].object_list) == 50


def test_list_filters(client_for, viewer):
    TrainingSessionFactory(title="岩国R4", region=region("3501"))
    TrainingSessionFactory(title="萩R4", region=region("3508"), course="multidisciplinary")
    TrainingSessionFactory(title="岩国R5", region=region("3501"), start_date=date(2023, 6, 1))
    client = client_for(viewer)

    def titles(query):
        return [s.title for s in client.get(f"/training/?{query}").context["page_obj"]]

    assert set(titles("")) == {"岩国R4", "萩R4", "岩国R5"}
    assert set(titles("fiscal_year=2022")) == {"岩国R4", "萩R4"}
    assert titles(f"region={region('3508').pk}") == ["萩R4"]
    assert titles("course=multidisciplinary") == ["萩R4"]
    assert titles("fiscal_year=2023&region=pref") == []
    html = client.get("/training/").content.decode()
    assert "令和4年7月1日" not in html  # dates shown in 和暦 from stored data only
    assert "令和4年6月1日" in html
    assert (
        '<td class="text-end text-nowrap" data-label="時間">2.5時間</td>' in html
    )  # the hours carry their unit


def test_staff_records_session_with_attendees_and_history(client_for, iwakuni_staff):
    client = client_for(iwakuni_staff)
    form_page = client.get("/training/new/")
    assert form_page.status_code == 200
    assert form_page.context["form"].initial["organiser_kind"] == "health_centre"
    data = session_post_data(
        region=region("3501").pk,
        organiser_kind="health_centre",
        organiser_health_centre=iwakuni_staff.profile.health_centre.pk,
    )
    response = client.post("/training/new/", data)
    assert response.status_code == 302
    session = TrainingSession.objects.get()
    assert session.fiscal_year == 2022
    assert {a.organisation_type: a.count for a in session.attendances.all()} == {
        "hospital_nurse": 4,
        "consultation_office": 3,
    }
    record = ChangeRecord.objects.for_object(session).get()
    assert record.action == "create"
    assert record.username == "iwakuni-staff"
    assert record.changes["attendees"]["new"] == {"精神科病院：看護師": 4, "相談支援事業所": 3}

    detail = client.get(response["Location"]).content.decode()
    assert "7人" in detail  # total computed from the stored counts
    assert "80.0%" in detail

    edit = session_post_data(
        region=region("3501").pk,
        organiser_kind="health_centre",
        organiser_health_centre=iwakuni_staff.profile.health_centre.pk,
        hours="3",
        version=session.version,
        **{"counts-hospital_nurse": "6", "counts-consultation_office": ""},
    )
    assert client.post(f"/training/{session.pk}/edit/", edit).status_code == 302
    session.refresh_from_db()
    assert session.version == 2
    assert {a.organisation_type: a.count for a in session.attendances.all()} == {"hospital_nurse": 6}
    update = ChangeRecord.objects.for_object(session).get(action="update")
    assert set(update.changes) == {"hours", "attendees"}
    assert update.changes["attendees"]["old"] == {"精神科病院：看護師": 4, "相談支援事業所": 3}
    history = client.get(f"/training/{session.pk}/history/").content.decode()
    assert "変更" in history and "作成" in history and "参加者数" in history


def test_bad_input_rerenders_and_changes_nothing(client_for, iwakuni_staff):
    session = TrainingSessionFactory(title="元")
    client = client_for(iwakuni_staff)
    data = session_post_data(
        region=region("3501").pk,
        title="新",
        end_date="2022-06-30",
        start_date="2022-07-01",
        version=session.version,
        **{"counts-family": "-2"},
    )
    response = client.post(f"/training/{session.pk}/edit/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "終了日は開始日以降の日付にしてください。" in html
    assert "家族の人数に負の数は入力できません。" in html
    session.refresh_from_db()
    assert session.title == "元"
    assert not ChangeRecord.objects.exists()


def test_stale_version_is_refused(client_for, iwakuni_staff):
    session = TrainingSessionFactory(title="元")
    client = client_for(iwakuni_staff)
    first = session_post_data(region=region("3501").pk, title="先の変更", version=1)
    second = session_post_data(region=region("3501").pk, title="後の変更", version=1)
    assert client.post(f"/training/{session.pk}/edit/", first).status_code == 302
    response = client.post(f"/training/{session.pk}/edit/", second)
    assert response.status_code == 200
    assert "他の利用者が先にこの記録を更新しました" in response.content.decode()
    session.refresh_from_db()
    assert session.title == "先の変更"


def test_saving_without_changes_records_nothing(client_for, iwakuni_staff):
    client = client_for(iwakuni_staff)
    client.post("/training/new/", session_post_data(region=region("3501").pk))
    session = TrainingSession.objects.get()
    client.post(f"/training/{session.pk}/edit/", session_post_data(region=region("3501").pk, version=1))
    session.refresh_from_db()
    assert session.version == 1
    assert ChangeRecord.objects.for_object(session).count() == 1


def test_deleted_list_for_officials(client_for, official):
    TrainingSessionFactory(title="残る")
    TrainingSessionFactory(title="消した", is_deleted=True)
    client = client_for(official)
    assert [s.title for s in client.get("/training/").context["page_obj"]] == ["残る"]
    assert [s.title for s in client.get("/training/?deleted=on").context["page_obj"]] == ["消した"]


def test_peer_support_create_then_update_with_history(client_for, iwakuni_staff):
    client = client_for(iwakuni_staff)
    url = "/training/peer-support/3501/2022/edit/"
    assert client.post(url, peer_post_data()).status_code == 302
    programme = PeerSupportProgramme.objects.get()
    assert (programme.trained, programme.registered, programme.active) == (8, 6, 4)
    assert client.post(url, peer_post_data(active="5", version=programme.version)).status_code == 302
    programme.refresh_from_db()
    assert programme.active == 5
    assert programme.version == 2
    actions = list(ChangeRecord.objects.for_object(programme).order_by("pk").values_list("action", flat=True))
    assert actions == ["create", "update"]
    history = client.get("/training/peer-support/3501/2022/history/").content.decode()
    assert "活動中のピアサポーター数" in history


def test_peer_support_bad_input_changes_nothing(client_for, iwakuni_staff):
    PeerSupportProgrammeFactory(registered=5, active=3)
    client = client_for(iwakuni_staff)
    response = client.post(
        "/training/peer-support/3501/2022/edit/", peer_post_data(registered="2", active="3")
    )
    assert response.status_code == 200
    assert "活動中のピアサポーター数は登録数以下にしてください。" in response.content.decode()
    assert PeerSupportProgramme.objects.get().active == 3


def test_peer_support_list_shows_every_region(client_for, viewer, django_assert_max_num_queries):
    PeerSupportProgrammeFactory(region=region("3501"), active=3)
    client = client_for(viewer)
    response = client.get("/training/peer-support/?fiscal_year=2022")
    rows = response.context["rows"]
    assert len(rows) == 8
    assert rows[0]["programme"].active == 3
    assert rows[1]["programme"] is None
    assert "未登録" in response.content.decode()


@pytest.mark.parametrize("year", ["1999", "abc"])
def test_peer_support_list_bad_year_falls_back(client_for, viewer, year):
    response = client_for(viewer).get(f"/training/peer-support/?fiscal_year={year}")
    assert response.status_code == 200


def test_stale_version_shows_what_the_other_changed_beside_the_input(client_for, iwakuni_staff):
    session = TrainingSessionFactory(title="元", place="岩国市民会館", attendees={"family": 1})
    client = client_for(iwakuni_staff)
    first = session_post_data(region=region("3501").pk, title="先の変更", place="岩国市民会館", version=1)
    second = session_post_data(region=region("3501").pk, title="後の変更", place="萩市民館", version=1)
    assert client.post(f"/training/{session.pk}/edit/", first).status_code == 302
    response = client.post(f"/training/{session.pk}/edit/", second)
    assert response.status_code == 200
    rows = response.context["conflict_rows"]
    assert [(r.label, r.theirs, r.yours) for r in rows] == [("研修名", "先の変更", "後の変更")]
    assert 'data-testid="conflict"' in response.content.decode()
    session.refresh_from_db()
    assert (session.title, session.version) == ("先の変更", 2)
    # The form now carries the stored version: saving again is a deliberate overwrite.
    assert response.context["form"]["version"].value() == "2"
    assert client.post(f"/training/{session.pk}/edit/", {**second, "version": "2"}).status_code == 302
    session.refresh_from_db()
    assert (session.title, session.place) == ("後の変更", "萩市民館")


def test_peer_support_stale_version_shows_the_conflict(client_for, iwakuni_staff):
    PeerSupportProgrammeFactory(region=region("3501"), fiscal_year=2022, trained=6)
    client = client_for(iwakuni_staff)
    url = "/training/peer-support/3501/2022/edit/"
    assert client.post(url, peer_post_data(trained=9, version=1)).status_code == 302
    response = client.post(url, peer_post_data(trained=7, version=1))
    assert response.status_code == 200
    assert "他の利用者が先にこの記録を更新しました" in response.content.decode()
    rows = response.context["conflict_rows"]
    assert [(r.label, r.theirs, r.yours) for r in rows] == [("養成したピアサポーター数", "9", "7")]
    assert PeerSupportProgramme.objects.get().trained == 9
