"""Action pages: ``<target route>actions/<name>/`` for every target kind of the registry (one
generic view, ``views.action_page``), and the create-server wizard."""

from django.urls import path

from . import routes, views, views_create

urlpatterns = [
    *routes.page_patterns(views.action_page),
    path("create-server/", views_create.create_server, name="create-server"),
]
