from django.urls import path

from pdca import views

app_name = "pdca"
urlpatterns = [
    path("", views.index, name="index"),
    path("regions/<slug:region_code>/", views.region_detail, name="region"),
]
