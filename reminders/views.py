"""The reminders' pages: 「期限が近いもの」 (a user's due and overdue items, the navigation bar's count
laid out), the follow buttons' POSTs, and for officials 「お知らせの受信者」 (who receives what).

What is due is `reminders.due.due_for` alone; the follow writes are `reminders.follows`.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts import roles
from core.audit import audit_list_view
from meetings.models import ActionItem
from reminders import follows
from reminders.due import MEETING_DAYS, due_for
from reminders.models import ActionFollow, ReminderSettings, SentReminder
from reminders.notifications import PAGE_DUE_KEY, has_due_items


def index(request):
    """The user's due items, overdue first in each part: action items (linked to their pages), case
    follow-ups (the case number only, linked when the user may open the case), the meetings of the
    next 7 days, and for officials the proposals waiting for a meeting and the items they follow."""
    user, today = request.user, timezone.localdate()
    due = due_for(user, today=today, digest=True) if has_due_items(user) else None
    followed = []
    if follows.can_follow(user):
        followed = [
            (item, item.is_overdue(today), item.meeting.is_deleted) for item in follows.followed_actions(user)
        ]
    return render(
        request,
        "reminders/due.html",
        {
            "today": today,
            "due": due,
            PAGE_DUE_KEY: due,  # the header's count reads it rather than computing it again
            "actions": _overdue_first(due.actions) if due else [],
            "follow_ups": (
                [(f, roles.can_view_case_details(user, f.region_id)) for f in _overdue_first(due.follow_ups)]
                if due
                else []
            ),
            "meeting_days": MEETING_DAYS,
            "is_prefecture": roles.is_prefecture(user),
            "followed": followed,
            "followed_ids": {item.pk for item, _, _ in followed},
        },
    )


def _overdue_first(items):
    """Overdue ones first (due_for lists them soonest first already; this keeps that order within each)."""
    return sorted(items, key=lambda item: not item.overdue)


def _back(request, action: ActionItem) -> str:
    """Where the button was (`next`, a page of this site), else the item's page."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("meetings:action_detail", kwargs={"pk": action.pk})


@require_POST
@roles.prefecture_required
def follow(request, pk):
    """「フォローする」 on an action item's page (officials): an item of a deleted meeting is not found."""
    action = roles.get_for_user(ActionItem.objects.alive(), request.user, action="view", pk=pk)
    _, created = follows.action_follow(by=request.user, action=action)
    if created:
        messages.success(
            request, f"対応事項「{action.description}」をフォローしました。期限が近づくとお知らせします。"
        )
    else:
        messages.info(request, f"対応事項「{action.description}」は既にフォローしています。")
    return redirect(_back(request, action))


@require_POST
@roles.prefecture_required
def unfollow(request, pk):
    """「フォローをやめる」 (officials): also for an item whose meeting was deleted meanwhile."""
    action = roles.get_for_user(ActionItem.objects.all(), request.user, action="view", pk=pk)
    if follows.action_unfollow(by=request.user, action=action):
        messages.success(request, f"対応事項「{action.description}」のフォローをやめました。")
    else:
        messages.info(request, f"対応事項「{action.description}」はフォローしていません。")
    return redirect(_back(request, action))


@roles.prefecture_required
def recipients(request):
    """Who receives what (officials): every user with reminder settings — name, role, health centre,
    the digest on or off, the address confirmed or waiting, the number of days, the last digest sent
    and the items followed. One query whatever the number of users. No password or token is read."""
    sent = SentReminder.objects.filter(user=OuterRef("user")).exclude(kind=SentReminder.Kind.CONFIRMATION)
    followed = (
        ActionFollow.objects.filter(user=OuterRef("user"))
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = list(
        ReminderSettings.objects.select_related("user", "user__profile", "user__profile__health_centre")
        .annotate(
            last_sent_at=Subquery(
                sent.filter(status=SentReminder.Status.SENT).order_by("-sent_at").values("sent_at")[:1]
            ),
            has_failed=Exists(sent.filter(status=SentReminder.Status.FAILED)),
            followed=Coalesce(Subquery(followed, output_field=IntegerField()), Value(0)),
        )
        .order_by("user__username")
    )
    recipients = [_recipient(row) for row in rows]
    recipients.sort(key=lambda r: (r["role_order"], r["centre_order"], r["settings"].user.username))
    audit_list_view(
        request, "お知らせの受信者", detail={"user_ids": [r["settings"].user_id for r in recipients]}
    )
    return render(
        request,
        "reminders/recipients.html",
        {
            "recipients": recipients,
            "receiving": sum(1 for r in recipients if r["settings"].receives_digest),
        },
    )


ROLE_ORDER = {roles.Role.PREFECTURE: 0, roles.Role.HEALTH_CENTRE: 1, roles.Role.VIEWER: 2}


def _recipient(settings: ReminderSettings) -> dict:
    user = settings.user
    # The profile came with the row (select_related): hand it to accounts.roles, which decides the role
    # (a superuser counts as an official), instead of letting it read the profile again per user.
    user._portal_profile = getattr(user, "profile", None)
    role = roles.role_of(user)
    centre = roles.health_centre_of(user)
    if not settings.email:
        address = "none"
    elif settings.email_confirmed:
        address = "confirmed"
    else:
        address = "waiting"
    return {
        "settings": settings,
        "name": user.get_full_name() or user.username,
        "role_label": roles.Role(role).label,
        "role_order": ROLE_ORDER.get(role, 3),
        "centre": centre,
        "centre_order": (centre.display_order, centre.code) if centre is not None else (0, ""),
        "address": address,
    }
