"""Factories shared by every app's tests. Apps add theirs in tests/<app>/factories.py."""

import factory
from django.conf import settings
from django.contrib.auth import get_user_model

from accounts.models import Profile, Role
from indicators.models import Indicator, Plan
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


class IndicatorFactory(factory.django.DjangoModelFactory):
    """An indicator definition; yearly with no publication lag unless told (630調査-like: lag 6)."""

    class Meta:
        model = Indicator
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"indicator_{n}")
    name_ja = factory.Sequence(lambda n: f"指標{n}")
    unit = "人"
    cycle_months = 12
    release_lag_months = 0


class PlanFactory(factory.django.DjangoModelFactory):
    """A plan; national, R6–R8 (第7期's years) unless told."""

    class Meta:
        model = Plan
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"計画{n}")
    issuer = Plan.Issuer.NATIONAL
    first_fiscal_year = 2024
    last_fiscal_year = 2026


__all__ = [
    "DEFAULT_PASSWORD",
    "IndicatorFactory",
    "PlanFactory",
    "Role",
    "UserFactory",
    "make_user",
    "region",
]
