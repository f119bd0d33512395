from django.urls import path

from national import views

app_name = "national"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:code>/", views.detail, name="detail"),
    path("<slug:code>/peers/", views.peers, name="peers"),
    path("<slug:code>/export.<str:fmt>", views.export, name="export"),
]
