from django.urls import path

from indicators import check_views, dataset_views, views

# The dashboard (`/indicators/`, `/indicators/export/…`) is mounted at the same prefix from dashboard/urls.py.
app_name = "indicators"
urlpatterns = [
    path("definitions/", views.indicator_list, name="definitions"),
    path("definitions/new/", views.indicator_create, name="indicator_create"),
    path("definitions/<slug:code>/", views.indicator_detail, name="indicator_detail"),
    path("definitions/<slug:code>/edit/", views.indicator_edit, name="indicator_edit"),
    path("definitions/<slug:code>/rules/new/", check_views.rule_create, name="rule_create"),
    path("rules/<int:pk>/edit/", check_views.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/deactivate/", check_views.rule_deactivate, name="rule_deactivate"),
    path("checks/", check_views.check_list, name="checks"),
    path("checks/<int:pk>/resolve/", check_views.check_resolve, name="check_resolve"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("values/new/", views.observation_create, name="observation_create"),
    path("values/<int:pk>/edit/", views.observation_edit, name="observation_edit"),
    path("targets/new/", views.target_create, name="target_create"),
    path("targets/<int:pk>/edit/", views.target_edit, name="target_edit"),
    path("venues/", views.venue_status, name="venue_status"),
    path("imports/", views.import_list, name="imports"),
    path("imports/template.<str:fmt>", views.import_template, name="import_template"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/discard/", views.import_discard, name="import_discard"),
    path("imports/<int:pk>/undo/", views.import_undo, name="import_undo"),
    # data sets: the steps of submission and approval, and the due date (the pages are the dashboard's)
    path("datasets/deadline/", dataset_views.deadline_set, name="deadline_set"),
    *(
        path(
            f"datasets/<str:area>/<int:fiscal_year>/{action}/",
            dataset_views.data_set_step,
            {"action": action},
            name=f"dataset_{action}",
        )
        for action in dataset_views.STEPS
    ),
]
