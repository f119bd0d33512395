"""Permission matrix: everyone signed in reads; only prefecture officials enter, import, undo, define."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from core.models import ChangeRecord
from indicators.importing import RawRow
from indicators.models import ImportBatch, Indicator, Observation, Plan, Target
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


def read_urls(records):
    return [
        "/indicators/",
        "/indicators/?region=3508",
        "/indicators/?region=3501&fiscal_year=2022",
        "/indicators/definitions/",
        "/indicators/definitions/discharge_rate_3m/",
        "/indicators/export/status.csv",
        "/indicators/export/matrix.xlsx",
        "/indicators/export/activity.csv",
    ]


def official_pages(records):
    return [
        "/indicators/values/new/",
        f"/indicators/values/{records['observation'].pk}/edit/",
        "/indicators/targets/new/",
        f"/indicators/targets/{records['target'].pk}/edit/",
        "/indicators/definitions/new/",
        "/indicators/definitions/discharge_rate_3m/edit/",
        "/indicators/plans/new/",
        "/indicators/venues/",
        "/indicators/imports/",
        "/indicators/imports/template.csv",
        "/indicators/imports/template.xlsx",
        f"/indicators/imports/{records['batch'].pk}/",
    ]


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
        (f"/indicators/imports/{batch.pk}/undo/", {}),
    ]


def database():
    return (
        list(Observation.objects.order_by("pk").values_list("pk", "value", "provenance")),
        list(Target.objects.order_by("pk").values_list("pk", "value")),
        Indicator.objects.count(),
        Plan.objects.count(),
        list(ImportBatch.objects.order_by("pk").values_list("pk", "status")),
        ChangeRecord.objects.count(),
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lets_everyone_signed_in_read(as_persona, records, persona):
    _, client = as_persona(persona)
    for url in read_urls(records):
        assert client.get(url).status_code == 200, url


def test_it_sends_anonymous_users_to_sign_in(client, records):
    for url in [*read_urls(records), *official_pages(records)]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url, url


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lets_only_officials_open_the_entry_and_import_pages(as_persona, records, persona):
    _, client = as_persona(persona)
    expected = 200 if persona == "official" else 403
    for url in official_pages(records):
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize("persona", ["iwakuni_staff", "hagi_staff", "viewer"])
def test_it_refuses_every_write_by_others_and_changes_nothing(as_persona, records, persona):
    _, client = as_persona(persona)
    before = database()
    for url, data in official_posts(records):
        assert client.post(url, data).status_code == 403, url
    assert database() == before


def test_it_lets_officials_write(as_persona, records):
    _, client = as_persona("official")
    for url, data in official_posts(records):
        assert client.post(url, data).status_code in (200, 302, 409), url
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
