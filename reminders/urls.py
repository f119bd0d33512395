from django.urls import path

from reminders import views

app_name = "reminders"
urlpatterns = [
    path("", views.index, name="index"),
    path("recipients/", views.recipients, name="recipients"),
    path("actions/<int:pk>/follow/", views.follow, name="follow"),
    path("actions/<int:pk>/unfollow/", views.unfollow, name="unfollow"),
]
