"""``/api/v1/docs/``: the OpenAPI document rendered by a vendored Swagger UI (static/vendor/swagger-ui,
no CDN). Public like the schema it reads (``/api/v1/schema/``); calls made from it use the reader's
portal session (same origin) or a personal token entered with "Authorize"."""

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe


@require_safe
def docs(request):
    response = render(request, "api/docs.html", {"schema_url": reverse("api-schema")})
    # Everything it needs is served here; say so to the browser too.
    response["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; connect-src 'self'; frame-ancestors 'none'"
    )
    return response
