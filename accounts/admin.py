from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from accounts.models import Profile
from accounts.services import access_snapshot
from core.audit import audit_permission_change

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

    # Role, centre and active/staff/superuser flags changed here are permission changes: record them.
    def save_model(self, request, obj, form, change):
        request._access_before = (
            access_snapshot(type(obj).objects.filter(pk=obj.pk).first()) if change else {}
        )
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        audit_permission_change(
            by=request.user,
            user=user,
            before=getattr(request, "_access_before", {}),
            after=access_snapshot(user),
            request=request,
        )
