"""Action URLs. Server actions live under /servers/<id>/actions/…; group actions and the
create-server wizard add their paths below (views_group, views_create)."""

from django.urls import path

from . import views_server

urlpatterns = [
    path("servers/bulk/<str:operation>/", views_server.bulk_power, name="servers-bulk"),
    path("servers/<str:server_id>/actions/<str:action>/", views_server.server_action, name="server-action"),
]

# Group actions and the create-server wizard (views_group, views_create).
from . import views_create, views_group  # noqa: E402

urlpatterns += [
    path("groups/<str:group_id>/new-group/", views_group.group_create, name="group-create"),
    path("groups/<str:group_id>/edit/", views_group.group_edit, name="group-edit"),
    path("groups/<str:group_id>/move/", views_group.group_move, name="group-move"),
    path("groups/<str:group_id>/delete/", views_group.group_delete, name="group-delete"),
    path("groups/<str:group_id>/archive/", views_group.group_archive, name="group-archive"),
    path("groups/<str:group_id>/restore/", views_group.group_restore, name="group-restore"),
    path("groups/<str:group_id>/power/<str:operation>/", views_group.group_power, name="group-power"),
    path("create-server/", views_create.create_server, name="create-server"),
]
