from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError

from core.fiscal import PeriodParseError
from core.models import ChangeRecord
from indicators.models import Indicator, Observation
from indicators.services import observation_record
from indicators.values import format_value, period_from_text, share_percent
from regions.models import Municipality, Prefecture


def test_periods_parse_to_typed_keys():
    assert period_from_text("R3年6月").key == "month:2021-06"
    assert period_from_text("R3年6月").as_of == date(2021, 6, 30)
    assert period_from_text("H29年度").key == "fy:2017"
    assert period_from_text("令和３年６月３０日").key == "date:2021-06-30"
    assert period_from_text("H26年").key == "year:2014"
    with pytest.raises(PeriodParseError):
        period_from_text("そのうち")


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(728, 5111, "14.2"), (887, 5111, "17.4"), (3496, 5111, "68.4"), (1, 3, "33.3"), (1, 8, "12.5")],
)
def test_shares_round_half_up_from_counts(part, whole, expected):
    assert share_percent(part, whole) == Decimal(expected)


def test_share_of_nothing_is_none():
    assert share_percent(5, 0) is None
    assert share_percent(None, 10) is None


def test_format_value():
    people = Indicator(code="x", name_ja="x", decimal_places=0)
    rate = Indicator(code="y", name_ja="y", decimal_places=1)
    yes_no = Indicator(code="z", name_ja="z", value_type=Indicator.ValueType.YES_NO)
    assert format_value(Decimal("1315949"), people) == "1,315,949"
    assert format_value(Decimal("48.6"), rate) == "48.6"
    assert format_value(Decimal("56"), rate, as_entered=True) == "56"
    assert format_value(Decimal("68.9"), rate, as_entered=True) == "68.9"
    assert format_value(Decimal("0"), yes_no) == "無"


@pytest.mark.django_db
def test_observations_are_unique_per_indicator_area_and_period(reference_data, official):
    pref = Prefecture.objects.get(code="350001")
    venue = Indicator.objects.create(code="venue", name_ja="協議の場の有無", value_type="yes_no")
    shimonoseki = Municipality.objects.get(code="352012")
    first = observation_record(
        by=official,
        indicator=venue,
        prefecture=pref,
        municipality=shimonoseki,
        period_text="R4年4月",
        value=1,
    )
    again = observation_record(
        by=official,
        indicator=venue,
        prefecture=pref,
        municipality=shimonoseki,
        period_text="R4年4月",
        value=0,
    )
    assert first.pk == again.pk and again.value == 0 and again.area_key == "muni:352012"
    assert again.edited_by == official
    assert ChangeRecord.objects.for_object(again).count() == 2
    with pytest.raises(IntegrityError):
        Observation.objects.create(
            indicator=venue,
            prefecture=pref,
            area_key="muni:352012",
            period_kind="month",
            fiscal_year=2022,
            as_of=date(2022, 4, 30),
            period_end=date(2022, 4, 30),
            period_key="month:2022-04",
            value=1,
        )
