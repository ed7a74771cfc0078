"""``/api/v1/activities/``: the account's activities (the operation endpoints are the action
registry's: ``apps.actions.api_urls``)."""

from django.urls import path

from . import api

urlpatterns = [
    path("activities/", api.ActivityListView.as_view(), name="api-activities"),
    path("activities/<int:activity_id>/", api.ActivityDetailView.as_view(), name="api-activity"),
]
