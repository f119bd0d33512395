from django.urls import path

from dashboard import views

# Mounted at /indicators/ beside the indicators app's own URLs (yamaguchi_portal/urls.py), so the
# dashboard keeps the address people have bookmarked.
app_name = "dashboard"
urlpatterns = [
    path("", views.dashboard, name="index"),
    path("export/<slug:key>.<str:fmt>", views.dashboard_export, name="export"),
]
