"""``/api/v1/``: one route per registered action (``routes.api_patterns``) and the operation
endpoints scripts already call (``api_operations``). Included before the inventory routes, so
``servers/operations/`` is not taken for a server id."""

from django.urls import path

from . import api, api_operations, routes

urlpatterns = [
    path("servers/operations/", api_operations.BulkOperationView.as_view(), name="api-server-operations"),
    path(
        "servers/<str:server_id>/operations/",
        api_operations.ServerOperationView.as_view(),
        name="api-server-operation",
    ),
    path(
        "groups/<str:group_id>/operations/",
        api_operations.GroupOperationView.as_view(),
        name="api-group-operations",
    ),
    *routes.api_patterns(api.view_for),
]
