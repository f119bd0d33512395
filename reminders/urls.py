from django.urls import path

from reminders import settings_views

app_name = "reminders"

urlpatterns = [
    path("settings/", settings_views.settings_page, name="settings"),
    path("settings/confirmation/", settings_views.confirmation_resend, name="confirmation_resend"),
    path("confirm/<str:token>/", settings_views.confirm, name="confirm"),
]
