from django.urls import path

from core.views import not_built

app_name = "meetings"
urlpatterns = [
    path("", not_built, {"section": "会議", "issue": "Issue #4"}, name="index"),
]
