from django.urls import path

from dashboard import dataset_views, views

# Mounted at /indicators/ beside the indicators app's own URLs (yamaguchi_portal/urls.py), so the
# dashboard keeps the address people have bookmarked.
app_name = "dashboard"
urlpatterns = [
    path("", views.dashboard, name="index"),
    path("export/<slug:key>.<str:fmt>", views.dashboard_export, name="export"),
    # 提出・承認の状況 (the steps and the due date are posted to the indicators app)
    path("datasets/", dataset_views.data_set_list, name="datasets"),
    path("datasets/<str:area>/<int:fiscal_year>/", dataset_views.data_set_detail, name="dataset_detail"),
]
