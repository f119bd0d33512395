from django.urls import path

from accounts import views

# Mounted at /audit/ (yamaguchi_portal/urls.py), apart from /accounts/: the trail covers every app.
app_name = "audit"
urlpatterns = [
    path("", views.audit_log, name="index"),
    path("export.csv", views.audit_log_export, name="export"),
]
