from django.contrib import admin

from training.models import PeerSupportProgramme, TrainingAttendance, TrainingSession


class TrainingAttendanceInline(admin.TabularInline):
    model = TrainingAttendance
    extra = 0


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    """Read-mostly: records are changed through the portal's screens so that history is kept."""

    list_display = ["title", "course", "start_date", "fiscal_year", "region", "hours", "is_deleted"]
    list_filter = ["fiscal_year", "course", "region", "is_deleted"]
    search_fields = ["title", "place"]
    inlines = [TrainingAttendanceInline]
    readonly_fields = ["fiscal_year", "version", "is_deleted"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PeerSupportProgramme)
class PeerSupportProgrammeAdmin(admin.ModelAdmin):
    list_display = ["region", "fiscal_year", "trained", "registered", "active"]
    list_filter = ["fiscal_year", "region"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
