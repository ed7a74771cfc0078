"""``/api/v1/`` network and firewall reads (included by ``apps.api.urls``); the changes are the
registry's routes (``apps.actions.api_urls``)."""

from apps.actions.routes import view_patterns

from . import api

urlpatterns = view_patterns(api)  # each view names its route
