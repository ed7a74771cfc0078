"""The ``/api/v1/`` root: each app's endpoints and the OpenAPI document."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from . import docs

urlpatterns = [
    path("", include("apps.activities.api_urls")),
    path("", include("apps.actions.api_urls")),
    path("", include("apps.recipes.api_urls")),
    path("", include("apps.balancers.api_urls")),
    path("", include("apps.monitoring.api_urls")),
    path("", include("apps.billing.api_urls")),
    path("", include("apps.networks.api_urls")),
    path("", include("apps.policies.api_urls")),
    path("", include("apps.inventory.api_urls")),
    path("", include("apps.audit.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", docs.docs, name="api-docs"),
]
