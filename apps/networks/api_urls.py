"""``/api/v1/`` network and firewall reads (included by ``apps.api.urls``); the changes are the
registry's routes (``apps.actions.api_urls``)."""

from django.urls import path

from . import api

urlpatterns = [
    path(
        "datacenters/<str:dc>/networks/", api.DataCenterNetworksView.as_view(), name="api-datacenter-networks"
    ),
    path("datacenters/<str:dc>/networks/<str:network_id>/", api.NetworkView.as_view(), name="api-network"),
    path("servers/<str:server_id>/networks/", api.ServerNetworksView.as_view(), name="api-server-networks"),
    path("datacenters/<str:dc>/firewall/", api.FirewallView.as_view(), name="api-datacenter-firewall"),
    path(
        "datacenters/<str:dc>/firewall/intra/<str:policy_id>/",
        api.IntraPolicyView.as_view(),
        name="api-firewall-policy",
    ),
    path(
        "datacenters/<str:dc>/firewall/cross/<str:policy_id>/",
        api.CrossPolicyView.as_view(),
        name="api-cross-dc-policy",
    ),
]
