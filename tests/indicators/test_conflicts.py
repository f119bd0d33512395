"""Observations, targets and indicator definitions carry a version: a stale edit is refused and shown."""

from decimal import Decimal

import pytest

from core.models import ChangeRecord
from indicators.models import Indicator, Observation, Target
from tests.factories import Role, make_user


@pytest.fixture
def colleague(reference_data):
    return make_user("official-2", Role.PREFECTURE)


def _form_data(response) -> dict:
    form = response.context["form"]
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = "" if value is None else getattr(value, "pk", value)
    return data


def _stale_edit(url, a, b, change_a, change_b):
    """A and B open `url`; A saves; B saves the page loaded before A's save. Returns B's response."""
    data_a, data_b = _form_data(a.get(url)), _form_data(b.get(url))
    assert a.post(url, {**data_a, **change_a}).status_code == 302
    return b.post(url, {**data_b, **change_b})


def _assert_conflict(response, expected_rows):
    assert response.status_code == 200
    assert 'data-testid="conflict"' in response.content.decode()
    assert [(r.label, r.theirs, r.yours) for r in response.context["conflict_rows"]] == expected_rows


def test_a_stale_observation_edit_is_refused(sheet, official, colleague, client_for):
    observation = Observation.objects.filter(indicator__code="discharge_rate_3m").first()
    url = f"/indicators/values/{observation.pk}/edit/"
    records = ChangeRecord.objects.for_object(observation).count()
    response = _stale_edit(
        url, client_for(official), client_for(colleague), {"value": "50.1"}, {"value": "49.9", "note": "B"}
    )
    _assert_conflict(response, [("値", "50.100", "49.900")])
    observation.refresh_from_db()
    assert observation.value == Decimal("50.1") and observation.note != "B"
    assert ChangeRecord.objects.for_object(observation).count() == records + 1
    # The page now carries the stored version: saving again overwrites deliberately.
    again = _form_data(response)
    assert again["version"] == str(observation.version)
    assert client_for(colleague).post(url, again).status_code == 302
    observation.refresh_from_db()
    assert observation.value == Decimal("49.9")


def test_a_stale_target_edit_is_refused(sheet, official, colleague, client_for):
    target = Target.objects.filter(indicator__code="discharge_rate_3m").first()
    url = f"/indicators/targets/{target.pk}/edit/"
    response = _stale_edit(
        url, client_for(official), client_for(colleague), {"note": "Aの備考"}, {"note": "Bの備考"}
    )
    _assert_conflict(response, [("備考", "Aの備考", "Bの備考")])
    target.refresh_from_db()
    assert target.note == "Aの備考"


def test_a_stale_indicator_edit_is_refused(sheet, official, colleague, client_for):
    url = "/indicators/definitions/discharge_rate_3m/edit/"
    response = _stale_edit(
        url,
        client_for(official),
        client_for(colleague),
        {"name_ja": "Aさんの指標名"},
        {"name_ja": "Bさんの指標名", "unit": "パーセント"},
    )
    _assert_conflict(response, [("指標名", "Aさんの指標名", "Bさんの指標名")])
    indicator = Indicator.objects.get(code="discharge_rate_3m")
    assert indicator.name_ja == "Aさんの指標名" and indicator.unit != "パーセント"
