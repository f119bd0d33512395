"""Sign-in throttling: three limits, all kept in the database so every worker process sees them.

1. A user name from one address (django-axes' AccessAttempt): AXES_FAILURE_LIMIT failures lock the
   pair for AXES_COOLOFF_TIME.
2. An address, whatever user names it tries (password spraying): SIGN_IN_ADDRESS_FAILURE_LIMIT
   failures within SIGN_IN_ADDRESS_WINDOW lock the address for SIGN_IN_ADDRESS_COOLOFF after its
   last failure.
3. A user name, from any address: after SIGN_IN_USERNAME_DELAY_AFTER failures within
   SIGN_IN_USERNAME_WINDOW each further attempt must wait 2, 4, 8 … seconds (at most
   SIGN_IN_USERNAME_MAX_DELAY) after the last failure. Never a lock: anyone may guess wrong on
   purpose, and that must not keep a known official out.

Limits 2 and 3 count the rows of axes' AccessFailureLog (one per failure whose password was
checked); an attempt refused at the door is not recorded, so refusals never extend a lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max
from django.shortcuts import render
from django.utils import timezone

from core.audit import audit_event
from core.models import AuditEvent

# Set on the request when an attempt is refused before its password is checked (read by core.audit).
REFUSED_ATTR = "portal_sign_in_refused"


@dataclass(frozen=True)
class Refusal:
    """Why a sign-in attempt is refused before its password is checked, and until when."""

    scope: str  # "address" or "username"
    until: datetime

    @property
    def retry_after_seconds(self) -> int:
        return max(1, int((self.until - timezone.now()).total_seconds() + 0.999))


def client_address(request) -> str | None:
    """The address axes records failures under (honours AXES_IPWARE_PROXY_COUNT behind a proxy)."""
    return getattr(request, "axes_ip_address", None) or get_client_ip_address(request)


def _failures():
    return AccessFailureLog.objects.all()


def purge_old_failures(now=None) -> None:
    """Forget failures older than any limit looks back (the audit log keeps the permanent record)."""
    now = now or timezone.now()
    keep = max(
        settings.SIGN_IN_USERNAME_WINDOW,
        settings.SIGN_IN_ADDRESS_WINDOW + settings.SIGN_IN_ADDRESS_COOLOFF,
    )
    _failures().filter(attempt_time__lt=now - keep).delete()


def address_locked_until(ip: str | None, now=None) -> datetime | None:
    """When the address's lock ends, or None if it is not locked.

    Locked when its last SIGN_IN_ADDRESS_FAILURE_LIMIT failures fall within the window; the lock
    runs for the cool-off from the newest of them.
    """
    if not ip:
        return None
    now = now or timezone.now()
    limit = settings.SIGN_IN_ADDRESS_FAILURE_LIMIT
    times = list(
        _failures()
        .filter(
            ip_address=ip,
            attempt_time__gte=now - settings.SIGN_IN_ADDRESS_WINDOW - settings.SIGN_IN_ADDRESS_COOLOFF,
        )
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)[:limit]
    )
    if len(times) < limit or times[0] - times[-1] > settings.SIGN_IN_ADDRESS_WINDOW:
        return None
    until = times[0] + settings.SIGN_IN_ADDRESS_COOLOFF
    return until if until > now else None


def username_delay(failures: int) -> timedelta:
    """The wait after the last failure once a user name has `failures` of them: 0, then 2, 4, 8 … s."""
    excess = failures - settings.SIGN_IN_USERNAME_DELAY_AFTER + 1
    if excess <= 0:
        return timedelta(0)
    cap = settings.SIGN_IN_USERNAME_MAX_DELAY
    return min(timedelta(seconds=2 ** min(excess, 32)), cap)


def username_delayed_until(username: str | None, now=None) -> datetime | None:
    """Until when the next attempt for this user name (from any address) must wait, or None."""
    if not username:
        return None
    now = now or timezone.now()
    stats = (
        _failures()
        .filter(username=username, attempt_time__gte=now - settings.SIGN_IN_USERNAME_WINDOW)
        .aggregate(n=Count("pk"), last=Max("attempt_time"))
    )
    delay = username_delay(stats["n"])
    if not delay:
        return None
    until = stats["last"] + delay
    return until if until > now else None


def sign_in_refusal(request, username: str | None) -> Refusal | None:
    """The reason to refuse this attempt before checking its password, if any (address first)."""
    now = timezone.now()
    purge_old_failures(now)
    until = address_locked_until(client_address(request), now)
    if until:
        return Refusal("address", until)
    until = username_delayed_until(username, now)
    if until:
        return Refusal("username", until)
    return None


def locked_attempts():
    """Pairs that reached the failure limit within the cool-off period, newest first."""
    queryset = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    if settings.AXES_COOLOFF_TIME:
        queryset = queryset.filter(attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)
    return queryset.order_by("-attempt_time")


def locked_addresses() -> list[dict]:
    """Addresses locked now for failures across user names: address, failures, until."""
    now = timezone.now()
    since = now - settings.SIGN_IN_ADDRESS_WINDOW - settings.SIGN_IN_ADDRESS_COOLOFF
    candidates = (
        _failures()
        .filter(attempt_time__gte=since, ip_address__isnull=False)
        .values("ip_address")
        .annotate(n=Count("pk"))
        .filter(n__gte=settings.SIGN_IN_ADDRESS_FAILURE_LIMIT)
        .order_by("ip_address")
    )
    rows = []
    for row in candidates:
        until = address_locked_until(row["ip_address"], now)
        if until:
            rows.append({"ip": row["ip_address"], "failures": row["n"], "until": until})
    return rows


def delayed_usernames() -> list[dict]:
    """User names whose attempts are being slowed down now: name, failures, until."""
    now = timezone.now()
    grouped = (
        _failures()
        .filter(attempt_time__gte=now - settings.SIGN_IN_USERNAME_WINDOW, username__isnull=False)
        .values("username")
        .annotate(n=Count("pk"), last=Max("attempt_time"))
        .filter(n__gte=settings.SIGN_IN_USERNAME_DELAY_AFTER)
        .order_by("username")
    )
    return [
        {"username": row["username"], "failures": row["n"], "until": row["last"] + username_delay(row["n"])}
        for row in grouped
    ]


@transaction.atomic
def login_lockout_reset(*, by, attempt: AccessAttempt, request=None) -> None:
    """Lift one lockout (the user name / address pair) before its cool-off ends, and record who did."""
    username, ip = attempt.username, attempt.ip_address
    AccessAttempt.objects.filter(username=username, ip_address=ip).delete()
    # The official has vouched for this pair: its failures stop counting towards the other limits.
    _failures().filter(username=username, ip_address=ip).delete()
    audit_event(
        kind=AuditEvent.Kind.ACCOUNT_UNLOCK,
        request=request,
        user=by,
        detail={"username": username, "ip": ip, "failures": attempt.failures_since_start},
    )


@transaction.atomic
def login_address_unlock(*, by, ip: str, request=None) -> bool:
    """Lift an address's lock (its counted failures are forgotten); False if it was not locked."""
    if not address_locked_until(ip):
        return False
    deleted, _ = _failures().filter(ip_address=ip).delete()
    audit_event(
        kind=AuditEvent.Kind.ACCOUNT_UNLOCK,
        request=request,
        user=by,
        detail={"scope": "address", "ip": ip, "failures": deleted},
    )
    return True


@transaction.atomic
def login_username_delay_reset(*, by, username: str, request=None) -> bool:
    """End the slowing-down of a user name (its counted failures are forgotten); False if none."""
    deleted, _ = _failures().filter(username=username).delete()
    if not deleted:
        return False
    audit_event(
        kind=AuditEvent.Kind.ACCOUNT_UNLOCK,
        request=request,
        user=by,
        detail={"scope": "username", "username": username, "failures": deleted},
    )
    return True


def on_login_failed(sender, credentials, request=None, **kwargs):
    """Record the start of a lock (pair or address) in the audit log (Django's user_login_failed).

    Connected after django-axes' own receiver, so the failure is already counted. Attempts refused
    at the door are not failures of a password and start nothing.
    """
    if request is None or getattr(request, REFUSED_ATTR, None):
        return
    username = str((credentials or {}).get("username") or "")[:150]
    scopes = []
    if getattr(request, "axes_locked_out", False):
        scopes.append("pair")
    if address_locked_until(client_address(request)):
        scopes.append("address")
    for scope in scopes:
        audit_event(
            kind=AuditEvent.Kind.LOGIN_LOCKOUT,
            request=request,
            username=username,
            detail={"scope": scope, "username": username, "ip": client_address(request)},
        )


def lockout_response(request, original_response=None, credentials=None):
    """The Japanese 429 page shown instead of the login form (AXES_LOCKOUT_CALLABLE) for every limit."""
    refusal = getattr(request, REFUSED_ATTR, None)
    if isinstance(refusal, Refusal):
        context = {
            "scope": refusal.scope,
            "until": refusal.until,
            "retry_after": refusal.retry_after_seconds,
            "address_limit": settings.SIGN_IN_ADDRESS_FAILURE_LIMIT,
            "address_window_minutes": int(settings.SIGN_IN_ADDRESS_WINDOW.total_seconds() // 60),
        }
        response = render(request, "registration/sign_in_refused.html", context, status=429)
        response["Retry-After"] = str(refusal.retry_after_seconds)
        return response
    cool_off = settings.AXES_COOLOFF_TIME
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }
    response = render(request, "registration/locked_out.html", context, status=429)
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
