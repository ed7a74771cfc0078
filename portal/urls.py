from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse, JsonResponse
from django.urls import include, path
from django.views.decorators.http import require_GET

from apps.activities.urls import pages as activity_pages
from apps.activities.urls import team as team_page

handler400 = "portal.error_pages.bad_request"  # too many fields, body too large (413): said plainly
handler404 = "apps.accounts.api_errors.page_not_found"  # {"message"} under /api/
handler500 = "apps.accounts.api_errors.server_error"


def healthz(request):
    return JsonResponse({"status": "ok"})


FAVICON = (settings.BASE_DIR / "static" / "favicon.ico").read_bytes()


@require_GET
def favicon(request):
    """Browsers ask every page's origin for /favicon.ico: answer it (not a 404 on every page)."""
    response = HttpResponse(FAVICON, content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz/", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("api/v1/", include("apps.api.urls")),
    path("profile/", include("apps.tokens.urls")),
    path("events/", include("apps.activities.urls")),
    path("activities/", include(activity_pages)),
    path("", include("apps.audit.urls")),  # /audit/
    path("team/", include(team_page)),
    path("notifications/", include("apps.notifications.urls")),
    path("recipes/", include("apps.recipes.urls")),
    path("webhooks/", include("apps.webhooks.urls")),
    path("hooks/clc/", include("apps.webhooks.hooks_urls")),
    path("", include("apps.actions.urls")),
    path("", include("apps.balancers.urls")),  # /datacenters/<dc>/load-balancers/...
    path("", include("apps.monitoring.urls")),  # /groups/<id>/schedules/
    path("billing/", include("apps.billing.urls")),
    path("", include("apps.networks.urls")),  # /networks/, /datacenters/<dc>/networks|firewall/
    path("", include("apps.policies.urls")),  # /policies/..., /datacenters/<dc>/anti-affinity/
    # Inventory first: its "/" (the dashboard) replaces the accounts placeholder.
    path("", include("apps.inventory.urls")),
    path("", include("apps.accounts.urls")),
]
