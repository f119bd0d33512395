"""The audit trail: who signed in, who read which sensitive record, who downloaded what, who changed rights.

Views call one function, after the permission check passed, for every sensitive record they show:

    from core.audit import audit_view

    audit_view(request, case_review)                      # every view of a case review's detail

Downloads need no call: core.middleware.DownloadAuditMiddleware records every response sent as an
attachment (CSV, Excel, PDF) with `audit_download`, so an export added later is audited too.
Sign-ins (success and failure) and sign-outs are recorded from Django's auth signals (connected in
core.apps); permission changes by accounts.services and the user admin via `audit_permission_change`.
Data changes are ChangeRecord rows written by each app's services (core.history). Audit rows are
append-only: `AuditedQuerySet` (re-exported here) refuses bulk update()/delete().
"""

from __future__ import annotations

import ipaddress

from django.contrib.contenttypes.models import ContentType

from core.models import AuditedQuerySet, AuditedWriteError, AuditEvent

__all__ = [
    "AuditEvent",
    "AuditedQuerySet",
    "AuditedWriteError",
    "audit_download",
    "audit_event",
    "audit_list_view",
    "audit_permission_change",
    "audit_view",
    "client_ip",
    "mark_sensitive",
]


def client_ip(request) -> str | None:
    """The client's address as Django sees it (REMOTE_ADDR; a proxy must pass it through)."""
    if request is None:
        return None
    value = (request.META.get("REMOTE_ADDR") or "").strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _actor(request, user=None):
    user = user if user is not None else getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return user, user.get_username()
    return None, ""


def _storable(value):
    """`value` with NUL characters replaced: PostgreSQL refuses them in text and in jsonb, and a
    detail often carries what a user typed (a list's filters), which may hold one."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_storable(key): _storable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(item) for item in value]
    return value


def audit_event(
    *, kind: str, request=None, user=None, username: str = "", target=None, detail: dict | None = None
) -> AuditEvent:
    """Write one AuditEvent. `user` defaults to request.user; `target` is the model instance concerned."""
    actor, actor_name = _actor(request, user)
    event = AuditEvent(
        kind=kind,
        user=actor,
        username=_storable(username or actor_name or "")[:150],
        ip=client_ip(request),
        detail=_storable(detail or {}),
    )
    if target is not None:
        event.content_type = ContentType.objects.get_for_model(type(target))
        event.object_id = str(target.pk)
        event.object_repr = _storable(str(target))[:300]
    event.save()
    return event


# Set on a request that showed sensitive records: core.middleware then forbids caching the response.
SENSITIVE_ATTR = "portal_sensitive_read"


def mark_sensitive(request) -> None:
    """The response to this request shows sensitive records: no browser or proxy may keep a copy."""
    if request is not None:
        setattr(request, SENSITIVE_ATTR, True)


def audit_view(request, obj, *, detail: dict | None = None) -> AuditEvent:
    """Record that request.user opened `obj` (call it in every view that shows a sensitive record)."""
    mark_sensitive(request)
    return audit_event(kind=AuditEvent.Kind.RECORD_VIEW, request=request, target=obj, detail=detail)


def audit_list_view(request, what: str, *, detail: dict | None = None) -> AuditEvent:
    """Record that request.user opened a list of sensitive records (`what` in Japanese, e.g. 事例一覧)."""
    mark_sensitive(request)
    return audit_event(
        kind=AuditEvent.Kind.RECORD_VIEW,
        request=request,
        detail={"what": what, "path": request.path, **(detail or {})},
    )


def audit_download(request, what: str, filename: str, *, target=None) -> AuditEvent:
    """Record an export or download (called by DownloadAuditMiddleware with the request path as `what`)."""
    return audit_event(
        kind=AuditEvent.Kind.DOWNLOAD,
        request=request,
        target=target,
        detail={"what": what, "filename": filename},
    )


def audit_permission_change(*, by, user, before: dict, after: dict, request=None) -> AuditEvent | None:
    """Record a change of a user's rights (role, health centre, active, staff, superuser); None if none."""
    changes = {
        key: {"old": before.get(key), "new": after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }
    if not changes:
        return None
    actor, actor_name = _actor(request, by)
    return audit_event(
        kind=AuditEvent.Kind.PERMISSION_CHANGE,
        request=request,
        user=actor,
        username=actor_name or "system",
        target=user,
        detail={"changes": changes},
    )


# --- Django's auth signals (connected in core.apps.CoreConfig.ready) -------------------------------


def on_user_logged_in(sender, request, user, **kwargs):
    audit_event(kind=AuditEvent.Kind.LOGIN_SUCCESS, request=request, user=user)


def on_user_logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_event(kind=AuditEvent.Kind.LOGOUT, request=request, user=user)


def on_user_login_failed(sender, credentials, request=None, **kwargs):
    username = str((credentials or {}).get("username") or "")[:150]
    locked = bool(getattr(request, "axes_locked_out", False))
    detail = {"locked_out": True} if locked else {}
    # Refused before the password was checked (accounts.lockout): by which limit.
    refused = getattr(request, "portal_sign_in_refused", None)
    if refused:
        detail["refused"] = getattr(refused, "scope", str(refused))
    audit_event(kind=AuditEvent.Kind.LOGIN_FAILURE, request=request, username=username, detail=detail)
