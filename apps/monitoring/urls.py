"""Monitoring pages (included at the site root, before the inventory's routes)."""

from django.urls import path

from . import views

urlpatterns = [
    path("groups/<str:group_id>/schedules/", views.group_schedules, name="group-schedules"),
]
