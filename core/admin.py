import functools
import json

from django.contrib import admin

from core.models import AuditEvent, ChangeRecord


class ReadOnlyAdmin(admin.ModelAdmin):
    """Read-only. The portal's records are written by its service functions, which check permissions
    and record who changed what; the history and the audit log are evidence. The admin only reads."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ChangeRecord)
class ChangeRecordAdmin(ReadOnlyAdmin):
    list_display = ["at", "username", "action", "content_type", "object_repr"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "username"]
    date_hierarchy = "at"


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "username", "ip", "kind", "content_type", "object_repr"]
    list_filter = ["kind"]
    search_fields = ["object_repr", "username"]
    date_hierarchy = "at"


# --- Every change made in the admin is in the audit log -----------------------------------------
# Django's admin reports each addition, change and deletion through these three ModelAdmin methods
# (they write its LogEntry). Wrapping them on ModelAdmin itself covers every model in the admin,
# including the ones django-axes and django-otp register with their own ModelAdmin classes.


def _audit_admin(request, obj, action: str, message=None) -> None:
    from core.audit import AuditEvent, audit_event

    detail = {"action": action, "model": obj._meta.label}
    if message:
        detail["message"] = json.loads(json.dumps(message, default=str))
    audit_event(kind=AuditEvent.Kind.ADMIN_CHANGE, request=request, target=obj, detail=detail)


def _with_audit(method, action: str):
    if getattr(method, "audited", False):
        return method

    if action == "delete":

        @functools.wraps(method)
        def log_deletions(self, request, queryset):
            for obj in queryset:  # called before the rows go, so each still has its key
                _audit_admin(request, obj, action)
            return method(self, request, queryset)

        log_deletions.audited = True
        return log_deletions

    @functools.wraps(method)
    def log(self, request, obj, message):
        _audit_admin(request, obj, action, message)
        return method(self, request, obj, message)

    log.audited = True
    return log


admin.ModelAdmin.log_addition = _with_audit(admin.ModelAdmin.log_addition, "add")
admin.ModelAdmin.log_change = _with_audit(admin.ModelAdmin.log_change, "change")
admin.ModelAdmin.log_deletions = _with_audit(admin.ModelAdmin.log_deletions, "delete")
