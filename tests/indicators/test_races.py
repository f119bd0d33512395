"""First saves of the same target or value at once (PostgreSQL): the loser gets the conflict, not an IntegrityError."""

from decimal import Decimal

import pytest

from core.forms import StaleVersionError
from indicators import services
from indicators.areas import portal_prefecture
from indicators.models import Indicator, Observation, Plan, Target
from tests.races import at_once, postgresql_only

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def definitions(reference_data):
    indicator = Indicator.objects.create(code="race_rate", name_ja="競合テスト", value_type="percent")
    plan = Plan.objects.create(
        name="競合テスト計画", issuer="prefecture", first_fiscal_year=2024, last_fiscal_year=2026
    )
    return indicator, plan


def _outcome(results):
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1, results
    assert isinstance(errors[0], StaleVersionError), errors[0]
    return errors[0]


def test_simultaneous_first_targets(monkeypatch, official, definitions):
    indicator, plan = definitions

    def save(value):
        return lambda: services.target_record(
            by=official,
            indicator=indicator,
            plan=plan,
            prefecture=portal_prefecture(),
            fiscal_year=2026,
            value=Decimal(value),
            comparator="gte",
        )

    results = at_once(monkeypatch, (Target, "full_clean"), Target.full_clean, save(60), save(70))
    conflict = _outcome(results)
    assert conflict.instance == Target.objects.get(indicator=indicator)


def test_simultaneous_first_observations(monkeypatch, official, definitions):
    indicator, _ = definitions

    def save(value):
        return lambda: services.observation_record(
            by=official,
            indicator=indicator,
            prefecture=portal_prefecture(),
            period_text="R6年度",
            value=Decimal(value),
        )

    results = at_once(monkeypatch, (Observation, "full_clean"), Observation.full_clean, save(40), save(50))
    conflict = _outcome(results)
    assert conflict.instance == Observation.objects.get(indicator=indicator)
