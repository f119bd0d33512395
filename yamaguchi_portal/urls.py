from django.contrib import admin
from django.urls import include, path

from core import views as core_views
from dashboard import views as dashboard_views

admin.site.site_header = "山口県 地域移行ポータル 管理"
admin.site.site_title = "地域移行ポータル 管理"

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("audit/", include("accounts.audit_urls")),
    path("regions/", include("regions.urls")),
    path("meetings/", include("meetings.urls")),
    path("training/", include("training.urls")),
    path("indicators/", include("dashboard.urls")),
    path("indicators/", include("indicators.urls")),
    path("national/", include("national.urls")),
    path("pdca/", include("pdca.urls")),
    path("sheets/", include("sheets.urls")),
    path("reminders/", include("reminders.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "core.views.bad_request"
handler500 = "core.views.server_error"
