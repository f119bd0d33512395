"""The one place where the portal decides who may do what.

Roles (GUIDE §2):
- prefecture official: everything, every region, targets, the sheet, accounts;
- health-centre staff: create and edit records of the region(s) their centre covers; read
  everything except another region's case details;
- viewer (partner bodies): read dashboards, sheets and meeting summaries; change nothing.

A superuser counts as a prefecture official; a signed-in user with no role reads like a viewer.
Every view, form, export and API checks through these functions — never by hiding a button.
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from accounts.models import Role

__all__ = [
    "RegionScopedQuerySet",
    "Role",
    "can_edit_region",
    "can_view_case_details",
    "can_write",
    "check_region",
    "editable_region_ids",
    "get_for_user",
    "health_centre_of",
    "is_prefecture",
    "prefecture_required",
    "role_of",
    "writer_required",
]


def _profile(user):
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_portal_profile", False)
    if cached is not False:
        return cached
    from accounts.models import Profile

    profile = Profile.objects.select_related("health_centre").filter(user=user).first()
    user._portal_profile = profile
    return profile


def role_of(user) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return Role.PREFECTURE
    profile = _profile(user)
    return profile.role if profile else Role.VIEWER


def is_prefecture(user) -> bool:
    return role_of(user) == Role.PREFECTURE


def is_health_centre_staff(user) -> bool:
    return role_of(user) == Role.HEALTH_CENTRE


def health_centre_of(user):
    profile = _profile(user)
    return profile.health_centre if profile and profile.role == Role.HEALTH_CENTRE else None


def editable_region_ids(user) -> frozenset[int] | None:
    """Region ids the user may write to; None means every region (prefecture officials)."""
    role = role_of(user)
    if role == Role.PREFECTURE:
        return None
    if role == Role.HEALTH_CENTRE:
        cached = getattr(user, "_portal_region_ids", None)
        if cached is None:
            centre = health_centre_of(user)
            cached = frozenset(centre.regions.values_list("pk", flat=True)) if centre else frozenset()
            user._portal_region_ids = cached
        return cached
    return frozenset()


def _region_id(region) -> int | None:
    return region if region is None or isinstance(region, int) else region.pk


def can_write(user) -> bool:
    return role_of(user) in {Role.PREFECTURE, Role.HEALTH_CENTRE}


def can_edit_region(user, region) -> bool:
    """May the user create or change a record of `region`? (None = prefecture-wide: officials only.)"""
    ids = editable_region_ids(user)
    if ids is None:
        return True
    region_id = _region_id(region)
    return region_id is not None and region_id in ids


REGION_DENIED_MESSAGE = "この圏域の記録を登録・変更する権限がありません。"


def check_region(by, region, *, prefecture_wide_message: str = REGION_DENIED_MESSAGE) -> None:
    """The services' check: raise PermissionDenied unless `by` may write records of `region` (None = 県全域)."""
    if not can_edit_region(by, region):
        raise PermissionDenied(prefecture_wide_message if region is None else REGION_DENIED_MESSAGE)


def can_view_case_details(user, region) -> bool:
    """Case details (anonymised, but still 要配慮個人情報-adjacent) are for officials and the region's staff."""
    return can_edit_region(user, region)


class RegionScopedQuerySet(models.QuerySet):
    """Scoping inside the queryset (as NetBox's restrict()): subclasses set `region_field`."""

    region_field = "region"

    def editable_by(self, user):
        ids = editable_region_ids(user)
        if ids is None:
            return self
        return self.filter(**{f"{self.region_field}__in": ids})

    def case_details_visible_to(self, user):
        return self.editable_by(user)


def get_for_user(queryset, user, *, action: str = "view", **lookup):
    """Fetch one object or raise 404; raise 403 when `action` ("view"/"edit"/"case") is not allowed."""
    try:
        obj = queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError) as exc:
        raise Http404("見つかりません") from exc
    if action == "view":
        return obj
    region = getattr(obj, "region_id", None)
    if action in {"edit", "case"} and not can_edit_region(user, region):
        raise PermissionDenied("この記録を操作する権限がありません。")
    return obj


def prefecture_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_prefecture(request.user):
            raise PermissionDenied("この操作は県職員のみ行えます。")
        return view(request, *args, **kwargs)

    return wrapper


def writer_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_write(request.user):
            raise PermissionDenied("閲覧者は記録を変更できません。")
        return view(request, *args, **kwargs)

    return wrapper
