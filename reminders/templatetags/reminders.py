"""The reminders' pieces of other apps' pages: the navigation bar's count of due and overdue items
(`{% due_badge %}` in includes/header.html) and the follow button of an action item's page
(`{% follow_button action %}` in meetings/action_detail.html — meetings may not import reminders, so
the page asks through this tag).

Both read only, and only when the template renders them: a page that does not show the header
pays nothing, and a viewer's header asks the database nothing (the role is the header's own,
already read).
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import timezone

from reminders import follows
from reminders.notifications import PAGE_DUE_KEY, due_count

register = template.Library()


def _user(context):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return user if getattr(user, "is_authenticated", False) else None


@register.inclusion_tag("reminders/includes/due_badge.html", takes_context=True)
def due_badge(context):
    """「期限 3」 linking to the due page, for staff and officials (reminders.notifications.due_count),
    the overdue ones told apart; nothing for anyone else."""
    user = _user(context)
    found = due_count(user, today=timezone.localdate(), due=context.get(PAGE_DUE_KEY))
    if found is None:
        return {"show": False}
    request = context.get("request")
    return {
        "show": True,
        "count": found.count,
        "overdue": found.overdue,
        "active": request is not None and request.path == reverse("reminders:index"),
    }


@register.inclusion_tag("reminders/includes/follow_button.html", takes_context=True)
def follow_button(context, action):
    """「フォローする」 / 「フォローをやめる」 for an official on an action item's page (one query);
    nothing for anyone else."""
    user = _user(context)
    if user is None or not follows.can_follow(user):
        return {"show": False}
    return {
        "show": True,
        "action": action,
        "following": follows.is_following(user, action),
        "may_follow": not action.meeting.is_deleted,  # a deleted meeting's item is only unfollowed
        "next": context["request"].get_full_path() if context.get("request") else "",
    }
