"""Sign-in lockout (django-axes): which user name / address pairs are locked, and an official's unlock."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.shortcuts import render
from django.utils import timezone

from core.audit import audit_event
from core.models import AuditEvent


def locked_attempts():
    """Pairs that reached the failure limit within the cool-off period, newest first."""
    queryset = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    if settings.AXES_COOLOFF_TIME:
        queryset = queryset.filter(attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)
    return queryset.order_by("-attempt_time")


@transaction.atomic
def login_lockout_reset(*, by, attempt: AccessAttempt, request=None) -> None:
    """Lift one lockout (the user name / address pair) before its cool-off ends, and record who did."""
    username, ip = attempt.username, attempt.ip_address
    AccessAttempt.objects.filter(username=username, ip_address=ip).delete()
    audit_event(
        kind=AuditEvent.Kind.ACCOUNT_UNLOCK,
        request=request,
        user=by,
        detail={"username": username, "ip": ip, "failures": attempt.failures_since_start},
    )


def lockout_response(request, original_response=None, credentials=None):
    """The Japanese page shown instead of the login form once a pair is locked (AXES_LOCKOUT_CALLABLE)."""
    cool_off = settings.AXES_COOLOFF_TIME
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }
    return render(request, "registration/locked_out.html", context, status=429)
