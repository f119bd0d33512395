"""Creating portal users and finding health centres by what an administrator types."""

from __future__ import annotations

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from accounts.models import Profile, Role
from core.audit import audit_permission_change
from regions.models import HealthCentre

_UNSET = object()


def access_snapshot(user) -> dict:
    """What decides a user's rights, as displayable values (for the permission-change audit)."""
    if user is None or user.pk is None:
        return {}
    profile = Profile.objects.filter(user=user).select_related("health_centre").first()
    return {
        "role": str(profile.get_role_display()) if profile else None,
        "health_centre": profile.health_centre.name if profile and profile.health_centre else None,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
    }


def health_centre_lookup(text: str) -> HealthCentre:
    """A centre by its code, its full name, or an unambiguous part of its name (e.g. 岩国)."""
    text = (text or "").strip()
    if not text:
        raise ValidationError("保健所を指定してください。")
    exact = HealthCentre.objects.filter(Q(code__iexact=text) | Q(name=text))
    if exact.count() == 1:
        return exact.get()
    matches = list(HealthCentre.objects.filter(name__contains=text).order_by("display_order"))
    if not matches:
        raise ValidationError(f"保健所「{text}」が見つかりません。")
    if len(matches) > 1:
        names = "、".join(m.name for m in matches)
        raise ValidationError(
            f"保健所「{text}」は複数に該当します（{names}）。コードか正式名称で指定してください。"
        )
    return matches[0]


def _check_role(role: str, health_centre) -> None:
    if role not in Role.values:
        raise ValidationError(f"ロール「{role}」は使えません（{', '.join(Role.values)} のいずれか）。")
    if role == Role.HEALTH_CENTRE and health_centre is None:
        raise ValidationError("保健所職員には --health-centre で所属保健所を指定してください。")
    if role != Role.HEALTH_CENTRE and health_centre is not None:
        raise ValidationError("所属保健所を指定できるのは保健所職員だけです。")


@transaction.atomic
def portal_user_create(
    *, username: str, role: str, password: str, health_centre: HealthCentre | None = None, by=None
):
    _check_role(role, health_centre)
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValidationError(f"利用者「{username}」は既に存在します。")
    user = User(username=username)
    user.full_clean(exclude=["password"])  # the user name: required, 150 characters, letters/digits/@.+-_
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save()
    Profile.objects.create(user=user, role=role, health_centre=health_centre)
    audit_permission_change(by=by, user=user, before={}, after=access_snapshot(user))
    return user


@transaction.atomic
def portal_user_update_access(*, by, user, role=None, health_centre=_UNSET, is_active=None, request=None):
    """Change a user's role / health centre / active flag; the change is recorded in the audit log."""
    before = access_snapshot(user)
    profile, _ = Profile.objects.get_or_create(user=user)
    new_role = role if role is not None else profile.role
    new_centre = profile.health_centre if health_centre is _UNSET else health_centre
    if new_role != Role.HEALTH_CENTRE and health_centre is _UNSET:
        new_centre = None
    _check_role(new_role, new_centre)
    profile.role, profile.health_centre = new_role, new_centre
    profile.full_clean()
    profile.save()
    if is_active is not None and user.is_active != is_active:
        user.is_active = is_active
        user.save(update_fields=["is_active"])
    return audit_permission_change(
        by=by, user=user, before=before, after=access_snapshot(user), request=request
    )
