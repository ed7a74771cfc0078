"""``/api/v1/`` inventory endpoints (included by ``apps.api.urls``)."""

from django.urls import path

from . import api

urlpatterns = [
    path("datacenters/", api.DataCenterListView.as_view(), name="api-datacenters"),
    path("datacenters/<str:dc>/servers/", api.DataCenterServersView.as_view(), name="api-datacenter-servers"),
    path("groups/<str:group_id>/", api.GroupDetailView.as_view(), name="api-group"),
    path("servers/<str:server_id>/", api.ServerDetailView.as_view(), name="api-server"),
]
