"""The personal token in the OpenAPI document: an HTTP bearer scheme."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class PersonalTokenScheme(OpenApiAuthenticationExtension):
    target_class = "apps.tokens.authentication.PersonalTokenAuthentication"
    name = "personalToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "clcp_<id>_<secret>",
            "description": (
                "A personal API token from /profile/tokens/: `Authorization: Bearer clcp_…` "
                "(`Token clcp_…` works too). Acts as its owner with the owner's cloud roles."
            ),
        }
