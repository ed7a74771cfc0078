"""``/api/v1/docs/``: the OpenAPI document rendered by a vendored Swagger UI (static/vendor/swagger-ui,
no CDN). Public like the schema it reads (``/api/v1/schema/``); calls made from it use the reader's
portal session (same origin) or a personal token entered with "Authorize"."""

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from portal.csp import csp_allow


@require_safe
@csp_allow(style_src=["'unsafe-inline'"], img_src=["data:"])  # Swagger UI's inline styles, data: icons
def docs(request):
    return render(request, "api/docs.html", {"schema_url": reverse("api-schema")})
