"""Mounted twice by ``portal.urls``: ``/events/`` (the SSE stream) and ``/activities/`` (the screen)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.events, name="events"),
]

pages = [
    path("", views.activity_list, name="activities"),
    path("<str:activity_id>/", views.activity_detail, name="activity"),
]
