from django.urls import path

from meetings import agenda_views, views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="index"),
    path("export.<str:fmt>", views.meeting_export, name="export"),
    path("agenda-export.<str:fmt>", views.agenda_export, name="agenda_export"),
    path("new/", views.meeting_create, name="create"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("<int:pk>/delete/", views.meeting_delete, name="delete"),
    path("<int:pk>/restore/", views.meeting_restore, name="restore"),
    path("<int:pk>/history/", views.meeting_history, name="history"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("success/", views.success_list, name="success_list"),
    # The PDCA loop: proposals from the dashboard, action items on their own
    path("proposals/", agenda_views.proposal_list, name="proposals"),
    path("proposals/new/", agenda_views.proposal_create, name="proposal_create"),
    path("proposals/<int:pk>/withdraw/", agenda_views.proposal_withdraw, name="proposal_withdraw"),
    path("actions/", agenda_views.action_list, name="action_list"),
    path("actions/<int:pk>/", agenda_views.action_detail, name="action_detail"),
]
