"""Action URLs. Server actions live under /servers/<id>/actions/…; group actions and the
create-server wizard add their paths below (views_group, views_create)."""

from django.urls import path

from . import views_server

urlpatterns = [
    path("servers/bulk/<str:operation>/", views_server.bulk_power, name="servers-bulk"),
    path("servers/<str:server_id>/actions/<str:action>/", views_server.server_action, name="server-action"),
]
