"""Following an action item: an official puts an item in their own reminders (its 担当機関 is a body,
not a user, so nothing else ties an official to an item of a meeting someone else created).

Only officials follow. A health centre's staff are reminded of every open item of their region(s)
already (`reminders.due.action_scope`), and a follow would change nothing for them: a button that
does nothing is refused instead (403). Both writes are idempotent and recorded with `core.history`
on the follow itself (the item's meeting is not changed by it).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, F, When

from accounts import roles
from core import history
from core.models import ChangeRecord
from meetings.models import ActionItem, ActionStatus
from reminders.models import ActionFollow

FOLLOW_DENIED_MESSAGE = (
    "対応事項をフォローできるのは県職員です（保健所職員には担当圏域の対応事項が届きます）。"
)


def can_follow(user) -> bool:
    return roles.is_prefecture(user)


def _check(by) -> None:
    if not can_follow(by):
        raise PermissionDenied(FOLLOW_DENIED_MESSAGE)


def _label(action: ActionItem) -> str:
    return f"対応事項「{action.description}」のフォロー"[:300]


@transaction.atomic
def action_follow(*, by, action: ActionItem) -> tuple[ActionFollow, bool]:
    """`by` follows `action`: (the follow, whether it is new). Following twice keeps the one follow."""
    _check(by)
    follow, created = ActionFollow.objects.get_or_create(user=by, action=action)
    if created:
        history.record_change(
            by=by,
            instance=follow,
            action=ChangeRecord.Action.CREATE,
            changes={"action": {"label": "フォローした対応事項", "old": None, "new": str(action)}},
            object_repr=_label(action),
        )
    return follow, created


@transaction.atomic
def action_unfollow(*, by, action: ActionItem) -> bool:
    """`by` stops following `action`; False when they did not follow it."""
    _check(by)
    follow = ActionFollow.objects.select_for_update().filter(user=by, action=action).first()
    if follow is None:
        return False
    history.record_change(
        by=by,
        instance=follow,
        action=ChangeRecord.Action.DELETE,
        changes={"action": {"label": "フォローした対応事項", "old": str(action), "new": None}},
        object_repr=_label(action),
    )
    follow.delete()
    return True


def is_following(user, action: ActionItem) -> bool:
    return ActionFollow.objects.filter(user=user, action=action).exists()


def followed_actions(user):
    """The action items `user` follows with their meetings and regions: open ones first, nearest 期限 first."""
    return (
        ActionItem.objects.filter(follows__user=user)
        .select_related("meeting", "meeting__region")
        .order_by(
            Case(When(status=ActionStatus.DONE, then=1), default=0),
            F("due_date").asc(nulls_last=True),
            "pk",
        )
    )
