"""URL patterns generated from the registry, for pages (``urls.py``) and the API (``api_urls.py``),
and an app's API routes from its views (``view_patterns``).

Every target kind gets ``<route>actions/<name>/``; routes with fewer path parameters come first, so
``servers/bulk/actions/…`` is matched before ``servers/<id>/actions/…``.
"""

from django.urls import path

from . import registry


def _by_specificity():
    return sorted(registry.targets(), key=lambda t: (t.route.count("<"), -len(t.route)))


def page_patterns(view) -> list:
    return [
        path(f"{kind.route}actions/<str:action>/", view, {"target": kind.name}, name=f"{kind.name}-action")
        for kind in _by_specificity()
    ]


def api_patterns(view_for) -> list:
    out = []
    for kind in _by_specificity():
        for action in registry.actions(kind.name):
            out.append(
                path(
                    f"{kind.route}actions/{action.name}/",
                    view_for(action).as_view(),
                    name=f"api-{kind.name}-{action.name}",
                )
            )
    return out


def view_patterns(module) -> list:
    """``path(route, view.as_view(), name=name)`` for each view class of ``module`` (an app's ``api``)
    whose ``url`` is ``(route, name)``, in the module's order."""
    views = dict.fromkeys(v for v in vars(module).values() if isinstance(v, type) and getattr(v, "url", None))
    return [path(v.url[0], v.as_view(), name=v.url[1]) for v in views]
