from django.urls import path

from training import views

app_name = "training"
urlpatterns = [
    path("", views.session_list, name="index"),
    path("export.csv", views.session_export_csv, name="session_export_csv"),
    path("export.xlsx", views.session_export_xlsx, name="session_export_xlsx"),
    path("new/", views.session_create, name="session_create"),
    path("<int:pk>/", views.session_detail, name="session_detail"),
    path("<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("<int:pk>/delete/", views.session_delete, name="session_delete"),
    path("<int:pk>/restore/", views.session_restore, name="session_restore"),
    path("<int:pk>/history/", views.session_history, name="session_history"),
    path("summary/", views.summary, name="summary"),
    path("peer-support/", views.peer_support_list, name="peer_support_list"),
    path(
        "peer-support/<str:region_code>/<int:fiscal_year>/",
        views.peer_support_detail,
        name="peer_support_detail",
    ),
    path(
        "peer-support/<str:region_code>/<int:fiscal_year>/edit/",
        views.peer_support_edit,
        name="peer_support_edit",
    ),
    path(
        "peer-support/<str:region_code>/<int:fiscal_year>/history/",
        views.peer_support_history,
        name="peer_support_history",
    ),
]
