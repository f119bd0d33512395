from django.urls import path

from core.views import not_built

app_name = "training"
urlpatterns = [
    path("", not_built, {"section": "研修", "issue": "Issue #5"}, name="index"),
]
