from django.urls import path

from national import views

app_name = "national"

# The comparison pages (another part of #18) register here too.
urlpatterns: list = [
    path("imports/new/", views.import_new, name="import_new"),
    path("imports/<int:pk>/map/", views.import_map, name="import_map"),
    path("layouts/", views.layout_list, name="layouts"),
    path("layouts/<int:pk>/rename/", views.layout_rename, name="layout_rename"),
    path("layouts/<int:pk>/delete/", views.layout_delete, name="layout_delete"),
]
