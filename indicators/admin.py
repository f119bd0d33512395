from django.contrib import admin

from core.admin import ReadOnlyAdmin
from indicators.models import ImportBatch, ImportChange, Indicator, Observation, Plan, Target


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_ja",
        "unit",
        "value_type",
        "direction",
        "chart_group",
        "display_order",
        "is_active",
    ]
    list_filter = ["is_active", "direction", "value_type"]
    search_fields = ["code", "name_ja"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "issuer", "first_fiscal_year", "last_fiscal_year"]


@admin.register(Observation)
class ObservationAdmin(ReadOnlyAdmin):
    """Read-only here: values change through the portal's services so history and edit tracking stay right."""

    list_display = ["indicator", "area_key", "period_key", "value", "provenance", "edited_at"]
    list_filter = ["indicator", "period_kind"]
    list_select_related = ["indicator"]


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    list_display = ["indicator", "area_key", "fiscal_year", "value", "comparator", "plan", "edited_at"]
    list_filter = ["plan", "indicator"]
    list_select_related = ["indicator", "plan"]


class ImportChangeInline(admin.TabularInline):
    model = ImportChange
    extra = 0
    can_delete = False
    fields = ["line", "action", "label", "observation_pk", "previous", "applied"]
    readonly_fields = fields


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    """The record of imports, read-only: imports are applied and undone in the portal (/indicators/imports/)."""

    list_display = [
        "file_name",
        "status",
        "row_count",
        "created_count",
        "updated_count",
        "uploaded_by",
        "uploaded_at",
    ]
    list_filter = ["status"]
    list_select_related = ["uploaded_by"]
    inlines = [ImportChangeInline]
