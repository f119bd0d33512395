"""Validation: no negative counts, end not before start, hours sensible, satisfied ≤ respondents,
active ≤ registered — at the form, the service and the database."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.forms import OrganisationCountsForm
from tests.factories import region
from tests.training.factories import PeerSupportProgrammeFactory, TrainingSessionFactory
from tests.training.helpers import peer_post_data, session_post_data
from training import services
from training.forms import PeerSupportForm, TrainingSessionForm
from training.models import PeerSupportProgramme, TrainingSession


def _session_form(user, **overrides):
    overrides.setdefault("region", region("3501").pk)
    data = session_post_data(**overrides)
    return TrainingSessionForm(data, user=user)


def test_valid_form_passes(iwakuni_staff):
    form = _session_form(iwakuni_staff)
    assert form.is_valid(), form.errors


def test_end_before_start_is_refused(iwakuni_staff):
    form = _session_form(iwakuni_staff, start_date="2022-07-02", end_date="2022-07-01")
    assert not form.is_valid()
    assert form.errors["end_date"] == ["終了日は開始日以降の日付にしてください。"]


@pytest.mark.parametrize("hours", ["0", "-1", "40.25", "100"])
def test_hours_must_be_sensible(iwakuni_staff, hours):
    form = _session_form(iwakuni_staff, hours=hours)
    assert not form.is_valid()
    assert "hours" in form.errors
    assert form.errors["hours"][0].startswith("研修時間は")


@pytest.mark.parametrize("hours", ["0.25", "2.5", "40"])
def test_decimal_hours_within_bounds_are_accepted(iwakuni_staff, hours):
    assert _session_form(iwakuni_staff, hours=hours).is_valid()


def test_satisfied_cannot_exceed_respondents(iwakuni_staff):
    form = _session_form(iwakuni_staff, respondents="5", satisfied="6")
    assert not form.is_valid()
    assert form.errors["satisfied"] == ["満足と回答した人数は回答数以下にしてください。"]


def test_negative_respondents_refused(iwakuni_staff):
    form = _session_form(iwakuni_staff, respondents="-1", satisfied="0")
    assert not form.is_valid()
    assert "respondents" in form.errors


def test_health_centre_organiser_needs_a_centre(iwakuni_staff):
    form = _session_form(iwakuni_staff, organiser_kind="health_centre", organiser_health_centre="")
    assert not form.is_valid()
    assert form.errors["organiser_health_centre"] == ["主催の保健所を選んでください。"]


def test_other_organiser_needs_a_name(iwakuni_staff):
    form = _session_form(iwakuni_staff, organiser_kind="other", organiser_other="  ")
    assert not form.is_valid()
    assert form.errors["organiser_other"] == ["主催者名を入力してください。"]


def test_negative_attendee_count_refused_in_japanese(db):
    form = OrganisationCountsForm({"counts-hospital_nurse": "-3"})
    assert not form.is_valid()
    assert form.errors["hospital_nurse"] == ["精神科病院：看護師の人数に負の数は入力できません。"]


def test_blank_attendee_counts_mean_zero(db):
    form = OrganisationCountsForm({"counts-hospital_nurse": "2", "counts-family": ""})
    assert form.is_valid()
    assert form.counts() == {"hospital_nurse": 2}
    assert form.total() == 2


def test_staff_cannot_choose_prefecture_wide(iwakuni_staff):
    form = _session_form(iwakuni_staff, region="")
    assert not form.is_valid()
    assert "region" in form.errors


def test_staff_cannot_choose_other_region(iwakuni_staff):
    form = _session_form(iwakuni_staff, region=region("3508").pk)
    assert not form.is_valid()
    assert "region" in form.errors


def test_service_refuses_end_before_start(official):
    with pytest.raises(ValidationError):
        services.training_session_create(
            by=official,
            course="transition",
            title="t",
            start_date=date(2022, 7, 2),
            end_date=date(2022, 7, 1),
            hours=Decimal(2),
            organiser_kind="disability_support",
            region=None,
        )
    assert not TrainingSession.objects.exists()


def test_service_refuses_negative_attendee_count(official):
    with pytest.raises(ValueError):
        services.training_session_create(
            by=official,
            course="transition",
            title="t",
            start_date=date(2022, 7, 1),
            end_date=date(2022, 7, 1),
            hours=Decimal(2),
            organiser_kind="disability_support",
            region=None,
            attendee_counts={"family": -1},
        )
    assert not TrainingSession.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"start_date": date(2022, 7, 2), "end_date": date(2022, 7, 1)},
        {"hours": Decimal(0)},
        {"hours": Decimal(41)},
        {"respondents": 2, "satisfied": 3},
    ],
)
def test_database_constraints_hold_without_the_form(reference_data, overrides):
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingSessionFactory(**overrides)


def test_fiscal_year_is_derived_from_start_date(official):
    session = services.training_session_create(
        by=official,
        course="transition",
        title="年度末の研修",
        start_date=date(2023, 3, 31),
        end_date=date(2023, 4, 1),
        hours=Decimal(3),
        organiser_kind="disability_support",
        region=None,
    )
    assert session.fiscal_year == 2022


# --- Peer support ---


def test_peer_form_valid(reference_data):
    assert PeerSupportForm(peer_post_data()).is_valid()


def test_active_cannot_exceed_registered(reference_data):
    form = PeerSupportForm(peer_post_data(registered="3", active="4"))
    assert not form.is_valid()
    assert form.errors["active"] == ["活動中のピアサポーター数は登録数以下にしてください。"]


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("hospitals_wanting", {"hospitals_surveyed": "2", "hospitals_wanting": "3"}),
        ("offices_wanting", {"offices_surveyed": "2", "offices_wanting": "3"}),
    ],
)
def test_wanting_cannot_exceed_surveyed(reference_data, field, overrides):
    form = PeerSupportForm(peer_post_data(**overrides))
    assert not form.is_valid()
    assert field in form.errors


@pytest.mark.parametrize(
    "field",
    ["hospitals_surveyed", "trained", "registered", "active", "hospital_visits", "meeting_participations"],
)
def test_peer_counts_cannot_be_negative(reference_data, field):
    form = PeerSupportForm(peer_post_data(**{field: "-1"}))
    assert not form.is_valid()
    assert "負の数は入力できません" in form.errors[field][0]


def test_peer_service_refuses_active_above_registered(iwakuni_staff):
    with pytest.raises(ValidationError):
        services.peer_support_save(
            by=iwakuni_staff, region=region("3501"), fiscal_year=2022, registered=1, active=2
        )
    assert not PeerSupportProgramme.objects.exists()


def test_peer_database_constraint_holds(reference_data):
    with pytest.raises(IntegrityError), transaction.atomic():
        PeerSupportProgrammeFactory(registered=1, active=2)


def test_one_programme_per_region_and_year(reference_data):
    PeerSupportProgrammeFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        PeerSupportProgrammeFactory()
