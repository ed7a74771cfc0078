"""``/api/v1/`` load balancer reads (included by ``apps.api.urls`` before the inventory routes);
the changes are the registry's action routes (``apps.actions.api_urls``)."""

from django.urls import path

from . import api

urlpatterns = [
    path("datacenters/<str:dc>/load-balancers/", api.BalancerListView.as_view(), name="api-balancers"),
    path(
        "datacenters/<str:dc>/load-balancers/<str:lb_id>/",
        api.BalancerDetailView.as_view(),
        name="api-balancer",
    ),
    path(
        "datacenters/<str:dc>/load-balancers/<str:lb_id>/pools/<str:pool_id>/",
        api.PoolDetailView.as_view(),
        name="api-balancer-pool",
    ),
    path(
        "servers/<str:server_id>/load-balancer-pools/",
        api.ServerPoolsView.as_view(),
        name="api-server-balancer-pools",
    ),
]
