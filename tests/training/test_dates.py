"""Training start / end dates accept only the portal's era up to two years ahead (form and service)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import region
from tests.training.helpers import session_post_data
from training import services
from training.forms import TrainingSessionForm
from training.models import TrainingSession


def _form(user, **overrides):
    return TrainingSessionForm(session_post_data(region=region("3501").pk, **overrides), user=user)


@pytest.mark.parametrize(
    ("start", "end", "field", "label"),
    [
        ("1867-01-01", "2022-07-01", "start_date", "開始日"),
        ("0001-01-01", "0001-01-01", "start_date", "開始日"),
        ("2022-07-01", "9999-12-31", "end_date", "終了日"),
    ],
)
def test_dates_out_of_range_are_refused_with_the_fields_name(iwakuni_staff, start, end, field, label):
    form = _form(iwakuni_staff, start_date=start, end_date=end)
    assert not form.is_valid()
    assert form.errors[field][0].startswith(f"{label}は 2000年4月1日（平成12年）以降、")


def test_dates_within_the_range_are_accepted(iwakuni_staff):
    ahead = (timezone.localdate() + timedelta(days=700)).isoformat()
    assert _form(iwakuni_staff, start_date="2000-04-01", end_date="2000-04-01").is_valid()
    assert _form(iwakuni_staff, start_date=ahead, end_date=ahead).is_valid()


def test_the_service_refuses_them_too(iwakuni_staff):
    with pytest.raises(ValidationError) as exc:
        services.training_session_create(
            by=iwakuni_staff,
            course="transition",
            title="研修",
            start_date=date(1867, 1, 1),
            end_date=date(1867, 1, 1),
            hours=Decimal("2"),
            organiser_kind="disability_support",
            region=region("3501"),
            place="会議室",
        )
    assert {"start_date", "end_date"} <= set(exc.value.message_dict)
    assert not TrainingSession.objects.exists()
