"""``/api/v1/`` monitoring reads (included by ``apps.api.urls`` before the inventory routes); the
changes are the registry's action routes (``apps.actions.api_urls``)."""

from django.urls import path

from . import api

urlpatterns = [
    path(
        "servers/<str:server_id>/statistics/",
        api.ServerStatisticsView.as_view(),
        name="api-server-statistics",
    ),
    path("groups/<str:group_id>/statistics/", api.GroupStatisticsView.as_view(), name="api-group-statistics"),
    path("groups/<str:group_id>/schedules/", api.GroupSchedulesView.as_view(), name="api-group-schedules"),
    path(
        "horizontal-autoscale-policies/",
        api.HorizontalPoliciesView.as_view(),
        name="api-horizontal-autoscale-policies",
    ),
    path(
        "servers/<str:server_id>/external-operations/",
        api.ServerExternalView.as_view(),
        name="api-server-external-operations",
    ),
    path(
        "groups/<str:group_id>/external-operations/",
        api.GroupExternalView.as_view(),
        name="api-group-external-operations",
    ),
]
