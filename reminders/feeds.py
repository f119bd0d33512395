"""A user's secret calendar feed URLs: issue, revoke, re-issue (the writes, recorded with core.history),
and finding the feed a token opens.

The token is the credential of `/reminders/calendar/<token>.ics` (a calendar app cannot sign in): 32
random bytes from `secrets`, shown to its user once, stored only as its SHA-256 (`CalendarFeed.
token_digest`), so the database alone does not give anyone a working URL.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core import history
from reminders.models import CalendarFeed

TOKEN_BYTES = 32  # token_urlsafe: 43 characters
MAX_ACTIVE_FEEDS = 5  # one per device or calendar app is plenty; more is forgotten URLs


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedFeed:
    feed: CalendarFeed
    token: str  # shown once, never stored


def active_feed(token: str) -> CalendarFeed | None:
    """The feed `token` opens: not revoked, its user still active. None for anything else (unknown,
    revoked, malformed) — the caller answers 404 without saying which."""
    if not token or len(token) > 200:
        return None
    return (
        CalendarFeed.objects.select_related("user")
        .filter(token_digest=token_digest(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def feed_fetched(feed: CalendarFeed) -> None:
    """Note when the feed was last fetched (bookkeeping shown on the user's page, not a change)."""
    CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=timezone.now())


def _lock_user(user) -> None:
    """One issue at a time per user (the limit below counts the user's feeds)."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()


@transaction.atomic
def feed_issue(*, by) -> IssuedFeed:
    """A new feed URL for `by` (at most MAX_ACTIVE_FEEDS active at once)."""
    _lock_user(by)
    if CalendarFeed.objects.filter(user=by, revoked_at__isnull=True).count() >= MAX_ACTIVE_FEEDS:
        raise ValidationError(
            f"有効なカレンダー配信は{MAX_ACTIVE_FEEDS}件までです。使っていないものを無効にしてから発行してください。"
        )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed = CalendarFeed.objects.create(user=by, token_digest=token_digest(token))
    history.record_create(by=by, instance=feed)
    return IssuedFeed(feed=feed, token=token)


@transaction.atomic
def feed_revoke(*, by, feed: CalendarFeed) -> CalendarFeed:
    """Revoke `by`'s own feed: its URL answers 404 from now on. Revoking a revoked feed changes nothing."""
    feed = CalendarFeed.objects.select_for_update().get(pk=feed.pk)
    if feed.user_id != by.pk:
        raise PermissionDenied("自分のカレンダー配信だけを無効にできます。")
    if feed.revoked_at is not None:
        return feed
    before = history.snapshot(feed)
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
    history.record_update(by=by, instance=feed, before=before)
    return feed


@transaction.atomic
def feed_reissue(*, by, feed: CalendarFeed) -> IssuedFeed:
    """Revoke `feed` and issue a new URL in its place (a URL that leaked, or a new device)."""
    feed_revoke(by=by, feed=feed)
    return feed_issue(by=by)
