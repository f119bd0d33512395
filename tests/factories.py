"""Factories shared by every app's tests. Apps add theirs in tests/<app>/factories.py."""

from decimal import Decimal

import factory
from django.conf import settings
from django.contrib.auth import get_user_model

from accounts.models import Profile, Role
from indicators.models import FlaggedValue, Indicator, Plan, ValidationRule
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


class DataSetFactory(factory.django.DjangoModelFactory):
    """A data set row in a given state (issue #17); tests that exercise the steps use the services.

    Defaults: 岩国圏域 (3501), 令和4年度, 入力中. For a 県全体 / 市町村別 set pass scope and region=None."""

    class Meta:
        model = "indicators.DataSet"

    prefecture = factory.LazyFunction(lambda: Prefecture.objects.get(code=settings.PORTAL_PREFECTURE_CODE))
    scope = "region"
    region = factory.LazyFunction(lambda: Region.objects.get(code="3501"))
    fiscal_year = 2022
    state = "open"


def data_set_key(code: str = "3501", fiscal_year: int = 2022):
    """The key of a data set of the portal's prefecture by its page's code (a region's code,
    "prefecture" or "municipalities")."""
    from indicators.datasets import key_from_code

    prefecture = Prefecture.objects.get(code=settings.PORTAL_PREFECTURE_CODE)
    return key_from_code(prefecture=prefecture, code=code, fiscal_year=fiscal_year)[0]


def region(code_or_name: str) -> Region:
    return (
        Region.objects.get(code=code_or_name)
        if code_or_name.isdigit()
        else Region.objects.get(name=code_or_name)
    )


__all__ = [
    "DEFAULT_PASSWORD",
    "DataSetFactory",
    "FlaggedValueFactory",
    "Role",
    "UserFactory",
    "ValidationRuleFactory",
    "data_set_key",
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
