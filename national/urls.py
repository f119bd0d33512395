from django.urls import path

from national import import_views, views

app_name = "national"

# The fixed words (imports/, layouts/) come before the indicator code, which is a slug too.
urlpatterns = [
    path("imports/new/", import_views.import_new, name="import_new"),
    path("imports/<int:pk>/map/", import_views.import_map, name="import_map"),
    path("layouts/", import_views.layout_list, name="layouts"),
    path("layouts/<int:pk>/rename/", import_views.layout_rename, name="layout_rename"),
    path("layouts/<int:pk>/delete/", import_views.layout_delete, name="layout_delete"),
    path("", views.index, name="index"),
    path("<slug:code>/", views.detail, name="detail"),
    path("<slug:code>/peers/", views.peers, name="peers"),
    path("<slug:code>/export.<str:fmt>", views.export, name="export"),
]
