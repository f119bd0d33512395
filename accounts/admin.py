from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from accounts.models import Profile

User = get_user_model()


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    verbose_name_plural = "ロール"


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "last_name", "first_name", "is_active", "role", "health_centre"]
    list_select_related = ["profile__health_centre"]

    @admin.display(description="ロール")
    def role(self, obj):
        return obj.profile.get_role_display() if hasattr(obj, "profile") else "—"

    @admin.display(description="所属保健所")
    def health_centre(self, obj):
        return obj.profile.health_centre if hasattr(obj, "profile") else "—"
