"""``/api/v1/``: one route per registered action (``routes.api_patterns``) and the operation
endpoints scripts already call (``api_operations``). Included before the inventory routes, so
``servers/operations/`` is not taken for a server id."""

from . import api, api_operations, routes

urlpatterns = [*routes.view_patterns(api_operations), *routes.api_patterns(api.view_for)]
