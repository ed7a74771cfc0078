"""``/api/v1/`` operations and activities (included by ``apps.api.urls`` before the inventory
routes, so ``servers/operations/`` is not taken for a server id)."""

from django.urls import path

from . import api

urlpatterns = [
    path("servers/operations/", api.BulkOperationView.as_view(), name="api-server-operations"),
    path(
        "servers/<str:server_id>/operations/", api.ServerOperationView.as_view(), name="api-server-operation"
    ),
    path("activities/", api.ActivityListView.as_view(), name="api-activities"),
    path("activities/<int:activity_id>/", api.ActivityDetailView.as_view(), name="api-activity"),
]
