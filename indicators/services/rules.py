"""Writes of the validation rules an official sets per indicator (added, changed, taken out of use),
each recorded in the history. Rules are never deleted: a flag keeps the rule it came from.
"""

from __future__ import annotations

from django.db import transaction

from accounts import roles
from core.records import check_version
from indicators.models import Indicator, ValidationRule
from indicators.services import _save_tracked

RULE_FIELDS = ("kind", "severity", "minimum", "maximum", "threshold", "note", "is_active")
DENIED = "検証ルールを設定できるのは県の担当者です。"


def _require_official(by) -> None:
    roles.check_region(by, None, prefecture_wide_message=DENIED)


@transaction.atomic
def validation_rule_create(*, by, indicator: Indicator, **data) -> ValidationRule:
    """A new rule of `indicator`, in use at once."""
    _require_official(by)
    rule = ValidationRule(indicator=indicator)
    _save_tracked(rule, by=by, fields=RULE_FIELDS, data={**data, "is_active": True})
    return rule


@transaction.atomic
def validation_rule_update(*, by, rule: ValidationRule, version: int | None = None, **data) -> ValidationRule:
    """Change a rule (StaleVersionError when it was saved since the form loaded `version`)."""
    _require_official(by)
    rule = ValidationRule.objects.select_for_update().select_related("indicator").get(pk=rule.pk)
    check_version(rule, version)
    _save_tracked(rule, by=by, fields=RULE_FIELDS, data=data)
    return rule


@transaction.atomic
def validation_rule_deactivate(*, by, rule: ValidationRule) -> ValidationRule:
    """Stop using a rule (values are no longer judged by it; its flags stay as they are)."""
    _require_official(by)
    rule = ValidationRule.objects.select_for_update().select_related("indicator").get(pk=rule.pk)
    _save_tracked(rule, by=by, fields=("is_active",), data={"is_active": False})
    return rule
