from django.contrib import admin

from regions.models import HealthCentre, Municipality, Prefecture, Region


@admin.register(Prefecture)
class PrefectureAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "tile_row", "tile_column"]
    list_filter = ["kind"]


class MunicipalityInline(admin.TabularInline):
    model = Municipality
    extra = 0
    fields = ["code", "name", "kind"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "prefecture", "display_order"]
    list_filter = ["prefecture"]
    inlines = [MunicipalityInline]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "region"]
    list_filter = ["region__prefecture", "region"]
    search_fields = ["code", "name"]


@admin.register(HealthCentre)
class HealthCentreAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "operator"]
    filter_horizontal = ["regions"]
