"""One Content-Security-Policy for every response.

``ContentSecurityPolicyMiddleware`` sends ``settings.CONTENT_SECURITY_POLICY`` (``'self'`` only: no
inline script or style, nothing from another origin, no framing) on every response that does not
carry one. A view that needs more says so with ``@csp_allow(directive=[sources])``, e.g. the API
documentation page (Swagger UI sets inline styles and shows data: images)::

    @csp_allow(style_src=["'unsafe-inline'"], img_src=["data:"])
    def docs(request): ...

A directive a view extends starts from ``default-src`` when the policy does not name it.
In development (DEBUG) Django's own error pages (404, 500) keep their inline styles: no CSP there.
"""

from functools import wraps

from asgiref.sync import iscoroutinefunction
from django.conf import settings
from django.utils.deprecation import MiddlewareMixin

HEADER = "Content-Security-Policy"


def _directive(name: str) -> str:
    return name.replace("_", "-")


def policy(extra: dict | None = None) -> str:
    directives = {name: list(sources) for name, sources in settings.CONTENT_SECURITY_POLICY.items()}
    for name, sources in (extra or {}).items():
        current = directives.setdefault(name, list(directives.get("default-src", [])))
        current.extend(source for source in sources if source not in current)
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def csp_allow(**sources):
    """Decorator: this view's responses may also use ``sources`` (``style_src=["'unsafe-inline'"]``)."""
    extra = {_directive(name): list(values) for name, values in sources.items()}

    def decorate(view):
        if iscoroutinefunction(view):

            @wraps(view)
            async def async_wrapped(*args, **kwargs):
                response = await view(*args, **kwargs)
                response.csp_extra = extra
                return response

            return async_wrapped

        @wraps(view)
        def wrapped(*args, **kwargs):
            response = view(*args, **kwargs)
            response.csp_extra = extra
            return response

        return wrapped

    return decorate


class ContentSecurityPolicyMiddleware(MiddlewareMixin):
    def process_response(self, request, response):
        if HEADER in response:
            return response
        if settings.DEBUG and response.status_code in (404, 500):
            return response  # Django's technical error pages use inline styles and scripts
        response[HEADER] = policy(getattr(response, "csp_extra", None))
        return response
