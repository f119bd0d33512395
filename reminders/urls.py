from django.urls import path

from reminders import calendar_views, settings_views, views

app_name = "reminders"

urlpatterns = [
    path("", views.index, name="index"),
    path("recipients/", views.recipients, name="recipients"),
    path("actions/<int:pk>/follow/", views.follow, name="follow"),
    path("actions/<int:pk>/unfollow/", views.unfollow, name="unfollow"),
    path("settings/", settings_views.settings_page, name="settings"),
    path("settings/confirmation/", settings_views.confirmation_resend, name="confirmation_resend"),
    path("confirm/<str:token>/", settings_views.confirm, name="confirm"),
    path("calendar/", calendar_views.calendar_page, name="calendar"),
    path("calendar/issue/", calendar_views.calendar_issue, name="calendar_issue"),
    path("calendar/<int:pk>/revoke/", calendar_views.calendar_revoke, name="calendar_revoke"),
    path("calendar/<int:pk>/reissue/", calendar_views.calendar_reissue, name="calendar_reissue"),
    path("calendar/<str:token>.ics", calendar_views.feed, name="feed"),
    path("meetings/<int:pk>.ics", calendar_views.meeting_ics, name="meeting_ics"),
]
