from django.contrib import admin

from core.admin import ReadOnlyAdmin
from sheets.models import Edition


@admin.register(Edition)
class EditionAdmin(ReadOnlyAdmin):
    """Editions are edited in the portal (/sheets/<年度>/); the admin only lists them."""

    list_display = ["prefecture", "fiscal_year", "status", "title", "edited_at"]
    list_filter = ["status", "fiscal_year"]
