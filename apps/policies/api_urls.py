"""``/api/v1/`` policy reads (included by ``apps.api.urls`` before the inventory routes); the changes
are the registry's action routes (``apps.actions.api_urls``)."""

from django.urls import path

from . import api

urlpatterns = [
    path("policies/alert-policies/", api.AlertPolicyListView.as_view(), name="api-alert-policies"),
    path("policies/alert-policies/<str:policy_id>/", api.AlertPolicyView.as_view(), name="api-alert-policy"),
    path("policies/anti-affinity/", api.AntiAffinityListView.as_view(), name="api-anti-affinity-policies"),
    path(
        "policies/anti-affinity/<str:policy_id>/",
        api.AntiAffinityView.as_view(),
        name="api-anti-affinity-policy",
    ),
    path("policies/autoscale/", api.AutoscaleListView.as_view(), name="api-autoscale-policies"),
    path("policies/autoscale/<str:policy_id>/", api.AutoscaleView.as_view(), name="api-autoscale-policy"),
    path(
        "datacenters/<str:dc>/anti-affinity/",
        api.DataCenterAntiAffinityView.as_view(),
        name="api-datacenter-anti-affinity",
    ),
    path("servers/<str:server_id>/policies/", api.ServerPoliciesView.as_view(), name="api-server-policies"),
]
