"""Locked periods (issue #17): while a data set is 提出済 or 承認済 every write of its figures is
refused with a message saying who locked it and how to unlock it — a value typed in (new or changed),
a deletion, the 協議の場 page, an import (at the preview and again at the confirmation, the whole
file), an import's undo, the peer-support figures and the sheet's part 1 — and the page says so
(200 or 409, never 500). Targets, training sessions and meetings are never locked.

Run on SQLite and on PostgreSQL (DATABASE_URL): the lock check reads the set's row FOR UPDATE."""

from datetime import date
from decimal import Decimal

import pytest

from core.models import ChangeRecord
from indicators.datasets import DataSetLocked
from indicators.importing import RawRow
from indicators.models import ImportBatch, Indicator, Observation, Plan, Target
from indicators.services import (
    datasets as steps,
)
from indicators.services import (
    imports as import_services,
)
from indicators.services import (
    observation_delete,
    observation_record,
    target_record,
    venue_statuses_save,
)
from regions.models import Municipality, Prefecture, Region
from tests.factories import Role, data_set_key, make_user
from tests.indicators.helpers import csv_file
from tests.sheets.helpers import formset_post_data
from tests.training.helpers import peer_post_data
from training.models import PeerSupportProgramme
from training.services import peer_support_save, training_session_create

pytestmark = pytest.mark.usefixtures("sheet")

APPROVED = "のデータは"  # … 令和X年X月X日に official さんが承認したため変更できません
HOW_TO_UNLOCK = "「承認を取り消して再開する」"


@pytest.fixture
def official2(reference_data):
    return make_user("official-2", Role.PREFECTURE)


@pytest.fixture
def pref():
    return Prefecture.objects.get(code="350001")


@pytest.fixture
def iwakuni():
    return Region.objects.get(code="3501")


@pytest.fixture
def rate():
    return Indicator.objects.get(code="discharge_rate_3m")


def approve_region(staff, official, code="3501", fiscal_year=2022):
    steps.data_set_submit(by=staff, key=data_set_key(code, fiscal_year))
    return steps.data_set_approve(by=official, key=data_set_key(code, fiscal_year))


def approve_prefecture(submitter, official, code="prefecture", fiscal_year=2022):
    steps.data_set_submit(by=submitter, key=data_set_key(code, fiscal_year))
    return steps.data_set_approve(by=official, key=data_set_key(code, fiscal_year))


def record(by, indicator, pref, region, period, value):
    return observation_record(
        by=by, indicator=indicator, prefecture=pref, region=region, period_text=period, value=Decimal(value)
    )


# --- values typed in ------------------------------------------------------------------------------


def test_a_new_value_in_an_approved_set_is_refused_saying_who_and_how(
    iwakuni_staff, official, pref, iwakuni, rate
):
    approve_region(iwakuni_staff, official)
    with pytest.raises(DataSetLocked) as refused:
        record(iwakuni_staff, rate, pref, iwakuni, "R4年度", "50.1")
    message = refused.value.message
    assert message.startswith("岩国圏域 令和4年度" + APPROVED)
    assert "officialさんが承認したため変更できません" in message and HOW_TO_UNLOCK in message
    assert not Observation.objects.filter(region=iwakuni).exists()
    # another 年度 and another region are their own sets
    record(iwakuni_staff, rate, pref, iwakuni, "R3年度", "49.0")
    record(official, rate, pref, Region.objects.get(code="3502"), "R4年度", "52.0")
    # a month inside the 年度 belongs to it too
    with pytest.raises(DataSetLocked):
        record(iwakuni_staff, rate, pref, iwakuni, "R5年3月", "50.1")


def test_a_changed_value_is_refused_and_an_unchanged_save_is_left_alone(
    iwakuni_staff, official, pref, iwakuni, rate
):
    stored = record(iwakuni_staff, rate, pref, iwakuni, "R4年度", "50.1")
    approve_region(iwakuni_staff, official)
    assert record(official, rate, pref, iwakuni, "R4年度", "50.1").version == stored.version
    with pytest.raises(DataSetLocked):
        record(official, rate, pref, iwakuni, "R4年度", "51.0")
    stored.refresh_from_db()
    assert stored.value == Decimal("50.1")


def test_a_submitted_set_is_locked_until_it_is_sent_back(iwakuni_staff, official, pref, iwakuni, rate):
    steps.data_set_submit(by=iwakuni_staff, key=data_set_key("3501"))
    with pytest.raises(
        DataSetLocked, match="iwakuni-staffさんが提出したため、確認が終わるまで変更できません"
    ):
        record(iwakuni_staff, rate, pref, iwakuni, "R4年度", "50.1")
    steps.data_set_return(by=official, key=data_set_key("3501"), reason="値が未入力です")
    assert record(iwakuni_staff, rate, pref, iwakuni, "R4年度", "50.1").value == Decimal("50.1")


def test_reopening_unlocks_the_figures(iwakuni_staff, official, pref, iwakuni, rate):
    stored = record(iwakuni_staff, rate, pref, iwakuni, "R4年度", "50.1")
    approve_region(iwakuni_staff, official)
    steps.data_set_reopen(by=official, key=data_set_key("3501"), reason="確定値に差し替える")
    assert record(iwakuni_staff, rate, pref, iwakuni, "R4年度", "50.7").pk == stored.pk
    observation_delete(by=iwakuni_staff, observation=Observation.objects.get(pk=stored.pk))


def test_deleting_a_value_of_a_locked_set_is_refused(official, official2, pref, rate):
    stored = record(official, rate, pref, None, "R4年度", "50.1")
    approve_prefecture(official2, official)
    with pytest.raises(DataSetLocked, match="山口県（県全体） 令和4年度のデータは"):
        observation_delete(by=official, observation=stored)
    assert Observation.objects.filter(pk=stored.pk).exists()


def test_the_value_form_shows_the_lock_and_keeps_the_value(
    client_for, iwakuni_staff, official, pref, iwakuni, rate
):
    stored = record(iwakuni_staff, rate, pref, iwakuni, "R4年度", "50.1")
    approve_region(iwakuni_staff, official)
    client = client_for(iwakuni_staff)
    url = f"/indicators/values/{stored.pk}/edit/"
    page = client.get(url)
    assert page.status_code == 200 and HOW_TO_UNLOCK in page.content.decode()
    response = client.post(url, {"value": "55", "provenance": "", "note": "", "version": stored.version})
    assert response.status_code == 200
    html = response.content.decode()
    assert "岩国圏域 令和4年度" + APPROVED in html and HOW_TO_UNLOCK in html
    stored.refresh_from_db()
    assert stored.value == Decimal("50.1")
    # a new value of the set through the form: refused the same way
    response = client.post(
        "/indicators/values/new/", {"indicator": rate.pk, "area": "3501", "period": "R4年度", "value": "3"}
    )
    assert response.status_code == 200 and HOW_TO_UNLOCK in response.content.decode()
    assert Observation.objects.filter(region=iwakuni).count() == 1


def test_the_venue_page_refuses_a_locked_municipality_set(client_for, official, official2, pref):
    venue = Indicator.objects.get(code="consultation_venue")
    town = Municipality.objects.get(code="352012")
    venue_statuses_save(
        by=official, prefecture=pref, indicator=venue, period_text="R4年4月", statuses={town: True}
    )
    approve_prefecture(official2, official, code="municipalities")
    before = list(Observation.objects.filter(municipality__isnull=False).values_list("pk", "value"))
    response = client_for(official).post(
        "/indicators/venues/", {"period": "R4年4月", "provenance": "県調べ", "m_352012": "0", "m_352021": "1"}
    )
    assert response.status_code == 409
    assert "山口県（市町村別） 令和4年度" + APPROVED in response.content.decode()
    assert list(Observation.objects.filter(municipality__isnull=False).values_list("pk", "value")) == before
    # the prefecture-level set of the same 年度 is another set: not locked
    record(official, Indicator.objects.get(code="discharge_rate_6m"), pref, None, "R4年度", "70")


# --- imports --------------------------------------------------------------------------------------


def _upload(client, lines):
    return client.post("/indicators/imports/", {"file": csv_file(lines)})


def test_an_upload_with_any_row_in_a_locked_set_is_refused_as_a_whole(client_for, iwakuni_staff, official):
    approve_region(iwakuni_staff, official)
    response = _upload(
        client_for(official),
        [
            "discharge_rate_3m,3502,R4年度,50.0,,,",
            "discharge_rate_3m,3501,R4年度,50.0,,,",
            "discharge_rate_6m,3501,R4年度,70.0,,,",
        ],
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "3・4行目: 岩国圏域 令和4年度" + APPROVED in html and HOW_TO_UNLOCK in html
    assert not ImportBatch.objects.exists() and not Observation.objects.filter(region__isnull=False).exists()


def test_a_set_locked_after_the_upload_is_refused_at_the_preview_and_at_the_confirmation(
    client_for, iwakuni_staff, official
):
    client = client_for(official)
    response = _upload(
        client, ["discharge_rate_3m,3502,R4年度,50.0,,,", "discharge_rate_3m,3501,R4年度,50.0,,,"]
    )
    assert response.status_code == 302
    preview = client.get(response.url).content.decode()
    assert 'data-testid="preview"' in preview and "取り込む</button>" in preview
    approve_region(iwakuni_staff, official)
    preview = client.get(response.url).content.decode()
    assert "3行目: 岩国圏域 令和4年度" + APPROVED in preview
    assert 'data-testid="preview"' not in preview and "取り込む</button>" not in preview
    confirmed = client.post(f"{response.url}confirm/")
    assert confirmed.status_code == 409
    assert "3行目: 岩国圏域 令和4年度" + APPROVED in confirmed.content.decode()
    assert ImportBatch.objects.get().status == ImportBatch.Status.PENDING
    assert not Observation.objects.filter(region__isnull=False).exists()  # not even the open region's row


def test_undoing_an_import_into_a_set_locked_since_is_refused(client_for, iwakuni_staff, official, pref):
    batch = import_services.import_batch_create(
        by=official,
        prefecture=pref,
        file_name="x.csv",
        file_format="csv",
        rows=[RawRow(line=2, indicator="discharge_rate_3m", area="3501", period="R4年度", value="50")],
    )
    import_services.import_batch_apply(by=official, batch=batch)
    approve_region(iwakuni_staff, official)
    with pytest.raises(import_services.UndoRefused) as refused:
        import_services.import_batch_undo(by=official, batch=batch)
    assert "岩国圏域 令和4年度" + APPROVED in refused.value.problems[0]
    response = client_for(official).post(
        f"/indicators/imports/{batch.pk}/undo/", {"confirmed": "yes"}, follow=True
    )
    assert HOW_TO_UNLOCK in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED
    assert Observation.objects.get(region__code="3501").value == Decimal("50")


# --- peer support, the sheet's part 1 ---------------------------------------------------------------


def test_the_peer_support_figures_are_part_of_the_region_set(
    client_for, iwakuni_staff, official, official2, iwakuni
):
    programme, _ = peer_support_save(
        by=iwakuni_staff, region=iwakuni, fiscal_year=2022, trained=5, registered=4
    )
    approve_region(iwakuni_staff, official)
    with pytest.raises(DataSetLocked):
        peer_support_save(
            by=iwakuni_staff, region=iwakuni, fiscal_year=2022, version=programme.version, trained=6
        )
    response = client_for(iwakuni_staff).post(
        "/training/peer-support/3501/2022/edit/", peer_post_data(version=programme.version)
    )
    assert response.status_code == 200 and HOW_TO_UNLOCK in response.content.decode()
    programme.refresh_from_db()
    assert (programme.trained, programme.registered) == (5, 4)
    # a new programme of a locked set is refused too; another 年度 is its own set
    approve_region(official, official2, code="3501", fiscal_year=2021)
    with pytest.raises(DataSetLocked):
        peer_support_save(by=iwakuni_staff, region=iwakuni, fiscal_year=2021, trained=1)
    peer_support_save(by=iwakuni_staff, region=iwakuni, fiscal_year=2023, trained=1)
    assert set(PeerSupportProgramme.objects.values_list("fiscal_year", flat=True)) == {2022, 2023}


def test_the_sheet_part_1_refuses_a_fact_of_a_locked_set(client_for, official, official2):
    approve_prefecture(official2, official)
    client = client_for(official)
    data = formset_post_data(client.get("/sheets/2022/edit/part1/"))
    index = next(i for i in range(50) if data.get(f"facts-{i}-code") == "population")
    data[f"facts-{index}-value"] = "1300000"
    history = ChangeRecord.objects.count()
    response = client.post("/sheets/2022/edit/part1/", data)
    assert response.status_code == 409
    assert "山口県（県全体） 令和4年度" + APPROVED in response.content.decode()
    assert Observation.objects.get(indicator__code="population").value == Decimal("1315949")
    assert ChangeRecord.objects.count() == history


# --- what approval never locks --------------------------------------------------------------------


def test_targets_and_training_are_never_locked(iwakuni_staff, official, official2, pref, iwakuni, rate):
    approve_prefecture(official2, official)
    approve_region(iwakuni_staff, official)
    target, created = target_record(
        by=official,
        indicator=rate,
        plan=Plan.objects.get(name="山口県障害福祉サービス実施計画（第6期）"),
        prefecture=pref,
        fiscal_year=2022,
        value=Decimal("55"),
        comparator=Target.Comparator.GTE,
    )
    assert created and target.pk
    session = training_session_create(
        by=iwakuni_staff,
        course="transition",
        title="地域移行研修",
        start_date=date(2022, 10, 1),
        end_date=date(2022, 10, 1),
        hours=Decimal("2"),
        region=iwakuni,
        organiser_kind="health_centre",
        organiser_health_centre=iwakuni_staff.profile.health_centre,
    )
    assert session.fiscal_year == 2022
