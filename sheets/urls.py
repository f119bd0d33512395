from django.urls import path

from sheets import views

app_name = "sheets"
urlpatterns = [
    path("", views.sheet_list, name="index"),
    path("<int:fiscal_year>/", views.sheet_detail, name="detail"),
    path("<int:fiscal_year>.pdf", views.sheet_pdf, name="pdf"),
    path("<int:fiscal_year>/publish/", views.sheet_publish, name="publish"),
    path("<int:fiscal_year>/editions/<int:number>.pdf", views.published_pdf, name="published_pdf"),
    path("<int:fiscal_year>/regions/<str:region_code>.pdf", views.region_pdf, name="region_pdf"),
    path("<int:fiscal_year>/copy/", views.sheet_copy, name="copy"),
    path("<int:fiscal_year>/edit/header/", views.edit_header, name="edit_header"),
    path("<int:fiscal_year>/edit/part1/", views.edit_facts, name="edit_facts"),
    path("<int:fiscal_year>/edit/<str:part>/", views.edit_part, name="edit_part"),
]
