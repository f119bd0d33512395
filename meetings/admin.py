from django.contrib import admin

from core.admin import ReadOnlyAdmin
from meetings.models import ActionItem, AgendaItem, CaseFollowUp, CaseReview, Meeting, Participation


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["date", "title", "kind", "region", "status", "fiscal_year", "deleted_at"]
    list_filter = ["kind", "status", "fiscal_year", "region"]
    search_fields = ["title", "search_text"]
    list_select_related = ["region"]


@admin.register(ActionItem)
class ActionItemAdmin(ReadOnlyAdmin):
    list_display = ["description", "responsible", "due_date", "status", "meeting"]
    list_select_related = ["meeting"]


@admin.register(CaseReview)
class CaseReviewAdmin(ReadOnlyAdmin):
    list_display = ["case_number", "region", "status", "discharge_month"]
    list_select_related = ["region"]


@admin.register(AgendaItem)
class AgendaItemAdmin(ReadOnlyAdmin):
    list_display = ["title", "meeting", "region", "indicator", "origin", "snapshot_status"]
    list_select_related = ["meeting", "region", "indicator"]


admin.site.register(Participation, ReadOnlyAdmin)
admin.site.register(CaseFollowUp, ReadOnlyAdmin)
