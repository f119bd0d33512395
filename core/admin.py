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
