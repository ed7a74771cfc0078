"""``/api/v1/docs/``: the OpenAPI document rendered by Swagger UI, whose files the app serves from the
drf-spectacular-sidecar package (no CDN); the set-up is static/js/api-docs.js, never an inline script.
Public like the schema it reads (``/api/v1/schema/``); calls made from it use the reader's portal
session (same origin) or a personal token entered with "Authorize"."""

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from portal.csp import csp_allow


@require_safe
@csp_allow(style_src=["'unsafe-inline'"], img_src=["data:"])  # Swagger UI's inline styles, data: icons
def docs(request):
    return render(request, "api/docs.html", {"schema_url": reverse("api-schema")})
