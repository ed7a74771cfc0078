from django.urls import path

from . import views, views_team

urlpatterns = [
    path("audit/", views.audit_log, name="audit"),
    path("team/", views_team.team, name="team"),
]
