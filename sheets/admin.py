from django.contrib import admin

from sheets.models import Edition


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    """Editions are edited in the portal (/sheets/<年度>/); the admin only lists them."""

    list_display = ["prefecture", "fiscal_year", "status", "title", "edited_at"]
    list_filter = ["status", "fiscal_year"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
