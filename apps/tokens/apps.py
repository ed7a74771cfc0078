from django.apps import AppConfig

from . import schema  # noqa: F401  (registers the OpenAPI security scheme)


class TokensConfig(AppConfig):
    name = "apps.tokens"
    label = "tokens"
    verbose_name = "Personal API tokens"
