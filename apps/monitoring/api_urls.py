"""``/api/v1/`` monitoring reads (included by ``apps.api.urls`` before the inventory routes); the
changes are the registry's action routes (``apps.actions.api_urls``)."""

from apps.actions.routes import view_patterns

from . import api

urlpatterns = view_patterns(api)  # each view names its route
