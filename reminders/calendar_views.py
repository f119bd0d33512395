"""Calendar feeds: the user's page of feed URLs (issue, revoke, re-issue), the feed itself (the token is
its credential: no sign-in) and a meeting's single-event download."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST, require_safe

from accounts import roles
from core.audit import AuditEvent, audit_event, mark_sensitive
from meetings.models import Meeting
from reminders import feeds, ical
from reminders.models import CalendarFeed

CONTENT_TYPE = "text/calendar; charset=utf-8"
FEED_FILENAME = "yamaguchi-portal.ics"
# The new token, between the POST that issued it and the page that shows it once (popped there).
SHOWN_ONCE = "reminders_feed_shown_once"


def _show_once(request, issued: feeds.IssuedFeed) -> None:
    request.session[SHOWN_ONCE] = {"feed": issued.feed.pk, "token": issued.token}


@require_safe
def calendar_page(request):
    """「カレンダー配信」: the user's feed URLs, a new one shown once in full."""
    mark_sensitive(request)  # a new feed URL is a credential: no browser or proxy keeps the page
    user_feeds = list(CalendarFeed.objects.filter(user=request.user).order_by("-created_at", "-pk"))
    shown = request.session.pop(SHOWN_ONCE, None)
    new_url = webcal_url = None
    new_feed_id = None
    if shown and any(f.pk == shown.get("feed") and f.is_active for f in user_feeds):
        new_feed_id = shown["feed"]
        new_url = ical.url_builder(request)(reverse("reminders:feed", args=[shown["token"]]))
        webcal_url = "webcal://" + new_url.split("://", 1)[1]
    active = sum(1 for f in user_feeds if f.is_active)
    return render(
        request,
        "reminders/calendar.html",
        {
            "feeds": user_feeds,
            "new_url": new_url,
            "webcal_url": webcal_url,
            "new_feed_id": new_feed_id,
            "can_issue": active < feeds.MAX_ACTIVE_FEEDS,
            "max_active": feeds.MAX_ACTIVE_FEEDS,
            "has_items": roles.is_prefecture(request.user) or roles.is_health_centre_staff(request.user),
        },
    )


@require_POST
def calendar_issue(request):
    try:
        issued = feeds.feed_issue(by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        _show_once(request, issued)
        messages.success(request, "カレンダー配信のURLを発行しました。")
    return redirect("reminders:calendar")


def _own_feed(request, pk) -> CalendarFeed:
    """The user's own feed; another user's answers 404, as one that does not exist."""
    return get_object_or_404(CalendarFeed, pk=pk, user=request.user)


@require_POST
def calendar_revoke(request, pk):
    feed = _own_feed(request, pk)
    feeds.feed_revoke(by=request.user, feed=feed)
    messages.success(request, "カレンダー配信のURLを無効にしました。このURLからはもう取得できません。")
    return redirect("reminders:calendar")


@require_POST
def calendar_reissue(request, pk):
    feed = _own_feed(request, pk)
    try:
        issued = feeds.feed_reissue(by=request.user, feed=feed)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        _show_once(request, issued)
        messages.success(
            request,
            "カレンダー配信のURLを再発行しました。以前のURLは無効です。カレンダーアプリの登録を新しいURLに替えてください。",
        )
    return redirect("reminders:calendar")


def _calendar_response(body: bytes) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["X-Robots-Tag"] = "noindex, nofollow"
    # Per user and secret: no shared cache (proxy, CDN) may keep it, nor a browser on a shared PC.
    patch_cache_control(response, private=True, no_store=True, no_cache=True, max_age=0)
    return response


@login_not_required
@require_safe
def feed(request, token):
    """The feed a calendar app subscribes to. Unknown or revoked token (or a deactivated user): 404,
    without saying which. Every fetch is recorded as its owner's download."""
    found = feeds.active_feed(token)
    if found is None:
        raise Http404("見つかりません")
    owner = found.user
    now = timezone.now()
    content = ical.feed_content(owner, now=now)
    calendar = ical.feed_calendar(owner, content=content, url_for=ical.url_builder(request), now=now)
    feeds.feed_fetched(found)
    audit_event(
        kind=AuditEvent.Kind.DOWNLOAD,
        request=request,
        user=owner,
        target=found,
        detail={"what": "カレンダー配信", "filename": FEED_FILENAME, "events": content.count},
    )
    response = _calendar_response(calendar.to_ical())
    # inline: a calendar app reads it; (core.middleware audits attachments of signed-in users only)
    response["Content-Disposition"] = content_disposition_header(False, FEED_FILENAME)
    return response


@require_safe
def meeting_ics(request, pk):
    """「カレンダーに追加（.ics）」 on a meeting page: that meeting as one event, for whoever may view it
    (a deleted one: officials, as CANCELLED). Sent as an attachment, so core.middleware audits it."""
    meeting = roles.get_for_user(
        Meeting.objects.select_related("region", "organiser_centre"), request.user, action="view", pk=pk
    )
    calendar = ical.meeting_calendar(meeting, url_for=ical.url_builder(request))
    response = _calendar_response(calendar.to_ical())
    response["Content-Disposition"] = content_disposition_header(True, f"meeting-{meeting.pk}.ics")
    return response
