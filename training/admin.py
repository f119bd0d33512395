from django.contrib import admin

from core.admin import ReadOnlyAdmin
from training.models import PeerSupportProgramme, TrainingAttendance, TrainingSession


class TrainingAttendanceInline(admin.TabularInline):
    model = TrainingAttendance
    extra = 0


@admin.register(TrainingSession)
class TrainingSessionAdmin(ReadOnlyAdmin):
    """Read-mostly: records are changed through the portal's screens so that history is kept."""

    list_display = ["title", "course", "start_date", "fiscal_year", "region", "hours", "is_deleted"]
    list_filter = ["fiscal_year", "course", "region", "is_deleted"]
    search_fields = ["title", "place"]
    inlines = [TrainingAttendanceInline]
    readonly_fields = ["fiscal_year", "version", "is_deleted"]


@admin.register(PeerSupportProgramme)
class PeerSupportProgrammeAdmin(ReadOnlyAdmin):
    list_display = ["region", "fiscal_year", "trained", "registered", "active"]
    list_filter = ["fiscal_year", "region"]
