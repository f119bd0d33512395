from django.urls import path  # noqa: F401  (the comparison and import pages register here)

app_name = "national"

urlpatterns: list = []
