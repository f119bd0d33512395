from django.urls import path

from core.views import not_built

app_name = "sheets"
urlpatterns = [
    path("", not_built, {"section": "共有シート", "issue": "Issue #3"}, name="index"),
]
