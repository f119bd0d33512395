"""What officials' entries, definitions and imports store, and the import services' own role check (the
status of each URL for each persona, and refused writes changing nothing, are in tests/test_permissions.py)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from indicators.importing import RawRow
from indicators.models import Indicator, Observation, Plan, Target
from indicators.services import imports as import_services
from regions.models import Prefecture
from tests.indicators.helpers import csv_file

PERSONAS = ["official", "iwakuni_staff", "hagi_staff", "viewer"]


@pytest.fixture
def as_persona(request, client_for, sheet):
    def sign_in(persona):
        user = request.getfixturevalue(persona)
        return user, client_for(user)

    return sign_in


@pytest.fixture
def records(official, sheet):
    pref = Prefecture.objects.get(code="350001")
    batch = import_services.import_batch_create(
        by=official,
        prefecture=pref,
        file_name="x.csv",
        file_format="csv",
        rows=[RawRow(line=2, indicator="discharge_rate_6m", area="350001", period="R2年度", value="70")],
    )
    return {
        "observation": Observation.objects.get(indicator__code="discharge_rate_3m", period_key="fy:2017"),
        "target": Target.objects.filter(indicator__code="discharge_rate_3m").first(),
        "batch": batch,
    }


def official_posts(records):
    rate = Indicator.objects.get(code="discharge_rate_6m")
    plan = Plan.objects.first()
    batch = records["batch"]
    return [
        (
            "/indicators/values/new/",
            {"indicator": rate.pk, "area": "350001", "period": "R1年度", "value": "60"},
        ),
        (
            f"/indicators/values/{records['observation'].pk}/edit/",
            {"value": "47", "provenance": "x", "version": str(records["observation"].version)},
        ),
        (
            "/indicators/targets/new/",
            {
                "indicator": rate.pk,
                "plan": plan.pk,
                "area": "350001",
                "fiscal_year": "R5年度",
                "value": "1",
                "comparator": "gte",
            },
        ),
        (
            "/indicators/definitions/new/",
            {
                "code": "x",
                "name_ja": "x",
                "value_type": "number",
                "decimal_places": 0,
                "direction": "neutral",
                "display_order": 0,
            },
        ),
        (
            "/indicators/plans/new/",
            {"name": "x", "issuer": "national", "first_fiscal_year": 2027, "last_fiscal_year": 2029},
        ),
        ("/indicators/venues/", {"period": "R4年4月", "m_352012": "1"}),
        ("/indicators/imports/", {"file": csv_file(["discharge_rate_12m,350001,R2年度,80,,,"])}),
        (f"/indicators/imports/{batch.pk}/discard/", {}),
        (f"/indicators/imports/{batch.pk}/confirm/", {}),
        (f"/indicators/imports/{batch.pk}/undo/", {"confirmed": "yes"}),
    ]


def test_it_lets_officials_write(as_persona, records):
    _, client = as_persona("official")
    for url, data in official_posts(records):
        # the batch was discarded just before: confirming it is a conflict, every other post saves
        expected = 409 if url.endswith("/confirm/") else 302
        assert client.post(url, data).status_code == expected, url
    assert Observation.objects.get(
        indicator__code="discharge_rate_6m", period_key="fy:2019"
    ).value == Decimal("60")
    assert Observation.objects.get(
        indicator__code="discharge_rate_3m", period_key="fy:2017"
    ).value == Decimal("47")
    assert Indicator.objects.filter(code="x").exists() and Plan.objects.filter(name="x").exists()
    assert Observation.objects.filter(area_key="muni:352012", indicator__code="consultation_venue").exists()


@pytest.mark.parametrize("persona", ["iwakuni_staff", "viewer"])
def test_the_import_services_check_the_role_too(request, records, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        import_services.import_batch_apply(by=user, batch=records["batch"])
    with pytest.raises(PermissionDenied):
        import_services.import_batch_undo(by=user, batch=records["batch"])
    with pytest.raises(PermissionDenied):
        import_services.import_batch_create(
            by=user,
            prefecture=Prefecture.objects.get(code="350001"),
            file_name="x.csv",
            file_format="csv",
            rows=[],
        )
