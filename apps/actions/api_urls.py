"""``/api/v1/`` group operations (included by ``apps.api.urls`` before the inventory routes)."""

from django.urls import path

from . import api

urlpatterns = [
    path("groups/<str:group_id>/operations/", api.GroupOperationView.as_view(), name="api-group-operations"),
]
