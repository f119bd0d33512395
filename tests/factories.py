"""Factories shared by every app's tests. Apps add theirs in tests/<app>/factories.py."""

from decimal import Decimal

import factory
from django.conf import settings
from django.contrib.auth import get_user_model

from accounts.models import Profile, Role
from indicators.models import FlaggedValue, ValidationRule
from regions.models import HealthCentre, Prefecture, Region

DEFAULT_PASSWORD = "correct-horse-battery-staple-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def owning_prefecture(region) -> Prefecture:
    """What the meeting and training services set: the region's prefecture, or the portal's for a
    prefecture-wide record (created here when a test has loaded no reference data)."""
    if region is not None:
        return region.prefecture
    return Prefecture.objects.get_or_create(
        code=settings.PORTAL_PREFECTURE_CODE, defaults={"name": "山口県"}
    )[0]


def make_user(username: str, role: str, *, health_centre: HealthCentre | str | None = None):
    """A user with a portal role; `health_centre` may be a centre or its code (e.g. "iwakuni")."""
    if isinstance(health_centre, str):
        health_centre = HealthCentre.objects.get(code=health_centre)
    user = UserFactory(username=username)
    Profile.objects.update_or_create(user=user, defaults={"role": role, "health_centre": health_centre})
    return user


def region(code_or_name: str) -> Region:
    return (
        Region.objects.get(code=code_or_name)
        if code_or_name.isdigit()
        else Region.objects.get(name=code_or_name)
    )


__all__ = [
    "DEFAULT_PASSWORD",
    "FlaggedValueFactory",
    "Role",
    "UserFactory",
    "ValidationRuleFactory",
    "make_user",
    "region",
]


# --- indicators: validation rules and the values they flagged (issue #17) ------------------------


class ValidationRuleFactory(factory.django.DjangoModelFactory):
    """A soft ±30 % rule unless told otherwise; `indicator` is required."""

    class Meta:
        model = ValidationRule

    kind = ValidationRule.Kind.CHANGE_PERCENT
    severity = ValidationRule.Severity.SOFT
    threshold = Decimal("30")


class FlaggedValueFactory(factory.django.DjangoModelFactory):
    """An unresolved flag; `observation` is required."""

    class Meta:
        model = FlaggedValue

    rule_label = "前の期間からの変化率: ±30％まで"
    message = factory.Sequence(lambda n: f"前の期間の値から大きく変わっています（{n}）。")
    note = "出典と照合済み"
