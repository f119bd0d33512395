"""training/filters.py: each parameter of the session list filters; refused input filters nothing."""

from datetime import date

import pytest

from tests.factories import region
from tests.training.factories import TrainingSessionFactory
from training.filters import SessionFilter
from training.models import TrainingSession


@pytest.fixture
def sessions(reference_data):
    TrainingSessionFactory(title="岩国R4", region=region("3501"))
    TrainingSessionFactory(title="萩R4", region=region("3508"), course="multidisciplinary")
    TrainingSessionFactory(title="県R5", region=None, start_date=date(2023, 6, 1))
    TrainingSessionFactory(title="削除R4", region=region("3501"), is_deleted=True)


def _filter(user, data):
    regions = [region(code) for code in ("3501", "3508")]
    return SessionFilter(data, TrainingSession.objects.all(), years=[2022, 2023], regions=regions, user=user)


def _titles(user, data):
    return set(_filter(user, data).qs.values_list("title", flat=True))


def test_each_parameter_filters(sessions, official):
    assert _titles(official, None) == {"岩国R4", "萩R4", "県R5"}
    assert _titles(official, {"fiscal_year": "2022"}) == {"岩国R4", "萩R4"}
    assert _titles(official, {"region": str(region("3508").pk)}) == {"萩R4"}
    assert _titles(official, {"region": "pref"}) == {"県R5"}
    assert _titles(official, {"course": "multidisciplinary"}) == {"萩R4"}
    assert _titles(official, {"deleted": "on"}) == {"削除R4"}


def test_the_deleted_filter_is_for_officials_only(sessions, viewer):
    assert "deleted" not in _filter(viewer, {}).form.fields
    assert _titles(viewer, {"deleted": "on"}) == {"岩国R4", "萩R4", "県R5"}


@pytest.mark.parametrize(
    ("field", "value"), [("fiscal_year", "2019"), ("fiscal_year", "x"), ("region", "0"), ("course", "?")]
)
def test_refused_input_filters_nothing_and_says_why_in_japanese(sessions, viewer, field, value):
    filters = _filter(viewer, {"course": "multidisciplinary", field: value})  # a valid filter beside it
    assert not filters.is_valid()
    assert filters.form.errors[field][0].startswith("正しく選択してください")
    assert set(filters.qs.values_list("title", flat=True)) == {"岩国R4", "萩R4", "県R5"}


def test_the_list_page_shows_refused_input(sessions, viewer, client_for):
    response = client_for(viewer).get("/training/?course=nope")
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 3
    assert "研修区分: 正しく選択してください" in response.content.decode()


def test_the_exports_apply_the_same_filters(sessions, viewer, client_for):
    response = client_for(viewer).get(f"/training/export.csv?region={region('3508').pk}")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "萩R4" in body and "岩国R4" not in body
