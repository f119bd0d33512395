"""Creating portal users and finding health centres by what an administrator types."""

from __future__ import annotations

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from accounts.models import Profile, Role
from regions.models import HealthCentre


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


@transaction.atomic
def portal_user_create(*, username: str, role: str, password: str, health_centre: HealthCentre | None = None):
    if role not in Role.values:
        raise ValidationError(f"ロール「{role}」は使えません（{', '.join(Role.values)} のいずれか）。")
    if role == Role.HEALTH_CENTRE and health_centre is None:
        raise ValidationError("保健所職員には --health-centre で所属保健所を指定してください。")
    if role != Role.HEALTH_CENTRE and health_centre is not None:
        raise ValidationError("所属保健所を指定できるのは保健所職員だけです。")
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValidationError(f"利用者「{username}」は既に存在します。")
    user = User(username=username)
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save()
    Profile.objects.create(user=user, role=role, health_centre=health_centre)
    return user
