from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dashboard/totals/", views.dashboard_totals, name="dashboard-totals"),
    path("dashboard/datacenters/<str:dc>/", views.dashboard_datacenter, name="dashboard-datacenter"),
    path("datacenters/<str:dc>/", views.datacenter, name="datacenter"),
    path("groups/<str:group_id>/", views.group_detail, name="group"),
    path("servers/<str:server_id>/", views.server_detail, name="server"),
    path("servers/<str:server_id>/credentials/", views.server_credentials, name="server-credentials"),
]
