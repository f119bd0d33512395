from django.urls import path

from core.views import not_built

app_name = "indicators"
urlpatterns = [
    path("", not_built, {"section": "指標ダッシュボード", "issue": "Issue #6"}, name="index"),
]
