from django.apps import AppConfig


class TokensConfig(AppConfig):
    name = "apps.tokens"
    label = "tokens"
    verbose_name = "Personal API tokens"

    def ready(self):
        from . import schema  # noqa: F401  (registers the OpenAPI security scheme)
