"""Mounted by ``portal.urls``: ``/events/`` (the SSE stream), ``/activities/`` (the screen) and ``/team/``."""

from django.urls import path

from . import views, views_team

urlpatterns = [
    path("", views.events, name="events"),
]

pages = [
    path("", views.activity_list, name="activities"),
    path("<str:activity_id>/", views.activity_detail, name="activity"),
]

team = [
    path("", views_team.team, name="team"),
]
